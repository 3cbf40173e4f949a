"""What a user trusts a content driver with (issue #10).

A structured file (YAML, TOML) never comes out of a merge broken while
reported clean; a driver's own bug is a crash, not a quiet fallback; and a
file's line endings are the user's, line by line.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from synctool.merge import build_plan, drivers, toml
from synctool.merge.drivers import merge_content
from synctool.merge.text import merge_text
from synctool.merge.toml import merger as toml_merger
from synctool.merge.types import ContentMerge, Labels
from synctool.tree import FileEntry
from tests.merge.helpers import LABELS

# 1. The merged file is parsed again: broken structure is a conflict.

SERVICE = b"service:\n  name: api\n  port: 80\n  replicas: 2\n  image: api:1\n"


def _lines_only(
    base: bytes, ours: bytes, theirs: bytes, labels: Labels, keys: object
) -> ContentMerge:
    """A YAML driver that falls back to the line merge, as any driver may."""
    return merge_text(base, ours, theirs, labels)


def test_a_clean_line_merge_that_repeats_a_yaml_key_is_a_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = SERVICE.replace(b"name: api\n", b"name: api\n  timeout: 10\n")
    theirs = SERVICE + b"  timeout: 30\n"
    # Lines alone merge cleanly here, but say `timeout` twice.
    assert merge_text(SERVICE, ours, theirs, LABELS).conflicts == 0
    monkeypatch.setitem(drivers._DRIVERS, "yaml", _lines_only)
    got = merge_content("yaml", SERVICE, ours, theirs, LABELS)
    assert got == ContentMerge(
        b"service:\n"
        b"  name: api\n"
        b"<<<<<<< ours\n"
        b"  timeout: 10\n"
        b"  port: 80\n"
        b"  replicas: 2\n"
        b"  image: api:1\n"
        b"||||||| base\n"
        b"  port: 80\n"
        b"  replicas: 2\n"
        b"  image: api:1\n"
        b"=======\n"
        b"  port: 80\n"
        b"  replicas: 2\n"
        b"  image: api:1\n"
        b"  timeout: 30\n"
        b">>>>>>> theirs\n",
        1,
        "text",
        got.note,
    )
    assert "duplicate key" in got.note and '"timeout"' in got.note
    assert "at line 7" in got.note  # where the clean-looking merge went wrong


def test_the_yaml_driver_never_calls_a_repeated_key_clean() -> None:
    ours = SERVICE.replace(b"name: api\n", b"name: api\n  timeout: 10\n")
    theirs = SERVICE + b"  timeout: 30\n"
    got = merge_content("yaml", SERVICE, ours, theirs, LABELS)
    assert got.conflicts >= 1
    assert b"timeout: 10" in got.data and b"timeout: 30" in got.data


ANCHORED = b"defaults: &base\n  a: 1\nx: 1\nsvc1:\n  <<: *base\ny: 2\nz: 3\n"


@pytest.mark.parametrize("line_merge_only", [True, False])
def test_an_alias_left_dangling_by_the_line_merge_is_a_conflict(
    monkeypatch: pytest.MonkeyPatch, line_merge_only: bool
) -> None:
    ours = ANCHORED.replace(b"base", b"common")  # anchor renamed, alias too
    theirs = ANCHORED + b"svc2:\n  <<: *base\n"  # a new alias, old name
    assert merge_text(ANCHORED, ours, theirs, LABELS).conflicts == 0
    if line_merge_only:
        monkeypatch.setitem(drivers._DRIVERS, "yaml", _lines_only)
    got = merge_content("yaml", ANCHORED, ours, theirs, LABELS)
    assert got.conflicts == 1
    assert b"<<<<<<< ours\n" in got.data and b">>>>>>> theirs\n" in got.data
    if line_merge_only:  # the YAML driver may say so in its own words
        assert "undefined alias 'base'" in got.note


PYPROJECT = b'[project]\nname = "svc"\nversion = "1"\n\n[tool.ruff]\nline-length = 88\n'


def test_a_toml_table_both_sides_added_in_different_places_is_a_conflict() -> None:
    ours = PYPROJECT.replace(
        b"\n[tool.ruff]", b"\n[tool.mypy]\nstrict = true\n\n[tool.ruff]"
    )
    theirs = PYPROJECT + b"\n[tool.mypy]\nstrict = false\n"
    got = merge_content("toml", PYPROJECT, ours, theirs, LABELS)
    assert got.conflicts == 1
    assert got.data.count(b"<<<<<<< ours\n") == 1
    assert got.data.count(b">>>>>>> theirs\n") == 1
    assert "does not parse" in got.note and "mypy" in got.note
    # Both versions are there to choose from, and nothing else changed.
    assert got.data.startswith(b'[project]\nname = "svc"\nversion = "1"\n\n')
    assert b"strict = true\n" in got.data and b"strict = false\n" in got.data


def test_a_file_that_was_never_valid_is_not_blamed_on_the_merge() -> None:
    # A Helm-style template is not YAML on any side: the line merge stands.
    base = b"kind: Deployment\n{{- if .Values.debug }}\n  debug: true\n{{- end }}\nname: a\n"
    ours = base.replace(b"kind: Deployment", b"kind: Deployment  # mine")
    theirs = base.replace(b"name: a", b"name: b")
    got = merge_content("yaml", base, ours, theirs, LABELS)
    assert (got.data, got.conflicts) == (
        base.replace(b"kind: Deployment", b"kind: Deployment  # mine").replace(
            b"name: a", b"name: b"
        ),
        0,
    )


def test_every_clean_structured_merge_parses() -> None:
    base = b"a: 1\nb:\n  c: 2\n"
    got = merge_content(
        "yaml", base, base.replace(b"a: 1", b"a: 2"), base + b"d: 3\n", LABELS
    )
    assert got == ContentMerge(b"a: 2\nb:\n  c: 2\nd: 3\n", 0, "yaml")
    assert YAML(typ="safe").load(got.data) == {"a": 2, "b": {"c": 2}, "d": 3}


# 2. TOML merges structurally with the installed tomlkit, and a bug is a crash.


def test_new_keys_on_both_sides_of_a_toml_table_merge_structurally() -> None:
    ours = PYPROJECT.replace(b'version = "1"\n', b'version = "1"\nlicense = "MIT"\n')
    theirs = PYPROJECT.replace(
        b'version = "1"\n', b'version = "1"\nreadme = "README.md"\n'
    )
    got = merge_content("toml", PYPROJECT, ours, theirs, LABELS)
    assert (got.conflicts, got.driver, got.note) == (0, "toml", "")
    assert tomllib.loads(got.data.decode())["project"] == {
        "name": "svc",
        "version": "1",
        "license": "MIT",
        "readme": "README.md",
    }
    assert got.data.endswith(b"\n\n[tool.ruff]\nline-length = 88\n")


def test_a_bug_in_the_toml_driver_is_not_hidden_by_the_text_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> object:
        raise AttributeError("'TOMLDocument' object has no attribute '_insert_after'")

    monkeypatch.setattr(toml_merger.Merger, "table", broken)
    ours = PYPROJECT.replace(b'"1"', b'"2"')
    theirs = PYPROJECT.replace(b"88", b"100")
    with pytest.raises(AttributeError, match="_insert_after"):
        merge_content("toml", PYPROJECT, ours, theirs, LABELS)


def test_what_the_structure_cannot_decide_still_falls_back_with_a_reason() -> None:
    ours = PYPROJECT.replace(b'"1"', b'"2"')
    theirs = PYPROJECT.replace(b'"1"', b'"3"')
    got = merge_content("toml", PYPROJECT, ours, theirs, LABELS)
    assert (got.conflicts, got.driver) == (1, "text")
    assert got.note == "toml: merged as text (project.version changed on both sides)"


def test_the_toml_driver_uses_only_tomlkits_public_api() -> None:
    package = Path(toml.__file__).parent
    trees = [ast.parse(path.read_text()) for path in sorted(package.glob("*.py"))]
    private = [
        node.attr
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and node.attr != "_replace"  # a NamedTuple's, not tomlkit's
    ]
    assert private == []
    modules = {
        node.module
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("tomlkit")
    }
    assert modules <= {"tomlkit", "tomlkit.items", "tomlkit.exceptions"}


# 4. Line endings are the user's.

BASE = b"one\ntwo\nthree\nfour\nfive\n"


@pytest.mark.parametrize(
    ("driver", "base", "ours", "theirs", "want"),
    [
        (
            "text",
            BASE,
            BASE.replace(b"two", b"TWO").replace(b"\n", b"\r\n"),
            BASE.replace(b"four", b"FOUR"),
            b"one\r\nTWO\r\nthree\r\nFOUR\r\nfive\r\n",
        ),
        (
            "yaml",
            b"a: 1\nb: 2\nc: 3\nd: 4\n",
            b"a: 1\r\nb: 20\r\nc: 3\r\nd: 4\r\n",
            b"a: 1\nb: 2\nc: 3\nd: 40\ne: 5\n",
            b"a: 1\r\nb: 20\r\nc: 3\r\nd: 40\r\ne: 5\r\n",
        ),
        (
            "toml",
            PYPROJECT,
            PYPROJECT.replace(b'"1"', b'"2"').replace(b"\n", b"\r\n"),
            PYPROJECT.replace(b"88", b"100"),
            PYPROJECT.replace(b'"1"', b'"2"')
            .replace(b"88", b"100")
            .replace(b"\n", b"\r\n"),
        ),
    ],
)
def test_an_editor_that_switched_ours_to_crlf_merges_as_if_endings_were_equal(
    driver: str, base: bytes, ours: bytes, theirs: bytes, want: bytes
) -> None:
    got = merge_content(driver, base, ours, theirs, LABELS)  # type: ignore[arg-type]
    assert (got.data, got.conflicts) == (want, 0)


def test_a_crlf_only_change_of_ours_takes_theirs_in_crlf() -> None:
    path = "config.yml"
    base = {path: FileEntry(b"a: 1\nb: 2\n")}
    ours = {path: FileEntry(b"a: 1\r\nb: 2\r\n")}
    theirs = {path: FileEntry(b"a: 1\nb: 3\n")}
    plan = build_plan(
        base, theirs, ours, ownership=lambda p: "merged", driver_for=lambda p, d: "yaml"
    )
    (entry,) = plan.entries
    assert entry.result == FileEntry(b"a: 1\r\nb: 3\r\n")


MIXED = b"@echo off\r\nset A=1\r\nset B=2\r\nrem lf part\nlast\nend\n"


def test_untouched_lines_of_a_mixed_endings_file_keep_their_endings() -> None:
    ours = MIXED.replace(b"set A=1", b"set A=10")
    theirs = MIXED.replace(b"last\n", b"last\nadded\n")
    got = merge_content("text", MIXED, ours, theirs, LABELS)
    assert (got.data, got.conflicts) == (
        b"@echo off\r\nset A=10\r\nset B=2\r\nrem lf part\nlast\nadded\nend\n",
        0,
    )


def test_a_line_theirs_adds_to_a_crlf_part_follows_its_own_ending() -> None:
    ours = MIXED.replace(b"end\n", b"END\n")
    theirs = MIXED.replace(b"set B=2\r\n", b"set B=2\r\nset C=3\r\n")
    got = merge_content("text", MIXED, ours, theirs, LABELS)
    assert got.data == (
        b"@echo off\r\nset A=1\r\nset B=2\r\nset C=3\r\nrem lf part\nlast\nEND\n"
    )


@pytest.mark.parametrize(
    "odd", [b"flag: !!bool maybe\n", b"o: !!omap [a: 1, a: 2]\n"], ids=["bool", "omap"]
)
def test_yaml_the_parser_rejects_in_odd_ways_never_crashes_the_merge(
    odd: bytes,
) -> None:
    base = b"x: 1\ny: 2\n" + odd + b"z: 3\n"
    ours, theirs = base.replace(b"x: 1", b"x: 10"), base.replace(b"z: 3", b"z: 30")
    result = merge_content("yaml", base, ours, theirs, Labels("o", "b", "t"))
    assert result.conflicts == 0
    assert result.data == b"x: 10\ny: 2\n" + odd + b"z: 30\n"


def test_a_toml_table_split_around_another_merges_structurally() -> None:
    """`[tool.ruff]`, `[project]`, `[tool.mypy]`: tomlkit hands out a proxy
    for `tool`; a table theirs adds lands before ours' edited one."""
    base = b'[tool.ruff]\nline-length = 88\n\n[project]\nname = "svc"\n\n[tool.mypy]\nstrict = true\n'
    ours = base.replace(b"strict = true", b"strict = false")
    theirs = base.replace(b"[tool.mypy]", b"[tool.black]\nq = 1\n\n[tool.mypy]")
    result = merge_content("toml", base, ours, theirs, Labels("o", "b", "t"))
    assert result.conflicts == 0, result.note
    assert result.data == ours.replace(
        b"[tool.mypy]", b"[tool.black]\nq = 1\n\n[tool.mypy]"
    )
