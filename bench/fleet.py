"""`synctool fleet update`: serial vs parallel, and per repo vs one `synctool update`.

    python -m bench.fleet [--services 50] [--files 100] [--runs 3] [--modes warm,cold]

A synthetic blueprint (bench/synth.py) at v1.0.0; N services generated from
it, each customised differently (its own seed) and pushed to its own bare
"remote"; v2.0.0 released. Then, in the same run, timed: `fleet update
--jobs 1` and `--jobs 2` over the whole fleet (each run with a fresh work
folder, so every repo is cloned, branched, updated, committed and pushed),
and `synctool update` on a fresh copy of one customised service.

Two render-cache modes, so that the comparison is fair:
- warm: every service has the same answers; the cache holds both versions'
  renders before any timed run, for the fleet and the single update alike.
- cold: every service has its own answers (so no render is shared) and the
  cache is emptied before each timed run, for the fleet and the single
  update alike: each repo renders both versions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from bench import synth
from bench.common import ENV, run, synctool_cmd, table, tmpdir


def _fleet(work: Path, services: int, files: int, distinct: bool) -> tuple[Path, Path]:
    """The remotes and a fleet file; returns (fleet file, one pristine service)."""
    from synctool.cli import run as cli_run  # in-process: 50 inits, one start-up

    bp = synth.make_blueprint(work / "bp", files)
    remotes = work / "remotes"
    remotes.mkdir()
    seed = work / "services" / "seed"
    lines = []
    for i in range(services):
        svc = work / "services" / f"svc-{i:03}"
        if distinct or i == 0:
            name = f"svc-{i:03}" if distinct else "orders"
            args = ["init", str(svc), "--blueprint", str(bp), "--defaults", "-q"]
            if cli_run([*args, "-d", f"service_name={name}"]) != 0:
                raise SystemExit(f"init failed for {svc}")
            if i == 0:
                shutil.copytree(svc, seed, symlinks=True)
        else:
            shutil.copytree(seed, svc, symlinks=True)
        synth.customise(svc, seed=i + 1)
        run(
            ["git", "clone", "-q", "--bare", str(svc), str(remotes / f"svc-{i:03}.git")]
        )
        lines.append(str(remotes / f"svc-{i:03}.git"))
    fleet = work / "fleet.txt"
    fleet.write_text("\n".join(lines) + "\n")
    synth.release_v2(bp, files)
    return fleet, work / "services" / "svc-000"


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    run(cmd, check=False)
    return time.perf_counter() - start


def _mode(args: argparse.Namespace, mode: str) -> list[tuple[str, ...]]:
    work = tmpdir(f"fleet-{mode}")
    cache = work / "cache"
    env_cache = {"XDG_CACHE_HOME": str(cache)}
    ENV.update(env_cache)
    os.environ.update(env_cache)
    fleet, pristine = _fleet(work, args.services, args.files, distinct=mode == "cold")

    def prepare() -> None:
        if mode == "cold":
            shutil.rmtree(cache, ignore_errors=True)

    def single(i: int) -> float:
        svc = work / f"single-{i}"
        shutil.copytree(pristine, svc, symlinks=True)
        prepare()
        return _time([*synctool_cmd(), "update", str(svc), "--to", "v2.0.0", "-q"])

    def fleet_run(jobs: int, i: int) -> float:
        prepare()
        cmd = [
            *synctool_cmd(),
            "fleet",
            "update",
            "--repos",
            str(fleet),
            "--to",
            "v2.0.0",
            "--push",
            "-q",
        ]
        cmd += [
            "--jobs",
            str(jobs),
            "--workdir",
            str(work / f"wd-{jobs}-{i}"),
            "--branch",
            f"bench/{jobs}-{i}",
        ]
        return _time(cmd)

    if mode == "warm":
        single(99)  # fills the cache with both versions' renders
    serial, parallel, one = [], [], []
    for i in range(args.runs):  # interleaved, so drift in the machine hits all three
        serial.append(fleet_run(1, i))
        parallel.append(fleet_run(2, i))
        one.append(single(i))
    _check_outcome(work, fleet)
    s, p, u = (statistics.median(x) for x in (serial, parallel, one))
    per_repo = s / args.services
    shutil.rmtree(work, ignore_errors=True)
    return [
        (
            mode,
            f"fleet update --jobs 1 ({args.services} repos)",
            f"{s:.2f}",
            _runs(serial),
        ),
        (
            mode,
            f"fleet update --jobs 2 ({args.services} repos)",
            f"{p:.2f}",
            _runs(parallel),
        ),
        (mode, "fleet update --jobs 1, per repo", f"{per_repo:.3f}", ""),
        (mode, "synctool update (one service)", f"{u:.3f}", _runs(one)),
        (mode, "ratio: parallel / serial (target <= 0.65)", f"{p / s:.2f}x", ""),
        (
            mode,
            "ratio: per repo / single update (target <= 1.3)",
            f"{per_repo / u:.2f}x",
            "",
        ),
    ]


def _runs(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


def _check_outcome(work: Path, fleet: Path) -> None:
    """The timed runs did the work: every remote holds the pushed branch."""
    for line in fleet.read_text().split():
        out = run(
            ["git", "for-each-ref", "--format=%(refname)", "refs/heads/bench/"],
            cwd=Path(line),
        ).stdout
        if "refs/heads/bench/1-0" not in out or "refs/heads/bench/2-0" not in out:
            raise SystemExit(f"benchmark run did not push to {line}")


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def _machine_ratio() -> float:
    """Two equal CPU-bound tasks, parallel / serial: what 2 jobs can gain here.

    0.5 on two free cores; more when the "CPUs" are hyper-threads of one core
    or the machine is shared. The fleet's ratio is read against this one.
    """
    import multiprocessing

    n = 20_000_000
    serial = _time_fn(lambda: (_burn(n), _burn(n)))
    with multiprocessing.get_context("fork").Pool(2) as pool:
        parallel = _time_fn(lambda: pool.map(_burn, [n, n]))
    return parallel / serial


def _time_fn(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument(
        "--files", type=int, default=100, help="files in the synthetic blueprint"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="warm,cold")
    args = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    machine = _machine_ratio()
    for mode in args.modes.split(","):
        rows += _mode(args, mode)
    rows.append(
        (
            "-",
            "machine: 2 CPU-bound processes, parallel / serial",
            f"{machine:.2f}x",
            "0.50x = two free cores",
        )
    )
    print(
        f"{args.services} services, {args.files}-file blueprint, v1.0.0 -> v2.0.0, median of {args.runs} runs, {os.cpu_count()} CPUs\n"
    )
    print(table(["render cache", "what", "median s", "runs (s)"], rows))


if __name__ == "__main__":
    main()
