"""synctool.sync.labels: how a sync names the two blueprint versions."""

from __future__ import annotations

from synctool.sync.labels import answer_changes, version_label


def test_a_version_is_named_by_its_version_then_ref_then_short_commit() -> None:
    commit = "0123456789abcdef0123"
    assert version_label("1.2.0", "v1.2.0", commit) == "1.2.0"
    assert version_label(None, "main", commit) == "main"
    assert version_label(None, None, commit) == "0123456789ab"


def test_no_answer_changed_gives_no_suffix() -> None:
    assert answer_changes({"db": "pg", "_commit": "a"}, {"db": "pg"}) == ("", "")


def test_changed_answers_are_named_on_both_sides_sorted() -> None:
    old = {"db": "mysql", "port": 5432, "name": "orders", "_src": "x"}
    new = {"db": "postgres", "port": 5433, "name": "orders", "_src": "y"}
    assert answer_changes(old, new) == (
        " with db=mysql, port=5432",
        " with db=postgres, port=5433",
    )


def test_a_question_only_one_side_asks_is_not_named() -> None:
    """New in the release (or dropped by it): not an answer the team changed;
    every conflict of a plain update would name it otherwise."""
    assert answer_changes({}, {"helm": True}) == ("", "")
    assert answer_changes({"db": "pg", "old": 1}, {"db": "my", "log": "info"}) == (
        " with db=pg",
        " with db=my",
    )


def test_past_three_answers_the_rest_are_counted() -> None:
    old = {k: "1" for k in "abcde"}
    new = {k: "2" for k in "abcde"}
    assert answer_changes(old, new) == (
        " with a=1, b=1, c=1 (+2 more)",
        " with a=2, b=2, c=2 (+2 more)",
    )


def test_a_long_or_multi_line_answer_is_one_short_line() -> None:
    old = {"desc": "first line\n  second   line"}
    new = {"desc": "x" * 40}
    assert answer_changes(old, new) == (
        " with desc=first line second line",
        " with desc=" + "x" * 29 + "…",
    )
