"""synctool.service.journal.record: the journal's manifest, checked when read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synctool.errors import InputError
from synctool.service.journal.record import (
    Op,
    close,
    pending,
    read_ops,
    rolling_back,
    write_manifest,
)

JOURNAL = ".synctool-journal"
HINT = "Restore the service from git (see `git status`), then delete .synctool-journal."


def _manifest(root: Path, text: str) -> None:
    (root / JOURNAL).mkdir(exist_ok=True)
    (root / JOURNAL / "manifest.json").write_text(text)


def test_a_written_manifest_makes_the_journal_pending_and_reads_back(
    tmp_path: Path,
) -> None:
    (tmp_path / JOURNAL).mkdir()
    assert not pending(tmp_path)
    write_manifest(
        tmp_path,
        [
            {"n": 0, "path": "a.txt", "delete": False, "existed": True,
             "before": "644:x", "after": "644:y"},
            {"n": 1, "path": "b.txt", "delete": True},  # an older synctool's op
        ],
    )  # fmt: skip
    assert pending(tmp_path)
    assert not (tmp_path / JOURNAL / "manifest.json.tmp").exists()
    assert read_ops(tmp_path) == [
        Op("0", "a.txt", False, True, "644:x", "644:y", True),
        Op("1", "b.txt", True, None, None, None, False),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ('{"ops": {}}', "ops is not a list"),
        ('{"other": []}', "'ops'"),
        ('{"ops": [1]}', "an op is int, not a mapping"),
        ('{"ops": [{"n": true, "path": "a", "delete": false}]}',
         "an op has fields of the wrong type: {'n': True, 'path': 'a', 'delete': False}"),
        ('{"ops": [{"n": 0, "path": "../x", "delete": false}]}',
         "the blueprint renders a path outside the service: '../x'"),
    ],
)  # fmt: skip
def test_a_damaged_manifest_is_refused_saying_why(
    tmp_path: Path, text: str, why: str
) -> None:
    _manifest(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_ops(tmp_path)
    assert caught.value.message == (
        f".synctool-journal/manifest.json is damaged ({why}): synctool cannot "
        "tell which files the interrupted sync changed."
    )
    assert caught.value.hint == HINT


def test_a_manifest_path_through_a_symlink_out_is_refused(tmp_path: Path) -> None:
    svc, outside = tmp_path / "svc", tmp_path / "outside"
    svc.mkdir()
    outside.mkdir()
    (svc / "conf").symlink_to(outside)
    _manifest(svc, json.dumps({"ops": [{"n": 0, "path": "conf/x", "delete": True}]}))
    with pytest.raises(InputError) as caught:
        read_ops(svc)
    assert caught.value.message == (
        "conf/x would be written through a symlink that leaves the service "
        f"or enters its .git ({outside})."
    )


def test_close_removes_the_journal_and_the_marks(tmp_path: Path) -> None:
    _manifest(tmp_path, '{"ops": []}')
    (tmp_path / JOURNAL / "rolling-back").write_text("")
    assert rolling_back(tmp_path)
    close(tmp_path)
    assert not (tmp_path / JOURNAL).exists()
    assert not pending(tmp_path) and not rolling_back(tmp_path)
