"""A file the user saves while a sync runs (after the merge read it, before
the sync replaced it) is never overwritten: the sync stops, or rolls back."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctool.service.journal import steps
from synctool.sync import prepare
from tests.helpers import git, init_service, release, run_cli, snapshot

COPIER = "_subdirectory: template\n"
V1 = "".join(f"line {n}\n" for n in range(1, 11))
V2 = V1.replace("line 2\n", "line two\n")
MINE = V1.replace("line 9\n", "line nine, ours\n")
SAVED = MINE + "saved while the sync ran\n"


@pytest.fixture
def svc(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    files = {"copier.yml": COPIER, "template/notes.txt": V1, "template/b.txt": "b\n"}
    svc, bp = init_service(capsys, workdir, files)
    (svc / "notes.txt").write_text(MINE)
    git(svc, "commit", "-qam", "ours")
    later = {**files, "template/notes.txt": V2, "template/b.txt": "b2\n"}
    release(bp, "v1.1.0", later)
    return svc


def test_a_save_after_the_merge_read_stops_the_sync_before_writing(
    svc: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = prepare.prepare

    def prepare_then_save(*args: object, **kwargs: object) -> prepare.Prepared:
        prepared = real(*args, **kwargs)  # type: ignore[arg-type]
        (svc / "notes.txt").write_text(SAVED)  # the editor saves now
        return prepared

    monkeypatch.setattr(prepare, "prepare", prepare_then_save)
    result = run_cli(capsys, "update", "svc", "--allow-dirty")
    assert result.code == 2, result.out + result.err
    assert "notes.txt changed while the sync ran" in result.err
    assert (svc / "notes.txt").read_text() == SAVED  # the save is kept
    assert (svc / "b.txt").read_text() == "b\n"  # and nothing else written
    assert "ref: v1.0.0" in (svc / ".synctool.yml").read_text()
    assert not (svc / ".synctool-journal").exists()


def test_a_save_during_the_writes_rolls_the_sync_back(
    svc: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(svc)

    def save_on_manifest(step: str) -> None:
        if step == "manifest":  # staged: the writes come next
            (svc / "notes.txt").write_text(SAVED)

    monkeypatch.setattr(steps, "step_hook", save_on_manifest)
    result = run_cli(capsys, "update", "svc", "--allow-dirty")
    assert result.code == 2, result.out + result.err
    assert "rolled back" in result.err
    after = snapshot(svc)
    assert after["notes.txt"] == SAVED.encode()
    assert {p: d for p, d in after.items() if p != "notes.txt"} == {
        p: d for p, d in before.items() if p != "notes.txt"
    }
