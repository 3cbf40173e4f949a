"""An interrupted sync and the user's later edits; a failure or Ctrl-C mid-apply.

A sync killed half-way leaves a journal that the next `synctool sync` finishes
or `synctool sync --abort` rolls back. Whatever the user edited in between is
never overwritten: an edited file the journal would replace is kept beside
itself as ``<file>.local``. A write that fails mid-apply, or a Ctrl-C, rolls
the service back and says so; nothing is ever left half-applied silently.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from synctool.service.journal import steps
from tests.e2e.test_interrupt import run_killed
from tests.helpers import git, init_service, release, run_cli, snapshot

JOURNAL = ".synctool-journal"
COPIER = "name:\n  type: str\n  default: orders\n"
V1 = {"copier.yml": COPIER, "a.txt": "a1\n", "b.txt": "b1\n", "z/c.txt": "c1\n"}
V2 = {"copier.yml": COPIER, "a.txt": "a2\n", "b.txt": "b2\n", "z/c.txt": "c2\n"}


@pytest.fixture
def svc(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    svc, bp = init_service(capsys, workdir, V1)
    release(bp, "v1.1.0", V2)
    return svc


@pytest.fixture
def no_hook() -> Iterator[None]:
    yield
    steps.step_hook = None


def user_files(root: Path) -> dict[str, bytes]:
    return {
        rel: data
        for rel, data in snapshot(root).items()
        if not rel.startswith(JOURNAL + "/")
    }


def killed_after(svc: Path, step: str) -> None:
    """Run `synctool update` in a subprocess killed right after ``step``."""
    probe = svc.parent / "probe" / "svc"
    shutil.copytree(svc, probe, symlinks=True)
    log = svc.parent / "steps.log"
    run_killed(probe, "count", 0, log)
    steps = log.read_text().splitlines()
    assert step in steps, steps
    assert run_killed(svc, "kill", steps.index(step) + 1, svc.parent / "k.log") == 137
    assert (svc / JOURNAL / "manifest.json").is_file()


def test_sync_keeps_an_edit_made_after_the_interruption(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    killed_after(svc, "write a.txt")  # a.txt written, b.txt not yet
    (svc / "b.txt").write_text("b1 edited after the kill\n")
    (svc / "a.txt").write_text("a2 edited after the kill\n")
    result = run_cli(capsys, "sync", str(svc))
    assert result.code == 1, result.err
    assert (svc / "b.txt").read_text() == "b2\n"
    assert (svc / "b.txt.local").read_text() == "b1 edited after the kill\n"
    # a.txt was already written: finishing never touches it again.
    assert (svc / "a.txt").read_text() == "a2 edited after the kill\n"
    assert not (svc / "a.txt.local").exists()
    assert (svc / "z/c.txt").read_text() == "c2\n"
    assert "b.txt.local" in result.out + result.err
    assert not (svc / JOURNAL).exists()


def test_sync_keeps_a_file_created_where_the_journal_moved_one_away(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    killed_after(svc, "backup b.txt")  # b.txt is in the journal, its place empty
    assert not (svc / "b.txt").exists()
    (svc / "b.txt").write_text("mine\n")
    result = run_cli(capsys, "sync", str(svc))
    assert result.code == 1, result.err
    assert (svc / "b.txt").read_text() == "b2\n"
    assert (svc / "b.txt.local").read_text() == "mine\n"


def test_abort_keeps_an_edit_made_after_the_interruption(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    killed_after(svc, "write a.txt")
    (svc / "a.txt").write_text("a2 edited after the kill\n")
    (svc / "b.txt").write_text("b1 edited after the kill\n")
    result = run_cli(capsys, "sync", str(svc), "--abort")
    assert result.code == 1, result.err
    assert (svc / "a.txt").read_text() == "a1\n"  # rolled back...
    assert (svc / "a.txt.local").read_text() == "a2 edited after the kill\n"  # kept
    # b.txt was never touched by the sync: the edit stays where it is.
    assert (svc / "b.txt").read_text() == "b1 edited after the kill\n"
    assert not (svc / "b.txt.local").exists()
    assert (svc / "z/c.txt").read_text() == "c1\n"
    assert "a.txt.local" in result.out + result.err
    assert not (svc / JOURNAL).exists()


def test_abort_without_edits_restores_exactly(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    before = snapshot(svc)
    killed_after(svc, "write b.txt")
    result = run_cli(capsys, "sync", str(svc), "--abort")
    assert result.code == 0, result.err
    assert snapshot(svc) == before


def test_a_path_that_cannot_be_written_mid_apply_rolls_back(
    capsys: pytest.CaptureFixture[str], svc: Path, no_hook: None
) -> None:
    before = snapshot(svc)

    def hook(step: str) -> None:
        if step == "write a.txt":  # z/c.txt becomes a folder of the user's
            (svc / "z/c.txt").unlink()
            (svc / "z/c.txt").mkdir()
            (svc / "z/c.txt/mine").write_text("mine\n")

    steps.step_hook = hook
    result = run_cli(capsys, "update", str(svc))
    assert result.code == 2, result.err
    assert "z/c.txt" in result.err and "rolled back" in result.err
    assert len(result.err.strip().splitlines()) <= 2
    after = snapshot(svc)
    assert after["z/c.txt/mine"] == b"mine\n"
    del after["z/c.txt/mine"]
    assert after == {k: v for k, v in before.items() if k != "z/c.txt"}
    assert not (svc / JOURNAL).exists()


def test_a_failed_roll_back_leaves_a_journal_and_says_what_to_run(
    capsys: pytest.CaptureFixture[str], svc: Path, no_hook: None
) -> None:
    before = snapshot(svc)

    def hook(step: str) -> None:
        if step in ("write a.txt", "restore a.txt"):
            raise OSError(28, "No space left on device")

    steps.step_hook = hook
    result = run_cli(capsys, "update", str(svc))
    assert result.code == 2, result.err
    assert "a.txt" in result.err and "synctool sync --abort" in result.err
    assert (svc / JOURNAL / "manifest.json").is_file()
    steps.step_hook = None
    undone = run_cli(capsys, "sync", str(svc), "--abort")
    assert undone.code == 0, undone.err
    assert snapshot(svc) == before


def test_ctrl_c_mid_apply_rolls_back_and_says_so(
    capsys: pytest.CaptureFixture[str], svc: Path, no_hook: None
) -> None:
    before = snapshot(svc)

    def hook(step: str) -> None:
        if step == "write b.txt":
            raise KeyboardInterrupt

    steps.step_hook = hook
    result = run_cli(capsys, "update", str(svc))
    assert result.code == 130
    assert "rolled back" in result.err
    assert snapshot(svc) == before
    assert git(svc, "status", "--porcelain") == ""


def test_ctrl_c_during_the_roll_back_leaves_a_journal_and_says_so(
    capsys: pytest.CaptureFixture[str], svc: Path, no_hook: None
) -> None:
    before = snapshot(svc)

    def hook(step: str) -> None:
        if step in ("write b.txt", "restore b.txt"):
            raise KeyboardInterrupt

    steps.step_hook = hook
    result = run_cli(capsys, "update", str(svc))
    assert result.code == 130
    assert "synctool sync --abort" in result.err
    steps.step_hook = None
    undone = run_cli(capsys, "sync", str(svc), "--abort")
    assert undone.code == 0, undone.err
    assert snapshot(svc) == before


def test_a_damaged_file_replaced_by_a_folder_is_not_lost_on_resume(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    killed_after(svc, "write a.txt")
    (svc / "b.txt").unlink()
    (svc / "b.txt").mkdir()
    (svc / "b.txt/notes").write_text("notes\n")
    result = run_cli(capsys, "sync", str(svc))
    assert result.code == 2, result.err
    assert "b.txt" in result.err
    assert (svc / "b.txt/notes").read_text() == "notes\n"
    assert user_files(svc)["a.txt"] == b"a2\n"


def test_abort_keeps_an_edit_of_a_file_the_sync_created(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, bp = init_service(capsys, workdir, V1)
    release(bp, "v1.1.0", {**V2, "d.txt": "d2\n"})
    svc = workdir / "svc"
    before = snapshot(svc)
    killed_after(svc, "write d.txt")
    (svc / "d.txt").write_text("d2 and mine\n")
    result = run_cli(capsys, "sync", str(svc), "--abort")
    assert result.code == 1, result.err
    assert (svc / "d.txt.local").read_text() == "d2 and mine\n"
    after = snapshot(svc)
    del after["d.txt.local"]
    # the old lock, now recording the kept edit for `synctool check`
    lock = before.pop(".synctool.lock")
    assert (
        after.pop(".synctool.lock")
        == lock + b"conflicts:\n  d.txt.local: your-version\n"
    )
    assert after == before


def test_ctrl_c_while_rendering_says_nothing_was_written(
    capsys: pytest.CaptureFixture[str], svc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synctool.sync import renders

    before = snapshot(svc)

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(renders, "cached_render", interrupted)
    result = run_cli(capsys, "update", str(svc))
    assert result.code == 130
    assert "nothing was written" in result.err
    assert snapshot(svc) == before


@pytest.fixture
def svc_deleting(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    """A service whose next release deletes OLD.md (and changes a.txt)."""
    svc, bp = init_service(capsys, workdir, {**V1, "OLD.md": "old\n"})
    release(bp, "v1.1.0", V2)
    return svc


def _folder_of_notes(svc: Path) -> None:
    if (svc / "OLD.md").exists():
        (svc / "OLD.md").unlink()
    (svc / "OLD.md").mkdir()
    (svc / "OLD.md/notes.txt").write_text("precious notes\n")


@pytest.mark.parametrize("step", ["manifest", "delete OLD.md"])
def test_resume_never_deletes_a_folder_made_where_the_sync_deletes_a_file(
    capsys: pytest.CaptureFixture[str], svc_deleting: Path, step: str
) -> None:
    svc = svc_deleting
    killed_after(svc, step)
    _folder_of_notes(svc)
    result = run_cli(capsys, "sync", str(svc))
    assert (svc / "OLD.md/notes.txt").read_text() == "precious notes\n"
    assert result.code == 1, result.err
    assert "OLD.md" in result.out + result.err
    assert (svc / "a.txt").read_text() == "a2\n"
    assert not (svc / JOURNAL).exists()


def test_abort_never_deletes_a_folder_made_where_the_sync_deleted_a_file(
    capsys: pytest.CaptureFixture[str], svc_deleting: Path
) -> None:
    svc = svc_deleting
    killed_after(svc, "delete OLD.md")
    _folder_of_notes(svc)
    result = run_cli(capsys, "sync", str(svc), "--abort")
    assert result.code == 2, result.err
    assert "OLD.md" in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert (svc / "OLD.md/notes.txt").read_text() == "precious notes\n"
    assert (svc / JOURNAL / "manifest.json").is_file()


def test_resume_keeps_files_the_sync_wrote_into_a_folder_replacing_a_file(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, bp = init_service(capsys, workdir, {**V1, "d": "a file\n"})
    release(bp, "v1.1.0", {**V2, "d/inner.txt": "inner\n"})
    svc = workdir / "svc"
    killed_after(svc, "write d/inner.txt")
    result = run_cli(capsys, "sync", str(svc))
    assert result.code == 0, result.err
    assert (svc / "d/inner.txt").read_text() == "inner\n"
    assert (svc / "b.txt").read_text() == "b2\n"


def test_kept_edits_are_conflicts_for_check_and_json(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    import json

    killed_after(svc, "write a.txt")
    (svc / "b.txt").write_text("b1 edited after the kill\n")
    result = run_cli(capsys, "sync", str(svc), "--format", "json")
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    assert doc["conflicts"] == ["b.txt.local"]
    assert (svc / "b.txt.local").read_text() == "b1 edited after the kill\n"
    check = run_cli(capsys, "check", str(svc))
    assert check.code == 1, check.out + check.err
    assert "b.txt.local" in check.out + check.err
    (svc / "b.txt.local").unlink()
    assert run_cli(capsys, "check", str(svc)).code == 0


def test_abort_kept_edits_are_conflicts_for_check(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    killed_after(svc, "write a.txt")
    (svc / "a.txt").write_text("a2 edited after the kill\n")
    result = run_cli(capsys, "sync", str(svc), "--abort")
    assert result.code == 1, result.err
    assert (svc / "a.txt").read_text() == "a1\n"
    check = run_cli(capsys, "check", str(svc))
    assert check.code == 1, check.out + check.err
    assert "a.txt.local" in check.out + check.err


def test_a_failed_resume_names_the_files_it_kept(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    killed_after(svc, "write a.txt")
    (svc / "b.txt").write_text("b1 edited after the kill\n")
    (svc / "z/c.txt").unlink()
    (svc / "z/c.txt").mkdir()
    (svc / "z/c.txt/mine").write_text("mine\n")
    result = run_cli(capsys, "sync", str(svc))
    assert result.code == 2, result.err
    assert "z/c.txt" in result.err and "b.txt.local" in result.err
    assert (svc / "b.txt.local").read_text() == "b1 edited after the kill\n"
    assert (svc / "z/c.txt/mine").read_text() == "mine\n"


def test_an_uncommitted_file_named_like_synctool_state_deeper_down_is_dirty(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / "z/.synctool-notes.md").write_text("mine, not committed\n")
    before = snapshot(svc)
    result = run_cli(capsys, "update", str(svc))
    assert result.code == 2, result.err
    assert "z/.synctool-notes.md" in result.err
    assert snapshot(svc) == before
