"""A reader that goes away (`synctool diff | head`): exit 141, as a shell
reports a command SIGPIPE killed, never 1 (a conflict, a finding) and never a
traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from synctool.errors import EXIT_PIPE
from tests.helpers import init_service, release

# More than a pipe holds (64 KiB on Linux), so the writer meets the closed end.
_BIG = "".join(f"line {i} of a file the next release rewrites\n" for i in range(8000))


def _blueprint(files: dict[str, str]) -> dict[str, str]:
    """A template of ``files``, all of them owned by the blueprint."""
    policy = "ownership:\n  managed:\n    - '**'\n"
    tree = {f"template/{path}": text for path, text in files.items()}
    return {"copier.yml": "_subdirectory: template\n", "synctool.yml": policy, **tree}


def _first_bytes_then_close(args: list[str], cwd: Path) -> tuple[int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "synctool", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(200)  # like `head -c 200`: read a little, go away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("color", [[], ["--no-color"]])
def test_diff_into_a_closed_pipe_is_exit_141_and_says_nothing(
    capsys: pytest.CaptureFixture[str], workdir: Path, color: list[str]
) -> None:
    svc, bp = init_service(capsys, workdir, _blueprint({"notes.txt": "short\n"}))
    release(bp, "v2.0.0", _blueprint({"notes.txt": _BIG}))

    assert _first_bytes_then_close(["diff", *color], svc) == (EXIT_PIPE, "")


def test_check_into_a_closed_pipe_is_exit_141_and_says_nothing(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    # A finding for each file the blueprint owns that went missing: a long report.
    files = {f"conf/file{i:04}.txt": "x\n" for i in range(3000)}
    svc, _ = init_service(capsys, workdir, _blueprint(files))
    for path in (svc / "conf").iterdir():
        path.unlink()

    assert _first_bytes_then_close(["check"], svc) == (EXIT_PIPE, "")
