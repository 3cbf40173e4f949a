"""Laws of the content drivers, checked on generated inputs."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from synctool.merge.drivers import merge_content
from synctool.merge.text import diff_lines, merge_text, split_lines
from synctool.merge.types import Labels
from synctool.merge.yamlmerge import merge_yaml

LABELS = Labels("ours", "base", "theirs")
FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=60, deadline=None)  # ruamel.yaml parses slowly

# A small alphabet makes repeated lines: the cases where diffs are ambiguous.
LINES = st.lists(st.sampled_from(["a", "b", "c", "d", ""]), max_size=8)


@st.composite
def texts(draw: st.DrawFn, lines: st.SearchStrategy[list[str]] = LINES) -> bytes:
    body = "".join(f"{x}\n" for x in draw(lines)).encode()
    return body[:-1] if body and draw(st.booleans()) else body


@st.composite
def versions(draw: st.DrawFn) -> tuple[bytes, bytes, bytes]:
    """A base and two versions edited from it (or, now and then, unrelated)."""
    base = draw(LINES)

    def edited() -> list[str]:
        out = list(base)
        for _ in range(draw(st.integers(0, 3))):
            i = draw(st.integers(0, len(out)))
            op = draw(st.sampled_from(["insert", "delete", "change"]))
            if op == "insert":
                out.insert(i, draw(st.sampled_from(["a", "b", "x", "y", ""])))
            elif i < len(out):
                out[i : i + 1] = (
                    [] if op == "delete" else [draw(st.sampled_from("xyz"))]
                )
        return out

    sides = [draw(texts(st.just(x))) for x in (base, edited(), edited())]
    return sides[0], sides[1], sides[2]


@FAST
@given(versions())
def test_text_laws_of_identity(sides: tuple[bytes, bytes, bytes]) -> None:
    base, ours, theirs = sides
    assert merge_text(base, ours, base, LABELS).data == ours
    assert merge_text(base, base, theirs, LABELS).data == theirs
    assert merge_text(base, ours, ours, LABELS).data == ours


@FAST
@given(versions())
def test_text_merge_is_symmetric(sides: tuple[bytes, bytes, bytes]) -> None:
    base, ours, theirs = sides
    one = merge_text(base, ours, theirs, LABELS)
    other = merge_text(base, theirs, ours, Labels("theirs", "base", "ours"))
    assert one.conflicts == other.conflicts
    if not one.conflicts:
        assert one.data == other.data


def _survivors(base: bytes, side: bytes, other: bytes) -> list[bytes]:
    """The lines of ``side`` a merge must keep, in order.

    All lines ``side`` wrote, and the lines it kept from base unless
    ``other`` deleted or changed that base line.
    """
    b, s, o = split_lines(base), split_lines(side), split_lines(other)
    touched = {i for h in diff_lines(b, o) for i in range(h.i1, h.i1 + h.n1)}
    keep, i_base, i_side = [], 0, 0
    for h in [*diff_lines(b, s), None]:
        stop = len(s) if h is None else h.i2
        for k in range(stop - i_side):  # unchanged lines: base index follows
            if i_base + k not in touched:
                keep.append(s[i_side + k])
        if h is None:
            break
        keep.extend(s[h.i2 : h.i2 + h.n2])
        i_base, i_side = h.i1 + h.n1, h.i2 + h.n2
    return [x.rstrip(b"\n") for x in keep]


def _is_subsequence(needles: list[bytes], hay: list[bytes]) -> bool:
    it = iter(hay)
    return all(any(x == y for y in it) for x in needles)


@FAST
@given(versions())
def test_text_merge_loses_no_line_a_side_kept(
    sides: tuple[bytes, bytes, bytes],
) -> None:
    """What either side wrote or kept (and the other left alone) is in the result.

    It holds with conflicts too: a conflict shows both sides' lines.
    """
    base, ours, theirs = sides
    got = [x.rstrip(b"\n") for x in split_lines(merge_text(*sides, LABELS).data)]
    assert _is_subsequence(_survivors(base, ours, theirs), got)
    assert _is_subsequence(_survivors(base, theirs, ours), got)


@FAST
@given(versions(), st.sampled_from(["text", "union", "yaml", "toml", "binary"]))
def test_every_driver_takes_a_one_sided_change_exactly(
    sides: tuple[bytes, bytes, bytes], driver: Any
) -> None:
    base, ours, theirs = sides
    assert merge_content(driver, base, ours, base, LABELS).data == ours
    assert merge_content(driver, base, base, theirs, LABELS).data == theirs
    assert merge_content(driver, base, ours, ours, LABELS).data == ours


# YAML: mappings of small trees; the law is a plain three-way merge of dicts.
SCALARS = st.one_of(st.integers(0, 3), st.sampled_from(["x", "y"]))
TREES = st.recursive(
    SCALARS,
    lambda inner: st.dictionaries(st.sampled_from("abcd"), inner, max_size=3),
    max_leaves=6,
)
DOCS = st.dictionaries(st.sampled_from("abcd"), TREES, min_size=1, max_size=4)
MISSING: Any = object()


class Conflict(Exception):
    pass


def reference(base: Any, ours: Any, theirs: Any) -> Any:
    """Three-way merge of plain data; MISSING for an absent key."""
    if ours == theirs:
        return ours
    if base == ours:
        return theirs
    if base == theirs:
        return ours
    # A mapping both sides made out of a scalar is a change on both sides.
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if base is not MISSING and not isinstance(base, dict):
            raise Conflict
        base = {} if base is MISSING else base
        out = {}
        for key in {*base, *ours, *theirs}:
            value = reference(*(d.get(key, MISSING) for d in (base, ours, theirs)))
            if value is not MISSING:
                out[key] = value
        return out
    raise Conflict


@st.composite
def yaml_versions(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    base = draw(DOCS)

    def edited(tree: Any, depth: int = 0) -> Any:
        if not isinstance(tree, dict) or depth > 2:
            return draw(TREES) if draw(st.integers(0, 3)) == 0 else tree
        out = {}
        for key, value in tree.items():
            fate = draw(st.sampled_from(["keep", "keep", "edit", "drop"]))
            if fate != "drop":
                out[key] = edited(value, depth + 1) if fate == "edit" else value
        if draw(st.booleans()):
            out[draw(st.sampled_from("abcdef"))] = draw(TREES)
        return out

    return base, edited(base), edited(base)


def dump(data: Any, yaml: YAML) -> bytes:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().encode()


@SLOW
@given(yaml_versions())
def test_yaml_merges_mappings_like_plain_dicts(docs: tuple[Any, Any, Any]) -> None:
    """A clean answer is exactly the three-way merge of the data; else text."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    base, ours, theirs = (dump(d, yaml) for d in docs)
    got = merge_yaml(base, ours, theirs, LABELS)
    try:
        want = reference(*docs)
    except Conflict:
        assert got.driver == "text"  # never a silent pick
        return
    assert (got.driver, got.conflicts) == ("yaml", 0)
    assert YAML(typ="safe").load(got.data) == want


@SLOW
@given(yaml_versions())
def test_yaml_laws_of_identity(docs: tuple[Any, Any, Any]) -> None:
    yaml = YAML(typ="rt")
    base, ours, theirs = (dump(d, yaml) for d in docs)
    assert merge_yaml(base, ours, base, LABELS).data == ours
    assert merge_yaml(base, base, theirs, LABELS).data == theirs
    assert merge_yaml(base, ours, ours, LABELS).data == ours
