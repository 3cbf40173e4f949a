"""`synctool update` vs `copier update` on the same blueprint and the same edits.

    python -m bench.update [--sizes 25,200,1000] [--runs 5]

For each size: a synthetic blueprint (v1.0.0, v2.0.0), one service generated
by each tool at v1 with the same user edits committed, then timed updates to
v2 on fresh copies. synctool is timed cold (empty render cache: both versions
rendered, as copier does) and warm (renders cached, as in a fleet run).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from bench import synth
from bench.common import ENV, copier_cmd, median_of, run, synctool_cmd, table, tmpdir


def _prepare(work: Path, n: int) -> tuple[Path, Path, Path]:
    bp = synth.make_blueprint(work / "bp", n)
    st = work / "svc-synctool"
    run([*synctool_cmd(), "init", str(st), "--blueprint", str(bp), "--defaults", "-q"])
    synth.customise(st)
    cp = work / "svc-copier"
    run(
        [
            *copier_cmd(),
            "copy",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "v1.0.0",
            str(bp),
            str(cp),
        ]
    )
    run(["git", "init", "-q", "-b", "main"], cwd=cp)
    run(["git", "add", "-A"], cwd=cp)
    run(["git", "commit", "-qm", "init"], cwd=cp)
    synth.customise(cp)
    synth.release_v2(bp, n)
    return bp, st, cp


def _measure(n: int, runs: int) -> tuple[object, ...]:
    work = tmpdir(f"update-{n}")
    _bp, st, cp = _prepare(work, n)
    cache = work / "cache"
    os.environ["XDG_CACHE_HOME"] = ENV["XDG_CACHE_HOME"] = str(cache)

    def copy(src: Path, i: int) -> Path:
        dst = work / f"{src.name}-{i}"
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst, symlinks=True)
        return dst

    def st_cold(i: int) -> object:
        shutil.rmtree(cache, ignore_errors=True)
        return copy(st, i)

    def synctool_update(d: object) -> object:
        return run(
            [*synctool_cmd(), "update", str(d), "--to", "v2.0.0", "-q"], check=False
        )

    def copier_update(d: object) -> object:
        cmd = [*copier_cmd(), "update", "--defaults", "--skip-answered", "--quiet"]
        cmd += ["--conflict", "inline", "--vcs-ref", "v2.0.0", str(d)]
        return run(cmd, cwd=Path(str(d)), check=False)

    copier_med, _ = median_of(runs, lambda i: copy(cp, i), copier_update)
    cold_med, _ = median_of(runs, st_cold, synctool_update)
    synctool_update(copy(st, 99))  # fill the cache
    warm_med, _ = median_of(runs, lambda i: copy(st, i), synctool_update)
    files = sum(1 for p in st.rglob("*") if p.is_file() and ".git" not in p.parts)
    shutil.rmtree(work, ignore_errors=True)
    return (
        n,
        files,
        f"{copier_med:.2f}",
        f"{cold_med:.2f}",
        f"{cold_med / copier_med:.2f}x",
        f"{warm_med:.2f}",
        f"{warm_med / copier_med:.2f}x",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="25,200,1000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = [_measure(int(size), args.runs) for size in args.sizes.split(",")]
    headers = ["blueprint files", "service files", "copier update s", "synctool cold s"]
    headers += ["cold ratio", "synctool warm s", "warm ratio"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
