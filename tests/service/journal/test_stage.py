"""synctool.service.journal.stage: every new content staged, nothing in the service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synctool.errors import InputError
from synctool.service.journal.stage import (
    check_free,
    check_layout,
    discard_stage,
    stage,
)
from synctool.tree import FileEntry
from tests.helpers import snapshot, write_tree

JOURNAL = ".synctool-journal"


def test_stage_writes_only_the_journal_in_the_order_it_applies(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"old/deep/x.txt": "x", "old/a.txt": "y", "b.txt": "b1"})
    before = snapshot(tmp_path)
    changes = {
        ".synctool.lock": FileEntry(b"lock"),
        "b.txt": FileEntry(b"b2"),
        "old/a.txt": None,
        ".synctool.yml": FileEntry(b"decl"),
        "a.txt": FileEntry(b"a", 0o755),
        "old/deep/x.txt": None,
    }
    stage(tmp_path, changes)
    after = snapshot(tmp_path)
    journal = {k: v for k, v in after.items() if k.startswith(JOURNAL + "/")}
    assert {k: v for k, v in after.items() if k not in journal} == before
    ops = json.loads((tmp_path / JOURNAL / "manifest.json").read_text())["ops"]
    # deletes first, deepest first; then writes; synctool's own files last
    assert [op["path"] for op in ops] == [
        "old/deep/x.txt",
        "old/a.txt",
        "a.txt",
        "b.txt",
        ".synctool.lock",
        ".synctool.yml",
    ]
    assert [op["delete"] for op in ops] == [True, True, False, False, False, False]
    assert [op["existed"] for op in ops] == [True, True, False, True, False, False]
    assert ops[2]["before"] is None
    assert ops[2]["after"].startswith("755:")
    assert ops[0]["after"] is None
    # each write's content is staged under its number; a delete stages nothing
    assert sorted(journal) == [
        f"{JOURNAL}/manifest.json",
        *(f"{JOURNAL}/new/{n}" for n in range(2, 6)),
    ]
    assert (tmp_path / JOURNAL / "new" / "3").read_bytes() == b"b2"


def test_check_free_refuses_a_journal_name_taken_by_a_users_file(
    tmp_path: Path,
) -> None:
    (tmp_path / JOURNAL).write_text("mine")
    with pytest.raises(InputError) as caught:
        check_free(tmp_path)
    assert caught.value.message == (
        ".synctool-journal in the service is not synctool's: synctool keeps an "
        "interrupted sync's files in a folder of that name."
    )
    assert caught.value.hint == (
        "Rename or remove your .synctool-journal and run again; nothing was written."
    )


def test_check_free_refuses_a_symlinked_journal(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / JOURNAL).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="is not synctool's"):
        check_free(tmp_path)


def test_discard_stage_removes_a_stage_without_manifest_only(tmp_path: Path) -> None:
    assert discard_stage(tmp_path) is False
    (tmp_path / JOURNAL / "new").mkdir(parents=True)
    (tmp_path / JOURNAL / "new" / "0").write_text("x")
    assert discard_stage(tmp_path) is True
    assert not (tmp_path / JOURNAL).exists()
    stage(tmp_path, {"a.txt": FileEntry(b"a")})  # a pending journal: kept
    assert discard_stage(tmp_path) is False
    assert (tmp_path / JOURNAL / "manifest.json").is_file()


def test_check_layout_refuses_a_file_under_a_file_that_stays(tmp_path: Path) -> None:
    write_tree(tmp_path, {"config": "a file"})
    with pytest.raises(InputError) as caught:
        check_layout(tmp_path, {"config/app.yml": FileEntry(b"x")})
    assert caught.value.message == (
        "the blueprint puts config/app.yml inside config, which is a file here."
    )
    assert caught.value.hint == (
        "Move or remove config, commit, and sync again; nothing was written."
    )
    # the same write is fine when the sync deletes the file in its way
    check_layout(tmp_path, {"config/app.yml": FileEntry(b"x"), "config": None})


def test_check_layout_refuses_a_folder_of_the_users_files_becoming_a_file(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"docs/a.md": "a", "docs/b.md": "b"})
    with pytest.raises(InputError) as caught:
        check_layout(tmp_path, {"docs": FileEntry(b"now a file"), "docs/a.md": None})
    assert caught.value.message == (
        "the blueprint turns the folder docs into a file, but it holds "
        "your files (docs/b.md)."
    )
    assert (
        caught.value.hint == "Move them, commit, and sync again; nothing was written."
    )
    # deleted by the same sync, the folder may become a file
    check_layout(
        tmp_path,
        {"docs": FileEntry(b"now a file"), "docs/a.md": None, "docs/b.md": None},
    )
