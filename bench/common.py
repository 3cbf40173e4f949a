"""Shared helpers for the benchmarks: timing, medians, tables, throwaway repos."""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "blueprint"
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "NO_COLOR": "1",
}


def run(
    cmd: Sequence[str], cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        list(cmd),
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if check and proc.returncode != 0:
        raise SystemExit(
            f"benchmark step failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_of(
    runs: int, setup: Callable[[int], object], fn: Callable[[object], object]
) -> tuple[float, list[float]]:
    """Median wall time of ``fn(setup(i))`` over ``runs`` runs (setup not timed)."""
    times = []
    for i in range(runs):
        arg = setup(i)
        start = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def tmpdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"synctool-bench-{prefix}-"))


def synctool_cmd() -> list[str]:
    _byte_compiled()
    return [sys.executable, "-m", "synctool"]


@functools.cache
def _byte_compiled() -> None:
    """synctool byte-compiled, as `pip install` leaves it (and copier). An
    editable install under PYTHONDONTWRITEBYTECODE=1, as on these machines,
    would otherwise compile every module again on every run."""
    import compileall

    import synctool

    compileall.compile_dir(str(Path(synctool.__file__).parent), quiet=1)


def copier_cmd() -> list[str]:
    return [sys.executable, "-m", "copier"]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (the README quotes these verbatim)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = (
        "| "
        + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
        + " |"
    )
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in cells
    ]
    return "\n".join([line, sep, *body])


def git_blueprint(src: Path, dest: Path, tag: str = "v1.0.0") -> Path:
    """A git copy of a template folder, tagged, so copier and synctool see a release."""
    subprocess.run(["cp", "-r", str(src), str(dest)], check=True)
    run(["git", "init", "-q", "-b", "main"], cwd=dest)
    run(["git", "add", "-A"], cwd=dest)
    run(["git", "commit", "-qm", "release"], cwd=dest)
    run(["git", "tag", tag], cwd=dest)
    return dest
