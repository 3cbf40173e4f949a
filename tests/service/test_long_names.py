"""A legal 240-byte file name: init, sync and check --fix write it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git, make_blueprint, run_cli

COPIER = "_subdirectory: template\n"
LONG = "n" * 236 + ".txt"  # 240 bytes: legal on every common file system


def test_long_file_names_are_written_by_init_update_and_fix(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    policy = "ownership:\n  managed: ['*.txt']\n"
    files = {"copier.yml": COPIER, "synctool.yml": policy, f"template/{LONG}": "one\n"}
    bp = make_blueprint(workdir / "bp", {"v1.0.0": files})
    made = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert made.code == 0, made.err
    svc = workdir / "svc"
    assert (svc / LONG).read_text() == "one\n"

    make_blueprint(bp, {"v1.1.0": {**files, f"template/{LONG}": "two\n"}})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.err
    assert (svc / LONG).read_text() == "two\n"
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "1.1.0")

    (svc / LONG).write_text("edited\n")
    fixed = run_cli(capsys, "check", "svc", "--fix")
    assert fixed.code == 0, fixed.out + fixed.err
    assert (svc / LONG).read_text() == "two\n"
