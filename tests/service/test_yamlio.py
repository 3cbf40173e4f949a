"""synctool.service.yamlio: synctool's YAML files read, a problem named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctool.errors import BlueprintError, InputError
from synctool.service.yamlio import (
    error_at,
    line_of,
    load_fast,
    load_roundtrip,
    read_text,
)


def test_error_at_names_the_file_and_the_line_when_known() -> None:
    assert error_at("a.yml", 3, "bad").message == "a.yml:3: bad."
    assert error_at("a.yml", None, "bad").message == "a.yml: bad."
    assert error_at("a.yml", 0, "bad").message == "a.yml: bad."
    error = error_at("a.yml", 1, "bad", "fix it", kind=BlueprintError)
    assert type(error) is BlueprintError
    assert error.hint == "fix it"


def test_read_text_says_which_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_text(tmp_path / ".synctool.yml")
    assert caught.value.message == f".synctool.yml not found in {tmp_path}."
    assert (
        caught.value.hint
        == "Restore it from git history (`git checkout HEAD -- .synctool.yml`)."
    )


def test_read_text_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / ".synctool.yml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert caught.value.message == ".synctool.yml: not UTF-8 text (byte 9)."
    assert caught.value.hint == "Save it as UTF-8, or restore it from git history."


def test_load_roundtrip_keeps_comments_and_gives_lines(tmp_path: Path) -> None:
    path = tmp_path / ".synctool.yml"
    path.write_text("# ours\nblueprint: ../bp\nref: v1.0.0\n")
    doc = load_roundtrip(path)
    assert doc == {"blueprint": "../bp", "ref": "v1.0.0"}
    assert line_of(doc, "ref") == ":3"
    assert line_of(doc, "missing") == ""
    assert line_of({"ref": 1}, "ref") == ""  # a plain dict has no lines


def test_load_roundtrip_names_the_line_of_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / ".synctool.yml"
    path.write_text("blueprint: ../bp\nanswers:\n  a: 1\n   b: 2\n")
    with pytest.raises(InputError) as caught:
        load_roundtrip(path)
    assert caught.value.message == (
        ".synctool.yml:4: malformed YAML: mapping values are not allowed here."
    )
    assert caught.value.hint == "Fix the file and run the command again."


def test_load_roundtrip_refuses_an_alias_bomb(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    path = tmp_path / ".synctool.yml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        load_roundtrip(path)
    assert caught.value.message == (
        ".synctool.yml:6: aliases expand to more than 200000 values (an alias "
        "bomb?); synctool does not expand them."
    )
    assert caught.value.hint == "Write the values out instead of through aliases."


def test_load_fast_says_the_lock_is_synctools_to_write(tmp_path: Path) -> None:
    path = tmp_path / ".synctool.lock"
    path.write_text("version: 1\nfiles: [\n")
    with pytest.raises(InputError) as caught:
        load_fast(path)
    assert caught.value.message == (
        ".synctool.lock:3: malformed YAML: did not find expected node content."
    )
    assert caught.value.hint == (
        "synctool writes this file; restore it from git history."
    )
