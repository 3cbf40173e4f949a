"""A sync killed while staging leaves `.synctool-journal/` with files that
never reached the service: check reports it, sync and --abort remove it and
say so truthfully."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import init_service, run_cli

COPIER = "_subdirectory: template\n"


@pytest.fixture
def svc(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    svc, _bp = init_service(
        capsys, workdir, {"copier.yml": COPIER, "template/a.txt": "a\n"}
    )
    staged = svc / ".synctool-journal" / "new"
    staged.mkdir(parents=True)
    (staged / "0").write_text("a file the killed sync staged\n")
    (svc / ".synctool-journal" / "old").mkdir()
    return svc


def test_check_reports_the_leftover_stage(
    svc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "check", "svc", "--format", "json")
    assert result.code == 1, result.out
    (finding,) = json.loads(result.out)["findings"]
    assert finding["rule"] == "sync-interrupted"
    assert "killed while staging" in finding["message"]


@pytest.mark.parametrize("command", [("sync",), ("sync", "--abort")])
def test_sync_and_abort_remove_it_and_say_so(
    svc: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    result = run_cli(capsys, *command, "svc")
    assert result.code == 0, result.err
    out = result.out + result.err
    assert "killed while it was staging" in out, out
    assert "there is no interrupted sync" not in out
    assert not (svc / ".synctool-journal").exists()
    assert run_cli(capsys, "check", "svc").code == 0


def test_abort_with_nothing_left_still_says_so(
    svc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "sync", "svc", "--abort").code == 0
    again = run_cli(capsys, "sync", "svc", "--abort")
    assert again.code == 2
    assert "there is no interrupted sync to abort" in again.err
