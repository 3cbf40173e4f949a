"""Laws of the content drivers, checked on generated inputs.

Each driver is called on its own (``run_driver``): ``merge_content``
settles one-sided changes before any driver runs, so laws checked through
it alone would pass for a driver that returns garbage. Besides the laws of
identity, every driver must merge changes the two sides made to different
parts exactly: that is where a driver does its real work.

Structured files are generated as data (nested mappings, lists of mappings
with a ``name``, lists of scalars) and written by ruamel.yaml or tomlkit,
as a blueprint and a person would.
"""

from __future__ import annotations

import io
import tomllib
from typing import Any

import tomlkit
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from synctool.merge.drivers import merge_content, run_driver
from synctool.merge.text import diff_lines, merge_text, split_lines
from synctool.merge.types import ContentMerge, Labels
from synctool.tree import Driver
from tests.merge.helpers import LABELS

FAST = settings(max_examples=80, deadline=None)
SLOW = settings(max_examples=25, deadline=None)  # ruamel.yaml parses slowly


def assert_laws(
    driver: Driver, base: bytes, ours: bytes, theirs: bytes, *, own: bool = True
) -> None:
    """A side merged with itself changes nothing; one side's change is taken.

    ``own``: the driver itself takes theirs' change exactly, not only through
    ``merge_content`` (the union driver places theirs' new lines by its own
    rule, so it does not).
    """
    for b, o, t, want in (
        (base, ours, ours, ours),  # the same change on both sides
        (base, theirs, theirs, theirs),
        (base, base, theirs, theirs),  # changed in the blueprint only
        (base, ours, base, ours),  # changed here only
        (base, base, base, base),
    ):
        merges = [merge_content]
        if own or o != b:
            merges.append(run_driver)
        for merge in merges:
            got = merge(driver, b, o, t, LABELS)
            assert (got.data, got.conflicts) == (want, 0), (merge.__name__, b, o, t)


# -- text ------------------------------------------------------------------

# A small alphabet makes repeated lines: the cases where diffs are ambiguous.
LINES = st.lists(st.sampled_from(["a", "b", "c", "d", ""]), max_size=8)


@st.composite
def texts(draw: st.DrawFn, lines: st.SearchStrategy[list[str]] = LINES) -> bytes:
    body = "".join(f"{x}\n" for x in draw(lines)).encode()
    return body[:-1] if body and draw(st.booleans()) else body


@st.composite
def versions(draw: st.DrawFn) -> tuple[bytes, bytes, bytes]:
    """A base and two versions edited from it."""
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
def test_text_laws(sides: tuple[bytes, bytes, bytes]) -> None:
    assert_laws("text", *sides)


@st.composite
def apart(draw: st.DrawFn) -> tuple[bytes, bytes, bytes, bytes]:
    """Base, ours, theirs, and the merge: edits with an untouched line between.

    The edits are insertions, removals or replacements of a run of lines;
    most lines of the file repeat ("}", blank lines), as in code.
    """
    n = draw(st.integers(1, 14))
    base = [draw(st.sampled_from(["}", "", f"line {i}"])) for i in range(n)]
    i = draw(st.integers(0, n - 1))
    j = draw(st.integers(i, n - 1))  # ours replaces base[i:j]
    k = draw(st.integers(j + 1, n))
    l_ = draw(st.integers(k, n))  # theirs replaces base[k:l_]
    # Between the edits, a line found once: with only "}" there, an edit
    # could as well be read one line further (git would read it so too).
    base[draw(st.integers(j, k - 1))] = "separator"
    mine = draw(st.lists(st.sampled_from(["mine", "}", "ours x"]), max_size=3))
    new = draw(st.lists(st.sampled_from(["new", "}", "theirs y"]), max_size=3))
    if i == j and not mine:
        mine = ["mine"]
    if k == l_ and not new:
        new = ["new"]
    ours = base[:i] + mine + base[j:]
    theirs = base[:k] + new + base[l_:]
    want = base[:i] + mine + base[j:k] + new + base[l_:]
    b, o, t, w = (
        "".join(f"{x}\n" for x in v).encode() for v in (base, ours, theirs, want)
    )
    return b, o, t, w


