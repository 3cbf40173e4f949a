"""The command line as a user meets it: versions, exit codes, errors, crashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from synctool import __version__
from tests.helpers import run_cli


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "--version")
    assert result.code == 0
    assert result.out.strip() == f"synctool {__version__}"


def test_python_dash_m_and_console_script() -> None:
    for cmd in (
        [sys.executable, "-m", "synctool", "--version"],
        ["synctool", "--version"],
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"synctool {__version__}"


def test_fleet_without_repositories_exits_2(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    for args in (["fleet", "update"], ["fleet", "check"]):
        result = run_cli(capsys, *args)
        assert result.code == 2
        assert "no repositories given" in result.err


def test_check_entry_point_bypasses_typer(workdir: Path) -> None:
    """The hook path: same result, without loading typer (or copier)."""
    code = (
        "import sys, runpy; sys.argv = ['synctool', 'check', 'nowhere'];\n"
        "try:\n    runpy.run_module('synctool', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print(code, 'typer' in sys.modules, 'copier' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
    )
    assert proc.stdout.split() == ["2", "False", "False"], proc.stderr
    assert "nowhere does not exist" in proc.stderr


@pytest.mark.parametrize("args", [["sync"], ["update"], ["diff"], ["check"]])
def test_sync_commands_outside_a_service(
    capsys: pytest.CaptureFixture[str], workdir: Path, args: list[str]
) -> None:
    result = run_cli(capsys, *args)
    assert result.code == 2
    assert "is not a synctool service (no .synctool.yml)" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "init", "x", "--no-such-flag")
    assert result.code == 2
    assert "No such option" in result.err


def test_help_is_written_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "init", "--help")
    assert result.code == 0
    for flag in (
        "--blueprint",
        "--ref",
        "--data",
        "--data-file",
        "--defaults",
        "--trust",
        "--git",
        "--force",
    ):
        assert flag in result.out


def test_crash_writes_a_report_without_locals(
    capsys: pytest.CaptureFixture[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synctool.commands.init as init_cmd

    def boom(opts: object) -> int:
        secret_answer = "hunter2"  # noqa: F841 - must not appear in the report
        raise RuntimeError("kaboom")

    monkeypatch.setattr(init_cmd, "run", boom)
    result = run_cli(capsys, "init", "svc", "-d", "password=hunter2")
    assert result.code == 3
    assert "internal error: RuntimeError: kaboom" in result.err
    log = Path(result.err.split("was written to ")[1].split(";")[0].strip())
    text = log.read_text()
    assert "synctool: " in text and "copier: " in text and "python: " in text
    assert "RuntimeError: kaboom" in text
    assert "hunter2" not in text


def test_ctrl_c_exits_130(
    capsys: pytest.CaptureFixture[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synctool.commands.init as init_cmd

    def interrupted(opts: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(init_cmd, "run", interrupted)
    assert run_cli(capsys, "init", "svc").code == 130


def test_no_color_env(workdir: Path) -> None:
    proc = subprocess.run(
        ["synctool", "init", "svc", "--blueprint", "missing"],
        capture_output=True,
        text=True,
        check=False,
        env={
            "NO_COLOR": "1",
            "PATH": __import__("os").environ["PATH"],
            "TERM": "xterm",
            "FORCE_COLOR": "1",
        },
        cwd=workdir,
    )
    assert proc.returncode == 2
    assert "\x1b[" not in proc.stderr
    assert proc.stderr.startswith("error: blueprint source not found: missing.")
