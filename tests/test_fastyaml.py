"""fastyaml builds what PyYAML's own constructors build from the same
libyaml parse: the same data, the same refusals, only faster."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from synctool import fastyaml
from tests.helpers import REPO


def _pyyaml(text: str) -> list[Any]:
    """What the same Loader's constructors make of every document."""
    return [d for d in yaml.load_all(text, Loader=fastyaml.Loader) if d is not None]


def _typed(value: Any) -> Any:
    """``value`` with each scalar's type beside it: 1 == True == 1.0 in Python."""
    if isinstance(value, dict):
        return {(type(k), k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value), value)


def _plain_yaml(path: Path) -> bool:
    """A file of the bundled blueprint that is YAML as it stands (no Jinja
    or Go template in it)."""
    if path.suffix not in {".yml", ".yaml"} or not path.is_file():
        return False
    text = path.read_text(errors="replace")
    return "{%" not in text and "{{" not in text


YAML_FILES = sorted(p for p in (REPO / "blueprint").rglob("*") if _plain_yaml(p))


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_real_file_reads_as_pyyaml_builds_it(path: Path) -> None:
    text = path.read_text()
    assert _typed(fastyaml.load_all(text)) == _typed(_pyyaml(text))


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.dates(min_value=dt.date(1000, 1, 1)),
)
KEYS = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none())
DATA = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(DATA, st.booleans())
def test_any_document_reads_as_pyyaml_builds_it(data: object, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow)
    assert _typed(fastyaml.load_all(text)) == _typed(_pyyaml(text))
    assert _typed(fastyaml.load(text)) == _typed(
        yaml.load(text, Loader=fastyaml.Loader)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: [x, {c: true}]\n", {"a": 1, "b": ["x", {"c": True}]}),
        ("base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n", None),  # aliases: PyYAML's path
        ("item:\n  <<: {x: 1}\n  y: 2\n", {"item": {"x": 1, "y": 2}}),
        ("1: one\nx: true\n", {1: "one", "x": True}),
        ("on: push\n", {"on": "push"}),  # YAML 1.2 booleans only
        ("when: 2026-01-31\n", {"when": dt.date(2026, 1, 31)}),
        ("raw: !!binary aGk=\n", {"raw": b"hi"}),
        ("", None),
    ],
)
def test_what_a_document_reads_as(text: str, expected: object) -> None:
    got = fastyaml.load(text)
    if expected is not None:
        assert got == expected
    assert got == yaml.load(text, Loader=fastyaml.Loader)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: 2\na: 3\n", 3),
        ("top:\n  - {k: 1, k: 2}\n", 2),
        ("a: [1, 2\n", 2),
        ("x: !custom 1\n", 1),
    ],
)
def test_a_refusal_names_the_line_as_before(text: str, line: int) -> None:
    with pytest.raises(fastyaml.FastYAMLError) as fast:
        fastyaml.load(text)
    assert fast.value.line == line
    try:
        yaml.load(text, Loader=fastyaml.Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        assert mark is not None and mark.line + 1 == line
        assert fast.value.problem == str(getattr(exc, "problem", "")).splitlines()[0]
    else:
        pytest.fail("PyYAML took it")


def test_two_documents_are_refused_by_load_and_read_by_load_all() -> None:
    text = "a: 1\n---\nb: 2\n"
    assert fastyaml.load_all(text) == [{"a": 1}, {"b": 2}]
    with pytest.raises(fastyaml.FastYAMLError):
        fastyaml.load(text)


def test_every_yaml_file_of_a_generated_service_reads_as_pyyaml_builds_it(
    tmp_path: Path,
) -> None:
    svc = tmp_path / "svc"
    subprocess.run(
        [sys.executable, "-m", "synctool", "init", str(svc), "--defaults", "-q"],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    checked, differ = 0, []
    for path in sorted(svc.rglob("*")):
        if path.suffix not in {".yml", ".yaml", ".lock"} or not path.is_file():
            continue
        text = path.read_text()
        try:
            expected = _typed(_pyyaml(text))
        except yaml.YAMLError:
            continue  # a Helm template: not YAML until Helm renders it
        checked += 1
        if _typed(fastyaml.load_all(text)) != expected:
            differ.append(str(path.relative_to(svc)))
    assert checked >= 10  # the workflows, compose, values, .synctool.lock...
    assert differ == []


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85"])
def test_aliases_after_any_line_break_are_counted(brk: str) -> None:
    levels = ["a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    for n in range(1, 9):  # 10**8 values once expanded
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"{brk}*a{n - 1}"] * 10) + "]")
    with pytest.raises(fastyaml.AliasBombError):
        fastyaml.load("\n".join(levels) + "\n")
    with pytest.raises(fastyaml.AliasBombError):
        fastyaml.load(f"a: &x [{brk}*x]\n")


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("a:\n  x: 1\n  x: 2\na: 3\n", 4, "a"),
        ("a: [ {x: 1, x: 2} ]\na: 1\n", 2, "a"),
        ("a: 2024-02-30\na: 1\n", 2, "a"),
    ],
)
def test_a_mappings_own_duplicate_is_found_first(
    text: str, line: int, key: str
) -> None:
    with pytest.raises(fastyaml.FastYAMLError) as caught:
        fastyaml.load(text)
    assert (caught.value.problem, caught.value.line) == (
        f"found duplicate key {key!r}",
        line,
    )
