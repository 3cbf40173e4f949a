"""`.synctool.yml` read fast (synctool.service.linedyaml) reads what the
round-trip loader reads: the same values, the same lines, the same errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from synctool.errors import InputError
from synctool.service import linedyaml
from synctool.service.declared import Declared, load_declared, read_declared
from synctool.service.values import plain


def _roundtrip(text: str) -> Any:
    return YAML(typ="rt").load(text)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


# Plain scalars that look like numbers, dates or words YAML 1.1 and 1.2 read
# differently: each is read as ruamel reads it, or left to ruamel.
SCALARS = [
    *["0777", "0o17", "0x1F", "0b101", "1_000", "1:20", "12:30:45", "017"],
    *["1e3", "1.0e3", "1E+3", ".5e+3", ".5e3", "+.5", "-.5", "5.", "0.", "1.10"],
    *[".inf", "-.inf", "+.inf", ".NaN", ".nan", "-.nan", "0e0", "1__0", "_"],
    *["yes", "no", "on", "off", "y", "n", "True", "tRUE", "null", "~", "2024-01-01"],
]
TOKENS = st.text(alphabet="0123456789+-._eExXoObB:fnaiINF", min_size=1, max_size=8)


def _agrees(token: str) -> None:
    text = f"k: {token}\nlist: [{token}]\n"
    try:
        fast = linedyaml.load(text)
    except linedyaml.Unsure:
        return  # left to the round-trip loader: agrees by construction
    slow = plain(_roundtrip(text))
    assert _same(slow["k"], fast["k"]), (token, slow["k"], fast["k"])
    assert _same(slow["list"][0], fast["list"][0]), token


@pytest.mark.parametrize("token", SCALARS)
def test_a_scalar_reads_as_ruamel_reads_it(token: str) -> None:
    _agrees(token)


@settings(max_examples=400, deadline=None)
@given(TOKENS)
def test_any_number_like_scalar_reads_as_ruamel_reads_it(token: str) -> None:
    _agrees(token)


def test_the_numbers_yaml_1_1_and_1_2_disagree_on() -> None:
    doc = linedyaml.load("a: 0777\nb: 0o17\nc: 1e3\nd: 1:20\ne: yes\nf: on\n")
    assert doc == {"a": 777, "b": 15, "c": 1000.0, "d": "1:20", "e": "yes", "f": "on"}


def _positions(node: Any, where: str = "") -> dict[str, tuple[int, ...]]:
    """Every container's start line and its entries' lines, by path."""
    found: dict[str, tuple[int, ...]] = {}
    if isinstance(node, dict | list):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        found[where] = (node.lc.line, *(node.lc.data[k][0] for k in keys))
        for k in keys:
            found.update(_positions(node[k], f"{where}/{k}"))
    return found


SAMPLE = """\
# synctool: the blueprint this service follows (declared state).
blueprint: bundled
ref: v1.2.0
answers:
  project_name: Orders   # a comment
  port: 8080
  extras: [a, b]
disable: [no-todo]
rules:
  - id: no-latest
    kind: not-contains
    paths: [Dockerfile, "docker/*.Dockerfile"]
    pattern: ":latest"

  - {id: flow, kind: exists, paths: [README.md]}
waivers:
  - rule: no-latest
    paths:
      - Dockerfile
    reason: |
      pinned upstream
    expires: 2027-01-31
"""


def test_lines_are_the_round_trip_loaders() -> None:
    fast, slow = linedyaml.load(SAMPLE), _roundtrip(SAMPLE)
    assert fast == plain(slow)
    assert _positions(fast) == _positions(slow)
    assert fast["rules"][1].lc.key("paths") == slow["rules"][1].lc.key("paths")


def test_a_merge_key_takes_the_later_keys_line() -> None:
    text = "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n"
    with pytest.raises(linedyaml.Unsure):  # aliases: counted by the slow path
        linedyaml.load(text)


@pytest.mark.parametrize(
    "text",
    [
        "blueprint: bundled\nblueprint: other\n",  # a duplicate key
        "blueprint: [unclosed\n",
        "blueprint: bundled\nanswers: {n: 1" + "0" * 5000 + "}\n",
        "blueprint: bundled\nanswers:\n  when: 2026-02-30\n",
        "blueprint: bundled\nref: 1.10\n",
        "- just\n- a list\n",
        "a: &a [*a]\n",
        "blueprint: bundled\nanswers:\n  x: !!timestamp 'nope'\n",
        "blueprint: bundled\nanswers:\tx\n",
        "blueprint: bundled\nref: v1\t\n",
    ],
)
def test_a_bad_file_gets_the_round_trip_loaders_error(
    tmp_path: Path, text: str
) -> None:
    (tmp_path / ".synctool.yml").write_text(text)
    with pytest.raises(InputError) as slow:
        load_declared(tmp_path)
    with pytest.raises(InputError) as fast:
        read_declared(tmp_path)
    assert (fast.value.message, fast.value.hint) == (
        slow.value.message,
        slow.value.hint,
    )


def test_read_declared_reads_what_load_declared_reads(tmp_path: Path) -> None:
    (tmp_path / ".synctool.yml").write_text(SAMPLE)
    fast, slow = read_declared(tmp_path), load_declared(tmp_path)
    assert fast[:3] == slow[:3]
    assert fast.answers == {
        "project_name": "Orders",
        "port": 8080,
        "extras": ["a", "b"],
    }
    assert _positions(fast.doc) == _positions(slow.doc)


def test_a_tag_it_does_not_know_is_left_to_the_round_trip_loader() -> None:
    with pytest.raises(linedyaml.Unsure):
        linedyaml.load("answers: !!python/object:os.system {}\n")


@pytest.mark.parametrize(
    "text",
    [
        "%YAML 1.1\n---\nblueprint: bundled\nanswers:\n  use_db: yes\n  mode: 0755\n",
        "blueprint: bundled\nanswers:\n  flag: &x true\n",
        "blueprint: bundled\nanswers:\n  n: !!str 1\n",
        "blueprint: bundled\nanswers:\n  b: 2\n  <<: {a: 1, c: 3}\n",
        "blueprint: bundled\nanswers:\n  s: x\u2028  t: 1\n",
    ],
    ids=["yaml-1.1", "anchor", "tag", "merge-key", "unicode-line-break"],
)
def test_what_ruamel_reads_its_own_way_is_read_by_ruamel(
    tmp_path: Path, text: str
) -> None:
    with pytest.raises(linedyaml.Unsure):
        linedyaml.load(text)
    (tmp_path / ".synctool.yml").write_text(text)
    assert _outcome(read_declared, tmp_path) == _outcome(load_declared, tmp_path)


def _outcome(read: Callable[[Path], Declared], root: Path) -> tuple[str, str]:
    try:
        return "answers", repr(read(root).answers)
    except InputError as exc:
        return "refused", exc.message
