"""`synctool check` vs `copier check-update` on a generated service, and on
the same service padded with 10,000 unrelated files.

    python -m bench.check [--runs 7]

copier's check-update needs the template repository (it lists its tags);
synctool's check reads only the service. Both get a local git blueprint.
A check remembers what it parsed (in the service's git folder), as on
every commit after the first; the "first run" row has nothing remembered.
The commands take turns, round after round, and each row is a median.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from pathlib import Path

from bench.common import (
    BUNDLED,
    copier_cmd,
    git_blueprint,
    run,
    synctool_cmd,
    table,
    timed,
    tmpdir,
)


def _pad(service: Path, count: int) -> None:
    """Unrelated files, committed: a monorepo-sized service."""
    for i in range(count):
        path = service / "vendor" / f"d{i // 500}" / f"file_{i}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"unrelated file {i}\n")
    run(["git", "add", "-A"], cwd=service)
    run(["git", "commit", "-qm", "pad"], cwd=service)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pad", type=int, default=10_000)
    args = parser.parse_args()
    work = tmpdir("check")
    bp = git_blueprint(BUNDLED, work / "blueprint")
    plain = work / "svc"
    run(
        [
            *synctool_cmd(),
            "init",
            str(plain),
            "--blueprint",
            str(bp),
            "--defaults",
            "-q",
        ]
    )
    # copier needs its answers file to know the template: write one the way
    # `copier copy` would, so check-update has what it needs.
    cp = work / "svc-copier"
    run([*copier_cmd(), "copy", "--defaults", "--quiet", str(bp), str(cp)])
    (cp / ".copier-answers.yml").write_text(f"_commit: v1.0.0\n_src_path: {bp}\n")
    run(["git", "init", "-q", "-b", "main"], cwd=cp)
    run(["git", "add", "-A"], cwd=cp)
    run(["git", "commit", "-qm", "init"], cwd=cp)
    padded = work / "svc-padded"
    shutil.copytree(plain, padded, symlinks=True)
    _pad(padded, args.pad)

    def check(path: Path, *, remembered: bool = True) -> float:
        if not remembered:  # a first run: nothing parsed before
            (path / ".git" / "synctool-check.cache").unlink(missing_ok=True)
        return timed(
            lambda: run([*synctool_cmd(), "check", str(path), "-q"], check=False)
        )

    def copier_check() -> float:
        return timed(
            lambda: run([*copier_cmd(), "check-update", "--quiet"], cwd=cp, check=False)
        )

    # Interleaved rounds: a slow spell of a shared machine lands on every
    # command alike, so the ratios hold where absolute times drift. The
    # first round warms the disk cache and is not counted.
    rounds = [
        (
            copier_check(),
            check(plain),
            check(plain, remembered=False),
            check(padded),
        )
        for _ in range(args.runs + 1)
    ][1:]
    copier_med, plain_med, first_med, padded_med = (
        statistics.median(column) for column in zip(*rounds, strict=True)
    )
    rows = [
        ("copier check-update (service)", f"{copier_med:.3f}", "1.00x", ""),
        (
            "synctool check (service)",
            f"{plain_med:.3f}",
            f"{plain_med / copier_med:.2f}x",
            "1.00x",
        ),
        (
            "synctool check (service, first run)",
            f"{first_med:.3f}",
            f"{first_med / copier_med:.2f}x",
            f"{first_med / plain_med:.2f}x",
        ),
        (
            f"synctool check (+{args.pad} files)",
            f"{padded_med:.3f}",
            f"{padded_med / copier_med:.2f}x",
            f"{padded_med / plain_med:.2f}x",
        ),
    ]
    print(
        table(
            ["command", "median s", "vs copier check-update", "vs plain service"], rows
        )
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