@FAST
@given(apart())
def test_text_merges_edits_apart_exactly(
    sides: tuple[bytes, bytes, bytes, bytes],
) -> None:
    base, ours, theirs, want = sides
    # A diff may align repeated lines another way, but never so that an
    # untouched line between the two edits is lost or doubled.
    got = run_driver("text", base, ours, theirs, LABELS)
    assert (got.data, got.conflicts) == (want, 0)
    flipped = run_driver("text", base, theirs, ours, LABELS)
    assert (flipped.data, flipped.conflicts) == (want, 0)


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


# -- union (ignore files) ---------------------------------------------------

RULES = ["*.pyc", "build/", "dist/", ".env", "# caches", "", ".venv/", "*.log"]


@st.composite
def ignore_files(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    """Base rules, and two sides that each add their own and remove some."""
    base = draw(st.lists(st.sampled_from(RULES), max_size=8, unique=True))

    def edited(tag: str) -> list[str]:
        out = [x for x in base if not (x and draw(st.integers(0, 3)) == 0)]
        for n in range(draw(st.integers(0, 3))):
            out.insert(draw(st.integers(0, len(out))), f"{tag}-{n}/")
        return out

    return base, edited("mine"), edited("new")


def _lines(rules: list[str]) -> bytes:
    return "".join(f"{x}\n" for x in rules).encode()


@FAST
@given(ignore_files())
def test_union_laws(files: tuple[list[str], list[str], list[str]]) -> None:
    assert_laws("union", *(_lines(x) for x in files), own=False)


@FAST
@given(ignore_files())
def test_union_keeps_every_rule_a_side_kept_or_added(
    files: tuple[list[str], list[str], list[str]],
) -> None:
    base, ours, theirs = files
    got = run_driver("union", *(_lines(x) for x in files), LABELS)
    rules = [x.decode().rstrip("\n") for x in split_lines(got.data)]
    want = {x for x in base if x in ours and x in theirs} | set(ours) | set(theirs)
    want -= {x for x in base if x not in ours or x not in theirs}
    assert got.conflicts == 0
    assert {x for x in rules if x} == {x for x in want if x}
    kept = [x.encode() for x in ours if x and x in want]
    assert _is_subsequence(kept, [x.encode() for x in rules])


# -- binary -----------------------------------------------------------------


@FAST
@given(st.binary(max_size=20), st.binary(max_size=20), st.binary(max_size=20))
def test_binary_laws_and_a_change_on_both_sides_keeps_ours(
    base: bytes, ours: bytes, theirs: bytes
) -> None:
    assert_laws("binary", base, ours, theirs)
    if len({base, ours, theirs}) == 3:
        got = run_driver("binary", base, ours, theirs, LABELS)
        assert (got.data, got.conflicts) == (ours, 1)


# -- structured files: YAML and TOML ---------------------------------------

SCALARS = st.one_of(
    st.integers(0, 3), st.booleans(), st.sampled_from(["x", "y", "two words"])
)
NAMES = st.sampled_from(["lint", "test", "build", "deploy"])


def steps(max_size: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A list of mappings known by their ``name``, like CI steps."""
    step = st.fixed_dictionaries({"name": NAMES}, optional={"run": SCALARS})
    return st.lists(step, max_size=max_size, unique_by=lambda s: s["name"])


def values(depth: int = 0) -> st.SearchStrategy[Any]:
    inner: list[st.SearchStrategy[Any]] = [
        SCALARS,
        st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=3, unique=True),
        steps(),
    ]
    if depth < 2:
        keys = st.sampled_from(["p", "q", "r", "s"])
        inner.append(st.dictionaries(keys, values(depth + 1), max_size=3))
    return st.one_of(*inner)


DOCS = st.dictionaries(
    st.sampled_from(list("abcdefg")), values(), min_size=1, max_size=5
)


def _change(draw: st.DrawFn, value: Any, tag: str) -> Any:
    """``value`` as a person would edit it (never left the same)."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        out = dict(value)
        key = draw(st.sampled_from(sorted(out)))
        out[key] = _change(draw, out[key], tag)
        return out
    if isinstance(value, list) and value and draw(st.booleans()):
        out = list(value)
        i = draw(st.integers(0, len(out) - 1))
        if isinstance(out[i], dict):
            out[i] = {**out[i], "run": f"{tag} run"}
        else:
            del out[i]
        return out
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return [*value, f"{tag} item"]
    if isinstance(value, list):
        return [*value, {"name": f"{tag} step"}]
    if isinstance(value, dict):
        return {**value, f"{tag}key": f"{tag} value"}
    new = draw(values(1))
    return new if new != value else f"{tag} value"


@st.composite
def structured(draw: st.DrawFn) -> tuple[Any, Any, Any, Any]:
    """Base, ours, theirs and their merge: each side edits its own keys.

    Edits anywhere inside a key's value (a nested scalar, a step, a list
    item), removals and new keys; both sides may add keys, never the same.
    """
    base = draw(DOCS)
    mine = {k for k in base if draw(st.booleans())}
    sides = []
    for tag, keys in (("o", mine), ("t", set(base) - mine)):
        side = dict(base)
        for key in sorted(keys):
            fate = draw(st.sampled_from(["keep", "edit", "edit", "drop"]))
            if fate == "drop":
                del side[key]
            elif fate == "edit":
                side[key] = _change(draw, side[key], tag)
        for n in range(draw(st.integers(0, 2))):
            side[f"{tag}{n}"] = draw(values(1))
        sides.append(side)
    ours, theirs = sides
    want = {k: v for k, v in ours.items() if k in mine or k not in base}
    want |= {k: v for k, v in theirs.items() if k not in mine}
    return base, ours, theirs, want


def _yaml(data: Any) -> bytes:
    out = io.StringIO()
    YAML(typ="rt").dump(data, out)
    return out.getvalue().encode()


def _toml(data: Any) -> bytes:
    return tomlkit.dumps(data).encode()


def _read_yaml(data: bytes) -> Any:
    return YAML(typ="safe", pure=True).load(data)


def _read_toml(data: bytes) -> Any:
    return tomllib.loads(data.decode())


@SLOW
@given(structured())
def test_yaml_laws(docs: tuple[Any, Any, Any, Any]) -> None:
    assert_laws("yaml", *(_yaml(d) for d in docs[:3]))


@SLOW
@given(structured())
def test_yaml_merges_what_each_side_changed(docs: tuple[Any, Any, Any, Any]) -> None:
    base, ours, theirs = (_yaml(d) for d in docs[:3])
    for merge in (run_driver, merge_content):
        got: ContentMerge = merge("yaml", base, ours, theirs, LABELS)
        assert got.conflicts == 0, got
        assert _read_yaml(got.data) == docs[3]


@SLOW
@given(structured())
def test_toml_laws(docs: tuple[Any, Any, Any, Any]) -> None:
    assert_laws("toml", *(_toml(d) for d in docs[:3]))


@SLOW
@given(structured())
def test_toml_merges_what_each_side_changed(docs: tuple[Any, Any, Any, Any]) -> None:
    base, ours, theirs = (_toml(d) for d in docs[:3])
    for merge in (run_driver, merge_content):
        got: ContentMerge = merge("toml", base, ours, theirs, LABELS)
        assert got.conflicts == 0, got
        assert _read_toml(got.data) == docs[3]


@st.composite
def clashing(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    """Base, and two sides that set one key to two different scalars."""
    base = draw(DOCS)
    key = draw(st.sampled_from(sorted(base)))
    mine, new = draw(st.lists(SCALARS, min_size=2, max_size=2, unique=True))
    assume(base[key] not in (mine, new) and str(mine) != str(new))
    return base, {**base, key: mine}, {**base, key: new}


@SLOW
@given(clashing())
def test_a_value_both_sides_changed_differently_is_never_picked(
    docs: tuple[Any, Any, Any],
) -> None:
    kinds: list[tuple[Any, Driver]] = [(_yaml, "yaml"), (_toml, "toml")]
    for write, driver in kinds:
        base, ours, theirs = (write(d) for d in docs)
        got = merge_content(driver, base, ours, theirs, LABELS)
        assert got.conflicts >= 1, got
