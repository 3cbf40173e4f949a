"""`synctool init --defaults` vs `copier copy --defaults` on the bundled blueprint.

python -m bench.init [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = tmpdir("init")
    bp = git_blueprint(BUNDLED, work / "blueprint")
    out = work / "out"
    out.mkdir()

    def fresh(i: int) -> object:
        target = out / f"svc-{i}"
        shutil.rmtree(target, ignore_errors=True)
        return target

    results = {}
    for name, cmd in {
        "synctool init --defaults": lambda d: run(
            [
                *synctool_cmd(),
                "init",
                str(d),
                "--blueprint",
                str(bp),
                "--defaults",
                "--no-git",
                "-q",
            ]
        ),
        "copier copy --defaults": lambda d: run(
            [*copier_cmd(), "copy", "--defaults", "--quiet", str(bp), str(d)]
        ),
        "synctool init --defaults (+ git init and commit)": lambda d: run(
            [
                *synctool_cmd(),
                "init",
                str(d),
                "--blueprint",
                str(bp),
                "--defaults",
                "-q",
            ]
        ),
    }.items():
        med, times = median_of(args.runs, fresh, cmd)
        results[name] = (med, times)
    base = results["copier copy --defaults"][0]
    rows = [
        (name, f"{med:.3f}", f"{med / base:.2f}x", " ".join(f"{t:.3f}" for t in times))
        for name, (med, times) in results.items()
    ]
    print(table(["command", "median s", "vs copier", "runs (s)"], rows))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
