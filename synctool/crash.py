"""Crash reports: an internal error leaves a ready-to-attach log, never locals."""

from __future__ import annotations

import platform
import sys
import time
import traceback
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from synctool import __version__, folders


def write_report(exc: BaseException, argv: list[str]) -> Path:
    """Write versions and the traceback (no local variables) to the log dir."""
    folder = folders.logs()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path.cwd()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"crash-{stamp}.log"
    lines = [
        "synctool crash report",
        f"synctool: {__version__}",
        f"copier: {_version('copier')}",
        f"python: {sys.version.split()[0]} ({platform.platform()})",
        # Arguments can hold answers, and answers can hold secrets: only the command.
        f"command: synctool {' '.join(argv[:1])}",
        "",
        "".join(traceback.format_exception(exc)),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"
