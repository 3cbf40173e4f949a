"""synctool.service.journal.transaction: a sync's changes all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctool.service.journal import steps
from synctool.service.journal.outcome import ApplyFailed, SyncInterrupted
from synctool.service.journal.transaction import apply
from synctool.tree import FileEntry
from tests.helpers import snapshot, write_tree

JOURNAL = ".synctool-journal"


@pytest.fixture
def svc(tmp_path: Path) -> Path:
    write_tree(tmp_path, {"a.txt": "a1\n", "b.txt": "b1\n", "gone/c.txt": "c1\n"})
    return tmp_path


CHANGES = {
    "a.txt": FileEntry(b"a2\n"),
    "b.txt": FileEntry(b"b2\n"),
    "gone/c.txt": None,
    "new/d.sh": FileEntry(b"#!/bin/sh\n", 0o755),
}


def test_apply_writes_every_change_and_leaves_no_journal(svc: Path) -> None:
    apply(svc, CHANGES)
    assert snapshot(svc) == {
        "a.txt": b"a2\n",
        "b.txt": b"b2\n",
        "new/d.sh": b"#!/bin/sh\n",
    }
    assert not (svc / "gone").exists()  # the folder a delete emptied is pruned
    assert (svc / "new" / "d.sh").stat().st_mode & 0o777 == 0o755
    assert not (svc / JOURNAL).exists()


def test_a_failed_write_rolls_every_file_back(
    svc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(svc)

    def fail_on_b(name: str) -> None:
        if name == "write b.txt":
            raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(steps, "step_hook", fail_on_b)
    with pytest.raises(ApplyFailed) as caught:
        apply(svc, CHANGES)
    assert caught.value.message == (
        "could not write b.txt (Permission denied): the sync was rolled back, "
        "every file is as it was."
    )
    assert caught.value.hint == (
        "Fix b.txt (permissions, a folder in its place) and run again."
    )
    assert snapshot(svc) == before
    assert not (svc / "new").exists()


def test_ctrl_c_while_staging_writes_nothing(
    svc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(svc)

    def interrupt(name: str) -> None:
        if name.startswith("stage "):
            raise KeyboardInterrupt

    monkeypatch.setattr(steps, "step_hook", interrupt)
    with pytest.raises(SyncInterrupted) as caught:
        apply(svc, CHANGES)
    assert caught.value.message == "interrupted: nothing was written."
    assert snapshot(svc) == before
    assert not (svc / JOURNAL).exists()


def test_ctrl_c_mid_write_rolls_back_and_says_so(
    svc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(svc)

    def interrupt(name: str) -> None:
        if name == "write b.txt":
            raise KeyboardInterrupt

    monkeypatch.setattr(steps, "step_hook", interrupt)
    with pytest.raises(SyncInterrupted) as caught:
        apply(svc, CHANGES)
    assert caught.value.message == (
        "interrupted: the sync was rolled back, every file is as it was."
    )
    assert snapshot(svc) == before


def test_a_file_saved_after_the_merge_read_it_is_never_overwritten(
    svc: Path,
) -> None:
    (svc / "a.txt").write_text("saved in the editor\n")
    before = snapshot(svc)
    with pytest.raises(ApplyFailed) as caught:
        apply(svc, CHANGES, read={"a.txt": FileEntry(b"a1\n")})
    assert caught.value.message == (
        "a.txt changed while the sync ran (saved after the merge read it); "
        "nothing was written."
    )
    assert caught.value.hint == "Run the sync again: it merges the file as it is now."
    assert snapshot(svc) == before


def test_a_pending_journal_is_never_discarded(svc: Path) -> None:
    (svc / JOURNAL).mkdir()
    (svc / JOURNAL / "manifest.json").write_text('{"ops": []}')
    with pytest.raises(RuntimeError, match="pending journal"):
        apply(svc, CHANGES)
    assert (svc / JOURNAL / "manifest.json").is_file()


def test_a_stage_left_by_a_kill_is_discarded_first(svc: Path) -> None:
    (svc / JOURNAL / "new").mkdir(parents=True)
    (svc / JOURNAL / "new" / "0").write_text("stale")
    apply(svc, {"a.txt": FileEntry(b"a3\n")})
    assert (svc / "a.txt").read_bytes() == b"a3\n"
    assert not (svc / JOURNAL).exists()
