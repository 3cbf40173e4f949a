"""`synctool check` vs `copier check-update` on a generated service, and on
the same service padded with 10,000 unrelated files.

    python -m bench.check [--runs 7]

copier's check-update needs the template repository (it lists its tags);
synctool's check reads only the service. Both get a local git blueprint.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from bench.common import (
    BUNDLED,
    copier_cmd,
    git_blueprint,
    median_of,
    run,
    synctool_cmd,
    table,
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

    def check(path: Path) -> object:
        return run([*synctool_cmd(), "check", str(path), "-q"], check=False)

    copier_med, _ = median_of(
        args.runs,
        lambda i: cp,
        lambda d: run([*copier_cmd(), "check-update", "--quiet"], cwd=d, check=False),
    )  # type: ignore[arg-type]
    plain_med, _ = median_of(args.runs, lambda i: plain, check)  # type: ignore[arg-type]
    padded_med, _ = median_of(args.runs, lambda i: padded, check)  # type: ignore[arg-type]
    rows = [
        ("copier check-update (service)", f"{copier_med:.3f}", "1.00x", ""),
        (
            "synctool check (service)",
            f"{plain_med:.3f}",
            f"{plain_med / copier_med:.2f}x",
            "1.00x",
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
