from __future__ import annotations

import pytest

from synctool.merge.union import (
    ABSENT,
    Merged,
    Undecided,
    identity_of,
    merge_keyed,
    merge_union,
    weave,
)


def union(base: str, ours: str, theirs: str) -> str:
    got = merge_union(base.encode(), ours.encode(), theirs.encode())
    assert got.conflicts == 0
    assert got.driver == "union"
    return got.data.decode()


def test_theirs_block_goes_after_ours_additions_at_the_same_place() -> None:
    # As git's merge=union: ours' lines first, then theirs'.
    base = "__pycache__/\n*.pyc\n"
    ours = "__pycache__/\n*.pyc\n.env\n"
    theirs = "__pycache__/\n*.pyc\n\n# coverage\n.coverage\nhtmlcov/\n"
    assert union(base, ours, theirs) == (
        "__pycache__/\n*.pyc\n.env\n\n# coverage\n.coverage\nhtmlcov/\n"
    )


def test_theirs_block_goes_after_the_line_it_follows_in_theirs() -> None:
    base = "a\nb\nc\n"
    assert union(base, "a\nb\nc\nmine\n", "a\nnew\nb\nc\n") == "a\nnew\nb\nc\nmine\n"


def test_a_line_whose_predecessor_ours_removed_follows_an_earlier_one() -> None:
    assert union("a\nb\nc\n", "a\nc\nx\n", "a\nb\nd\nc\n") == "a\nd\nc\nx\n"


def test_lines_theirs_removed_go_unless_ours_never_had_them() -> None:
    assert union("a\nold\nc\n", "a\nold\nc\nmine\n", "a\nc\n") == "a\nc\nmine\n"


def test_a_line_ours_removed_is_not_brought_back() -> None:
    assert union("a\nb\n", "a\n", "a\nb\nc\n") == "a\nc\n"


def test_lines_ours_already_has_are_not_repeated() -> None:
    assert union("a\n", "a\nx\n", "a\nx\n") == "a\nx\n"
    # A blank line alone is no addition.
    assert union("a\n", "a\n\nx\n", "a\n\nx\n\n") == "a\n\nx\n"


def test_with_nothing_to_follow_a_new_line_is_appended() -> None:
    assert union("a\n", "b\n", "new\na\n") == "b\nnew\n"
    assert union("", "x\n", "y\n") == "x\ny\n"


def test_blank_lines_are_layout_never_removed_nor_anchors() -> None:
    base = "a\n\nb\n"
    assert union(base, "a\n\nb\nmine\n", "a\nb\n") == "a\n\nb\nmine\n"
    assert union(base, "a\n\nb\n", "a\n\nb\n\n") == "a\n\nb\n"


def test_final_newlines() -> None:
    assert union("a\n", "a", "a\nb\n") == "a\nb\n"
    assert union("a\n", "a\nb", "a\nc\n") == "a\nb\nc\n"
    assert union("a\nx\n", "a\nx", "a\nc\nx\n") == "a\nc\nx"


def test_weave_keeps_theirs_order_and_ours_order() -> None:
    woven = weave(
        ["a", "c"], ["a", "b1", "b2", "c", "d"], [1, 2, 4], orphans_first=True
    )
    assert woven == [(False, 0), (True, 1), (True, 2), (False, 1), (True, 4)]
    assert weave(["x"], ["new", "x"], [0], orphans_first=True) == [
        (True, 0),
        (False, 0),
    ]
    assert weave(["x"], ["new", "x"], [0], orphans_first=False) == [
        (False, 0),
        (True, 0),
    ]


def _keyed(
    base: dict[str, int], ours: dict[str, int], theirs: dict[str, int]
) -> list[Merged[str, int]]:
    def merge(key: str, b: object, o: int, t: int) -> int:
        if o == t or b == t:
            return o
        if b == o:
            return t
        raise Undecided(key)

    return merge_keyed(
        list(base.items()),
        list(ours.items()),
        list(theirs.items()),
        merge,
        lambda x, y: x == y,
        check_order=True,
    )


def test_merge_keyed_takes_one_sided_changes_and_both_additions() -> None:
    got = _keyed(
        {"a": 1, "b": 2, "c": 3},
        {"a": 1, "b": 20, "c": 3, "o": 9},
        {"a": 10, "n": 5, "b": 2},
    )
    assert [(m.key, m.value, m.ours, m.theirs) for m in got] == [
        ("a", 10, 0, 0),
        ("n", 5, None, 1),
        ("b", 20, 1, 2),
        ("o", 9, 3, None),
    ]


@pytest.mark.parametrize(
    ("ours", "theirs", "why"),
    [
        ({"a": 2}, {}, "'a' changed here, removed in the blueprint"),
        ({}, {"a": 2}, "'a' removed here, changed in the blueprint"),
        ({"a": 2, "b": 1}, {"b": 1, "a": 1}, "items were reordered"),
    ],
)
def test_merge_keyed_refuses_to_pick_a_side(
    ours: dict[str, int], theirs: dict[str, int], why: str
) -> None:
    with pytest.raises(Undecided, match=why):
        _keyed({"a": 1, "b": 1}, ours, theirs)


def test_both_added_items_merge_against_absent() -> None:
    seen: list[object] = []

    def merge(key: str, b: object, o: int, t: int) -> int:
        seen.append(b)
        return o

    merge_keyed(
        [], [("a", 1)], [("a", 1)], merge, lambda x, y: x == y, check_order=True
    )
    assert seen == [ABSENT]


def test_items_are_known_by_the_first_identity_key_they_have() -> None:
    steps = [{"uses": "actions/checkout@v4"}, {"name": "Test", "run": "pytest"}]
    identity = identity_of([steps, steps], ["id", "name", "uses"])
    assert identity is not None
    assert [identity(s) for s in steps] == [
        ("uses", "actions/checkout"),
        ("name", "Test"),
    ]
    # a pin bump is the same step
    assert identity({"uses": "actions/checkout@v5"}) == ("uses", "actions/checkout")


def test_no_identity_when_an_item_has_none_or_ids_repeat() -> None:
    steps = [{"name": "A", "uses": "x"}, {"name": "B", "uses": "x"}]
    assert identity_of([steps, [{"run": "make"}]], ["name", "uses"]) is None
    assert identity_of([[{"name": "A"}, {"name": "A"}]], ["name"]) is None
    assert identity_of([steps, ["scalar"]], ["name"]) is None
    assert identity_of([[{"name": ["list"]}]], ["name"]) is None


def test_lines_the_blueprint_put_first_stay_before_what_they_preceded() -> None:
    """An ignore rule's place matters (a later `!` re-includes): the
    blueprint's new first lines go where it put them, not to the end."""
    base = b"*.pyc\nbuild/\n"
    ours = b"*.pyc\nbuild/\n.idea/\n"
    theirs = b"dist/*\n!dist/.keep\n*.pyc\nbuild/\n"
    got = merge_union(base, ours, theirs)
    assert got.data == b"dist/*\n!dist/.keep\n*.pyc\nbuild/\n.idea/\n"


def test_a_negation_stays_after_the_rule_it_refines() -> None:
    base = b"*.log\n.env\n"
    ours = b"*.log\n.env\ncoverage/\n"
    theirs = b"logs/\n!logs/.gitkeep\n*.log\n.env\n"
    got = merge_union(base, ours, theirs).data.decode().splitlines()
    assert got.index("logs/") < got.index("!logs/.gitkeep") < got.index("*.log")
    assert got[-1] == "coverage/"
