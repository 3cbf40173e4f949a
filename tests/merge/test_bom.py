"""A UTF-8 byte-order mark is not content: the same edits merge the same
with it or without it, and the mark itself merges as one value."""

from __future__ import annotations

import pytest

from synctool.merge.drivers import merge_content
from synctool.merge.types import Labels
from synctool.tree import Driver

BOM = b"\xef\xbb\xbf"
LABELS = Labels()
CASES: dict[Driver, tuple[bytes, bytes, bytes]] = {
    # Edits on neighbouring lines: only the structure merges them cleanly,
    # so a mark that stops the parser shows as a conflict.
    "yaml": (
        b"a: 1\nb: 2\nc: 3\n",
        b"a: 10\nb: 2\nc: 3\n",
        b"a: 1\nb: 20\nc: 3\n",
    ),
    "toml": (
        b"a = 1\nb = 2\nc = 3\n",
        b"a = 10\nb = 2\nc = 3\n",
        b"a = 1\nb = 20\nc = 3\n",
    ),
    "json": (
        b'{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n',
        b'{\n  "a": 10,\n  "b": 2,\n  "c": 3\n}\n',
        b'{\n  "a": 1,\n  "b": 2,\n  "c": 30\n}\n',
    ),
}


@pytest.mark.parametrize("driver", list(CASES))
def test_edits_merge_alike_with_and_without_a_bom(driver: Driver) -> None:
    base, ours, theirs = CASES[driver]
    plain = merge_content(driver, base, ours, theirs, LABELS)
    marked = merge_content(driver, BOM + base, BOM + ours, BOM + theirs, LABELS)
    assert plain.conflicts == 0, plain
    assert (marked.data, marked.conflicts) == (BOM + plain.data, 0)


def test_the_mark_merges_as_one_value() -> None:
    base, ours, theirs = CASES["yaml"]
    # The blueprint dropped its mark, the team did not touch it: dropped.
    got = merge_content("yaml", BOM + base, BOM + ours, theirs, LABELS)
    assert not got.data.startswith(BOM) and got.conflicts == 0
    # The team added one: kept.
    got = merge_content("yaml", base, BOM + ours, theirs, LABELS)
    assert got.data.startswith(BOM) and got.conflicts == 0
    # Only the blueprint changed: taken exactly, mark and all.
    assert merge_content("yaml", base, base, BOM + theirs, LABELS).data == BOM + theirs
