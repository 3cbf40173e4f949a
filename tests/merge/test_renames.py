"""Rename detection: identical first, then most similar, one-to-one, bounded work."""

from __future__ import annotations

import time

import pytest

from synctool.merge.renames import (
    Rename,
    digest,
    find_exact_renames,
    find_renames,
    similarity,
)

BODY = b"".join(b"line %d of the module\n" % i for i in range(40))


def test_similarity_of_identical_disjoint_and_half_shared() -> None:
    assert similarity(BODY, BODY) == 1.0
    assert similarity(b"a\nb\n", b"c\nd\n") == 0.0
    assert similarity(b"a\nb\n", b"a\nc\n") == 0.5
    assert similarity(b"", b"") == 1.0 and similarity(b"", b"x") == 0.0


def test_similarity_ignores_line_endings_and_line_order() -> None:
    assert similarity(b"a\nb\n", b"a\r\nb\r\n") == 1.0
    assert similarity(b"a\nb\n", b"b\na\n") == 1.0
    assert similarity(b"a\nb", b"a\nb\n") == 1.0  # a missing final newline


def test_similarity_is_relative_to_the_larger_file() -> None:
    assert similarity(b"a\n", b"a\nb\nc\nd\n") == 0.25


def test_exact_renames_pair_by_digest() -> None:
    found = find_renames({"old/a.py": BODY, "gone.txt": b"x\n"}, {"new/a.py": BODY})
    assert found == (Rename("old/a.py", "new/a.py", 1.0),)


def test_identical_files_pair_by_path_likeness() -> None:
    old = {"src/old/__init__.py": b"", "src/old/sub/__init__.py": b""}
    new = {"src/new/sub/__init__.py": b"", "src/new/__init__.py": b""}
    assert find_renames(old, new) == (
        Rename("src/old/__init__.py", "src/new/__init__.py", 1.0),
        Rename("src/old/sub/__init__.py", "src/new/sub/__init__.py", 1.0),
    )


def test_exact_renames_from_digests_alone() -> None:
    found = find_exact_renames(
        {"a": digest(b"1"), "b": digest(b"2")}, {"c": digest(b"2")}
    )
    assert found == (Rename("b", "c", 1.0),)


def test_similar_file_above_threshold_is_a_rename() -> None:
    edited = BODY.replace(b"line 3 of", b"line three of") + b"extra\n"
    (r,) = find_renames({"a.py": BODY}, {"b.py": edited})
    assert (r.old, r.new) == ("a.py", "b.py") and 0.9 < r.score < 1.0


def test_dissimilar_files_are_add_and_delete() -> None:
    assert find_renames({"a.py": BODY}, {"b.py": b"something else\n" * 40}) == ()


def test_threshold_is_a_parameter() -> None:
    half = b"a\nb\nc\nd\n", b"a\nb\ny\nz\n"
    assert find_renames({"x": half[0]}, {"y": half[1]}, threshold=0.5) != ()
    assert find_renames({"x": half[0]}, {"y": half[1]}, threshold=0.6) == ()
    with pytest.raises(ValueError, match="threshold"):
        find_renames({"x": b"1"}, {"y": b"1"}, threshold=0)


def test_best_match_wins_and_pairs_are_one_to_one() -> None:
    close = BODY + b"one more\n"
    far = BODY[: len(BODY) * 2 // 3] + b"other\n" * 10
    found = find_renames({"a.py": BODY}, {"far.py": far, "close.py": close})
    assert [(r.old, r.new) for r in found] == [("a.py", "close.py")]
    two = find_renames({"a.py": BODY, "b.py": BODY + b"b\n"}, {"n.py": BODY + b"n\n"})
    assert len(two) == 1


def test_same_name_is_preferred_among_similar_candidates() -> None:
    old = {"pkg_a/models.py": BODY + b"m\n"}
    new = {"pkg_b/models.py": BODY + b"x\n", "pkg_b/views.py": BODY + b"m\nv\n"}
    (r,) = find_renames(old, new)
    assert r.new == "pkg_b/models.py"


def test_size_window_never_compares_hopeless_pairs() -> None:
    # Exhausting the budget on the small file must not hide the good pair.
    old = {"big.txt": BODY}
    new = {f"tiny{i}.txt": b"x\n" for i in range(100)} | {"big2.txt": BODY + b"y\n"}
    assert [r.new for r in find_renames(old, new, max_comparisons=1)] == ["big2.txt"]


def test_comparison_budget_bounds_the_work() -> None:
    old = {f"o{i}": BODY + b"%d\n" % i for i in range(50)}
    new = {f"n{i}": BODY + b"%d!\n" % i for i in range(50)}
    assert find_renames(old, new, max_comparisons=0) == ()
    assert 1 <= len(find_renames(old, new, max_comparisons=10)) <= 10
    assert len(find_renames(old, new)) == 50


def test_a_templated_package_rename_is_fast() -> None:
    old = {f"src/old_pkg/m{i}.py": b"# %d\n" % i + BODY for i in range(1000)}
    new = {
        f"src/new_pkg/m{i}.py": b"# %d\n" % i + BODY + b"# changed\n"
        for i in range(1000)
    }
    start = time.perf_counter()
    found = find_renames(old, new)
    elapsed = time.perf_counter() - start
    assert {(r.old, r.new) for r in found} == {
        (p, p.replace("old_pkg", "new_pkg")) for p in old
    }
    assert elapsed < 1.0
