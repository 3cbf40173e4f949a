from __future__ import annotations

import pytest

from synctool.merge import eol
from synctool.merge.drivers import default_driver, is_binary, merge_content
from synctool.merge.types import ContentMerge
from synctool.tree import Driver
from tests.merge.helpers import LABELS


@pytest.mark.parametrize(
    ("path", "data", "driver"),
    [
        (".github/workflows/ci.yml", b"on: push\n", "yaml"),
        ("deploy/k8s.YAML", b"kind: Service\n", "yaml"),
        ("pyproject.toml", b"[project]\n", "toml"),
        (".gitignore", b"*.pyc\n", "union"),
        ("sub/.dockerignore", b".git\n", "union"),
        (".prettierignore", b"dist\n", "union"),
        ("notes.gitignore.md", b"x\n", "text"),
        ("Dockerfile", b"FROM python:3.12\n", "text"),
        ("logo.png", b"\x89PNG\r\n\x1a\n\0\0", "binary"),
        ("latin1.txt", "café".encode("latin-1"), "binary"),
        ("weird.yml", b"a: \0\n", "binary"),
        ("empty", b"", "text"),
    ],
)
def test_default_driver(path: str, data: bytes, driver: Driver) -> None:
    assert default_driver(path, data) == driver


def test_is_binary() -> None:
    assert not is_binary("naïve ✓\n".encode())
    assert is_binary(b"\xff\xfe")


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "want"),
    [
        (b"v1", b"v1", b"v2", ContentMerge(b"v2", 0, "binary")),
        (b"v1", b"mine", b"v1", ContentMerge(b"mine", 0, "binary")),
        (b"v1", b"same", b"same", ContentMerge(b"same", 0, "binary")),
        (
            b"v1",
            b"mine",
            b"v2",
            ContentMerge(b"mine", 1, "binary", "binary: changed on both sides"),
        ),
        (
            None,
            b"a",
            b"b",
            ContentMerge(b"a", 1, "binary", "binary: changed on both sides"),
        ),
        (None, b"a", b"a", ContentMerge(b"a", 0, "binary")),
    ],
)
def test_binary_driver(
    base: bytes | None, ours: bytes, theirs: bytes, want: ContentMerge
) -> None:
    assert merge_content("binary", base, ours, theirs, LABELS) == want


def test_both_added_text_merges_against_an_empty_base() -> None:
    got = merge_content("text", None, b"a\n", b"b\n", LABELS)
    assert got == ContentMerge(
        b"<<<<<<< ours\na\n||||||| base\n=======\nb\n>>>>>>> theirs\n", 1, "text"
    )


def test_one_sided_changes_never_look_inside() -> None:
    # Even a file no driver could parse is taken whole from the side that changed.
    assert merge_content("yaml", b"a: 1\n", b"a: [\n", b"a: 1\n", LABELS) == (
        ContentMerge(b"a: [\n", 0, "yaml")
    )
    assert merge_content("toml", b"a = 1\n", b"a = 1\n", b"a = [\n", LABELS) == (
        ContentMerge(b"a = [\n", 0, "toml")
    )


BASE = b"one\ntwo\nthree\nfour\nfive\n"


def test_a_crlf_checkout_is_not_one_big_conflict() -> None:
    ours = BASE.replace(b"one", b"ONE").replace(b"\n", b"\r\n")
    theirs = BASE.replace(b"five", b"FIVE")
    got = merge_content("text", BASE, ours, theirs, LABELS)
    assert got == ContentMerge(b"ONE\r\ntwo\r\nthree\r\nfour\r\nFIVE\r\n", 0, "text")


def test_conflicts_in_a_crlf_file_are_marked_in_crlf() -> None:
    ours = BASE.replace(b"three", b"mine").replace(b"\n", b"\r\n")
    theirs = BASE.replace(b"three", b"yours")
    got = merge_content("text", BASE, ours, theirs, LABELS)
    assert got.data == (
        b"one\r\ntwo\r\n<<<<<<< ours\r\nmine\r\n||||||| base\r\nthree\r\n"
        b"=======\r\nyours\r\n>>>>>>> theirs\r\nfour\r\nfive\r\n"
    )


def test_an_lf_checkout_of_a_crlf_blueprint_stays_lf() -> None:
    base = BASE.replace(b"\n", b"\r\n")
    theirs = base.replace(b"five", b"FIVE")
    ours = BASE.replace(b"one", b"ONE")
    got = merge_content("text", base, ours, theirs, LABELS)
    assert got.data == b"ONE\ntwo\nthree\nfour\nFIVE\n"


def test_structural_drivers_see_lf_and_write_crlf() -> None:
    base = b"steps:\n- name: A\n"
    ours = b"steps:\n- name: A\n- name: Mine\n".replace(b"\n", b"\r\n")
    theirs = b"steps:\n- name: A\n- name: New\n"
    got = merge_content("yaml", base, ours, theirs, LABELS)
    assert got == ContentMerge(
        b"steps:\r\n- name: A\r\n- name: New\r\n- name: Mine\r\n", 0, "yaml"
    )


def test_union_driver_is_dispatched() -> None:
    got = merge_content("union", b"a\n", b"a\nmine\n", b"a\nnew\n", LABELS)
    assert got == ContentMerge(b"a\nmine\nnew\n", 0, "union")


def test_identity_keys_reach_the_yaml_driver() -> None:
    base = b"x:\n- key: a\n  v: 1\n"
    ours = base + b"- key: mine\n"
    theirs = base.replace(b"v: 1", b"v: 2") + b"- key: new\n"
    got = merge_content("yaml", base, ours, theirs, LABELS, identity_keys=["key"])
    assert got == ContentMerge(
        b"x:\n- key: a\n  v: 2\n- key: new\n- key: mine\n", 0, "yaml"
    )


@pytest.mark.parametrize(
    ("data", "newline"),
    [
        (b"a\r\nb\r\n", b"\r\n"),
        (b"a\nb\n", b"\n"),
        (b"a\r\nb\r\nc\n", b"\r\n"),
        (b"a\r\nb\nc\n", b"\n"),
        (b"no newline", None),
    ],
)
def test_newline_of(data: bytes, newline: bytes | None) -> None:
    assert eol.newline_of(data) == newline


def test_choose_newline_falls_back_to_the_other_sides() -> None:
    assert eol.choose_newline(b"one line", b"x\r\n") == b"\r\n"
    assert eol.choose_newline(b"", b"") == b"\n"
