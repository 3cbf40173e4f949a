"""JSON files: merged line by line, then parsed again, so a clean result is a
JSON document with each key once (parsers keep the last of a repeated key)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from synctool.merge.drivers import default_driver, merge_content, run_driver
from synctool.merge.types import Labels

LABELS = Labels("service (working tree)", "blueprint 1.0.0", "blueprint 1.1.0")
BASE = b'{\n  "name": "web",\n  "private": true\n}\n'


def test_json_files_get_the_json_driver() -> None:
    assert default_driver("package.json", b"{}\n") == "json"
    assert default_driver("deploy/values.schema.JSON", b"{}\n") == "json"
    assert default_driver("data.json", b"\0\0") == "binary"


def test_the_same_key_added_on_both_sides_is_a_conflict_not_a_duplicate() -> None:
    ours = BASE.replace(b'  "private"', b'  "version": "2.0.0",\n  "private"')
    theirs = BASE.replace(b"{\n", b'{\n  "version": "1.0.0",\n')
    got = merge_content("json", BASE, ours, theirs, LABELS)
    assert got.conflicts == 1
    assert "appears twice" in got.note
    text = got.data.decode()
    assert '"version": "2.0.0"' in text and '"version": "1.0.0"' in text
    assert "<<<<<<< service (working tree)" in text
    assert "||||||| blueprint 1.0.0" in text


def test_a_merge_that_loses_a_comma_is_a_conflict() -> None:
    base = b'{\n  "a": 1\n}\n'
    ours = b'{\n  "a": 1,\n  "b": 2\n}\n'
    theirs = b'{\n  "a": 1,\n  "c": 3\n}\n'
    got = merge_content("json", base, ours, theirs, LABELS)
    if got.conflicts == 0:
        json.loads(got.data)  # a clean result must parse
    else:
        assert got.data.count(b"<<<<<<<") == 1


def test_keys_added_apart_merge_cleanly_into_valid_json() -> None:
    base = b'{\n  "a": 1,\n  "m": 5,\n  "z": 9\n}\n'
    ours = b'{\n  "a": 1,\n  "b": 2,\n  "m": 5,\n  "z": 9\n}\n'
    theirs = b'{\n  "a": 1,\n  "m": 5,\n  "y": 8,\n  "z": 9\n}\n'
    got = merge_content("json", base, ours, theirs, LABELS)
    assert (got.conflicts, got.driver) == (0, "json")
    assert json.loads(got.data) == {"a": 1, "b": 2, "m": 5, "y": 8, "z": 9}


def test_a_file_that_was_never_json_is_not_the_merges_doing() -> None:
    base = b'{\n  // comment\n  "x": 0,\n  "y": 0,\n  "a": 1\n}\n'  # JSONC
    ours = base.replace(b'"a": 1', b'"a": 1,\n  "b": 2')
    theirs = base.replace(b"// comment", b"// a comment")
    got = merge_content("json", base, ours, theirs, LABELS)
    assert got.conflicts == 0
    assert b'"b": 2' in got.data and b"// a comment" in got.data


KEYS = st.sampled_from(["a", "b", "c", "d"])
DOCS = st.dictionaries(KEYS, st.integers(0, 3), max_size=4)


def _json(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2) + "\n").encode()


@given(DOCS, DOCS, DOCS)
def test_laws_and_every_clean_result_parses_with_unique_keys(
    b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]
) -> None:
    base, ours, theirs = _json(b), _json(o), _json(t)
    for bb, oo, tt, want in (
        (base, ours, ours, ours),
        (base, base, theirs, theirs),
        (base, ours, base, ours),
    ):
        for merge in (merge_content, run_driver):
            got = merge("json", bb, oo, tt, LABELS)
            assert (got.data, got.conflicts) == (want, 0)
    got = merge_content("json", base, ours, theirs, LABELS)
    if got.conflicts == 0:
        pairs: list[list[tuple[str, Any]]] = []
        json.loads(got.data, object_pairs_hook=lambda p: pairs.append(p) or dict(p))
        for found in pairs:
            keys = [k for k, _ in found]
            assert len(keys) == len(set(keys)), got.data
