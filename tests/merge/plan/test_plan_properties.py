"""Laws of the planner, over random trees (small pools, so renames happen often)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from synctool.merge.plan import Plan, apply_plan_to_tree, build_plan
from synctool.merge.renames import digest
from synctool.merge.types import ContentMerge, Labels
from synctool.tree import Driver, FileEntry, Ownership

from . import FakeMerge, sniff

PATHS = ["a.txt", "b.txt", "d/a.txt", "d/run.sh", "src/app.py", "src/lib.py", "e"]
WORDS = [b"alpha", b"beta", b"gamma", b"delta", b"", b"x" * 30]

Tree = dict[str, FileEntry]


def _content(lines: list[bytes], shape: int) -> bytes:
    # shape picks the variants cheaply: CRLF, no final newline, binary.
    data = b"".join(line + (b"\r\n" if shape % 3 == 0 else b"\n") for line in lines)
    if shape % 2 and data:
        data = data[:-1]
    return b"\0" + data if shape == 7 else data


contents = st.builds(
    _content, st.lists(st.sampled_from(WORDS), max_size=5), st.integers(0, 11)
)
entries = st.builds(FileEntry, contents, st.sampled_from([0o644, 0o755]))
trees = st.dictionaries(st.sampled_from(PATHS), entries, max_size=len(PATHS))
ownerships = st.fixed_dictionaries(
    {p: st.sampled_from(["merged", "managed", "seeded"]) for p in PATHS}
)


def no_merge(
    driver: Driver,
    base: bytes | None,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str] = (),
) -> ContentMerge:
    raise AssertionError("a one-sided change needs no content merge")


def run(
    base: Tree,
    theirs: Tree,
    ours: Tree,
    own: Callable[[str], Ownership],
    merge: Callable[..., ContentMerge] = no_merge,
) -> Plan:
    return build_plan(base, theirs, ours, ownership=own, driver_for=sniff, merge=merge)


def owned(table: dict[str, Ownership]) -> Callable[[str], Ownership]:
    return lambda path: table.get(path, "merged")


@settings(max_examples=250)
@given(trees, trees, ownerships)
def test_an_unchanged_blueprint_leaves_the_service_alone(
    base: Tree, ours: Tree, table: dict[str, Ownership]
) -> None:
    p = run(base, dict(base), ours, owned(table))
    assert apply_plan_to_tree(ours, p) == ours
    assert p.is_noop and p.conflicts == ()


@settings(max_examples=250)
@given(trees, trees, ownerships)
def test_an_untouched_service_becomes_the_blueprint_exactly(
    base: Tree, theirs: Tree, table: dict[str, Ownership]
) -> None:
    table = {k: "merged" if v == "seeded" else v for k, v in table.items()}
    p = run(base, theirs, dict(base), owned(table))
    assert apply_plan_to_tree(base, p) == theirs
    assert p.conflicts == ()


@settings(max_examples=250)
@given(trees, trees, ownerships)
def test_a_service_already_at_the_blueprint_stays_as_it_is(
    base: Tree, theirs: Tree, table: dict[str, Ownership]
) -> None:
    p = run(base, theirs, dict(theirs), owned(table))
    assert apply_plan_to_tree(theirs, p) == theirs
    assert p.is_noop and p.conflicts == ()


@settings(max_examples=250)
@given(trees, trees, trees)
def test_no_local_edit_of_a_merged_file_is_lost(
    base: Tree, theirs: Tree, ours: Tree
) -> None:
    # The fake merge embeds ours' bytes, so "kept, merged or moved" all leave
    # each locally changed file's content somewhere in the result.
    p = run(base, theirs, ours, lambda _: "merged", FakeMerge())
    result = apply_plan_to_tree(ours, p)
    known = {_lf(e.data) for e in base.values()}
    for path, entry in ours.items():
        if _lf(entry.data) in known:
            continue  # not a content edit (a move, a mode, line endings)
        assert any(entry.data in e.data for e in result.values()), path


@settings(max_examples=200)
@given(trees, trees, trees, ownerships)
def test_sync_then_sync_again_is_a_noop(
    base: Tree, theirs: Tree, ours: Tree, table: dict[str, Ownership]
) -> None:
    first = run(base, theirs, ours, owned(table), FakeMerge())
    after = apply_plan_to_tree(ours, first)
    again = run(dict(theirs), theirs, after, owned(table))
    assert again.is_noop and apply_plan_to_tree(after, again) == after


@settings(max_examples=200)
@given(trees, trees, trees, ownerships)
def test_plans_are_well_formed(
    base: Tree, theirs: Tree, ours: Tree, table: dict[str, Ownership]
) -> None:
    p = run(base, theirs, ours, owned(table), FakeMerge())
    paths = [e.path for e in p.entries]
    assert paths == sorted(set(paths))
    for e in p.entries:
        assert (e.action == "conflict") == (e.conflicts > 0)
        assert e.action != "keep" or not e.changes_tree
        assert e.action not in ("create", "update", "merge", "rename") or e.result


@settings(max_examples=200)
@given(trees, trees, trees, st.booleans())
def test_fallback_keeps_the_one_sided_laws(
    base: Tree, theirs: Tree, ours: Tree, untouched: bool
) -> None:
    hashes = {p: digest(e.data) for p, e in base.items()}
    modes = {p: e.mode for p, e in base.items()}

    def fallback(theirs: Tree, ours: Tree) -> Plan:
        return build_plan(
            None,
            theirs,
            ours,
            ownership=lambda _: "merged",
            driver_for=sniff,
            base_hashes=hashes,
            base_modes=modes,
            merge=no_merge,
        )

    if untouched:
        assert apply_plan_to_tree(base, fallback(theirs, dict(base))) == theirs
    else:
        assert apply_plan_to_tree(ours, fallback(dict(base), ours)) == ours


def _lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")
