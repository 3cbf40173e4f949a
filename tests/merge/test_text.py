from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from synctool.merge.text import diff_lines, merge_text, split_lines
from synctool.merge.types import ContentMerge, Labels
from tests.merge.helpers import LABELS
from tests.merge.helpers import text_merge as merge


def git_merge_file(
    tmp: Path, base: bytes, ours: bytes, theirs: bytes
) -> tuple[bytes, int]:
    """``git merge-file -p --diff3`` on the three versions: (output, conflicts)."""
    for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp / name).write_bytes(data)
    env = {**os.environ, "HOME": str(tmp), "GIT_CONFIG_NOSYSTEM": "1"}
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    labels = ["-L", "ours", "-L", "base", "-L", "theirs"]
    done = subprocess.run(
        ["git", "merge-file", "-p", "--diff3", *labels, "ours", "base", "theirs"],
        cwd=tmp,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode >= 0, done.stderr
    return done.stdout, done.returncode


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BASE = "".join(f"line {i}\n" for i in range(1, 9))


def edit(text: str, **lines: str | None) -> str:
    """``text`` with line N replaced (``l3="x"``) or removed (``l3=None``)."""
    out = text.splitlines(keepends=True)
    for key, value in sorted(lines.items(), key=lambda kv: -int(kv[0][1:])):
        i = int(key[1:]) - 1
        out[i : i + 1] = [] if value is None else [value + "\n"]
    return "".join(out)


def test_one_sided_changes_are_taken() -> None:
    ours = edit(BASE, l2="ours 2")
    theirs = edit(BASE, l7="theirs 7")
    got = merge(BASE, ours, theirs)
    assert got == ContentMerge(
        edit(BASE, l2="ours 2", l7="theirs 7").encode(), 0, "text"
    )


def test_edits_two_lines_apart_merge_cleanly() -> None:
    got = merge(BASE, edit(BASE, l3="ours 3"), edit(BASE, l5="theirs 5"))
    assert got.conflicts == 0
    assert got.data.decode() == edit(BASE, l3="ours 3", l5="theirs 5")


def test_edits_of_neighbouring_lines_conflict_as_in_git() -> None:
    got = merge(BASE, edit(BASE, l3="ours 3"), edit(BASE, l4="theirs 4"))
    assert got.conflicts == 1
    assert got.data.decode() == (
        "line 1\nline 2\n"
        "<<<<<<< ours\nours 3\nline 4\n"
        "||||||| base\nline 3\nline 4\n"
        "=======\nline 3\ntheirs 4\n"
        ">>>>>>> theirs\n"
        "line 5\nline 6\nline 7\nline 8\n"
    )


def test_the_same_change_on_both_sides_is_taken_once() -> None:
    both = edit(BASE, l4="same", l5=None)
    got = merge(BASE, edit(both, l1="ours 1"), both)
    assert got == ContentMerge(edit(both, l1="ours 1").encode(), 0, "text")


def test_different_changes_to_one_line_conflict_with_the_base_shown() -> None:
    got = merge(BASE, edit(BASE, l4="ours"), edit(BASE, l4="theirs"))
    assert got.conflicts == 1
    assert got.data.decode() == (
        "line 1\nline 2\nline 3\n"
        "<<<<<<< ours\nours\n||||||| base\nline 4\n=======\ntheirs\n>>>>>>> theirs\n"
        "line 5\nline 6\nline 7\nline 8\n"
    )


def test_insertions_at_the_same_place_conflict() -> None:
    ours = BASE.replace("line 8\n", "line 8\nours 9\n")
    theirs = BASE.replace("line 8\n", "line 8\ntheirs 9\n")
    got = merge(BASE, ours, theirs)
    assert got.data.decode() == BASE + (
        "<<<<<<< ours\nours 9\n||||||| base\n=======\ntheirs 9\n>>>>>>> theirs\n"
    )
    assert got.conflicts == 1


def test_removal_against_change_conflicts() -> None:
    got = merge(BASE, edit(BASE, l6=None), edit(BASE, l6="theirs 6"))
    assert got.data.decode() == (
        "line 1\nline 2\nline 3\nline 4\nline 5\n"
        "<<<<<<< ours\n||||||| base\nline 6\n=======\ntheirs 6\n>>>>>>> theirs\n"
        "line 7\nline 8\n"
    )


def test_conflict_sections_always_end_their_last_line() -> None:
    # Without a final newline on any side, a marker must not be glued on.
    got = merge("a\nb", "a\nours", "a\ntheirs")
    assert got.data == (
        b"a\n<<<<<<< ours\nours\n||||||| base\nb\n=======\ntheirs\n>>>>>>> theirs\n"
    )


def test_a_missing_final_newline_is_a_change_like_any_other() -> None:
    assert merge("a\nb\n", "a\nb\n", "a\nb").data == b"a\nb"
    assert merge("a\nm\nb\n", "x\nm\nb\n", "a\nm\nb").data == b"x\nm\nb"
    assert merge("a\nm\nb", "x\nm\nb", "a\nm\nb\nc\n").data == b"x\nm\nb\nc\n"
    # Ending an unterminated last line touches the line: as in git, a conflict.
    assert merge("a\nb", "x\nb", "a\nb\nc\n").conflicts == 1


def test_empty_base_merges_like_two_additions() -> None:
    got = merge("", "same\nours\n", "same\ntheirs\n")
    assert got.data == (
        b"<<<<<<< ours\nsame\nours\n||||||| base\n=======\nsame\ntheirs\n>>>>>>> theirs\n"
    )


def test_labels_name_the_sections_and_newlines_in_labels_are_flattened() -> None:
    labels = Labels("service (working tree)", "blueprint 1.4.0", "blueprint\n1.5.0")
    got = merge_text(b"a\n", b"b\n", b"c\n", labels)
    assert got.data == (
        b"<<<<<<< service (working tree)\nb\n||||||| blueprint 1.4.0\na\n"
        b"=======\nc\n>>>>>>> blueprint 1.5.0\n"
    )


def test_split_lines_keeps_endings_and_splits_on_lf_only() -> None:
    assert split_lines(b"a\r\nb\rc\nd") == [b"a\r\n", b"b\rc\n", b"d"]
    assert split_lines(b"") == []
    assert split_lines(b"\n") == [b"\n"]


def test_diff_slides_an_ambiguous_insertion_down_like_git() -> None:
    a = split_lines(b"x\ny\nx\ny\n")
    b = split_lines(b"x\ny\nx\ny\nx\ny\n")
    assert [tuple(h) for h in diff_lines(a, b)] == [(4, 0, 4, 2)]


CASES = {
    "move a block": ("a\nb\nc\nd\ne\n", "c\nd\na\nb\ne\n", "a\nb\nc\nd\nE\n"),
    "both delete around": ("a\nb\nc\nd\n", "b\nc\nd\n", "a\nb\nc\n"),
    "repeated lines": ("x\nx\nx\n", "x\ny\nx\nx\n", "x\nx\nz\nx\n"),
    "blank lines": ("a\n\nb\n\nc\n", "a\n\n\nb\n\nc\n", "a\n\nb\n\n\nc\n"),
    "chained conflict": ("1\n2\n3\n4\n5\n", "1\nA\n3\nB\n5\n", "1\n2\nC\nC\n5\n"),
    "crlf lines": ("a\r\nb\r\n", "a\r\nB\r\n", "A\r\nb\r\n"),
    "all empty": ("", "", "x"),
    "no newline anywhere": ("a", "b", "c"),
}


@needs_git
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_git_on_known_cases(name: str, tmp_path: Path) -> None:
    base, ours, theirs = (s.encode() for s in CASES[name])
    got = merge_text(base, ours, theirs, LABELS)
    assert (got.data, got.conflicts) == git_merge_file(tmp_path, base, ours, theirs)


def _random_version(rng: random.Random, base: list[str], alphabet: str) -> list[str]:
    lines = list(base)
    for _ in range(rng.randint(0, 4)):
        i = rng.randint(0, len(lines))
        op = rng.random()
        if op < 0.4:
            lines[i:i] = [rng.choice(alphabet) for _ in range(rng.randint(1, 3))]
        elif op < 0.7:
            del lines[i : i + rng.randint(1, 2)]
        elif i < len(lines):
            lines[i] = rng.choice(alphabet)
    return lines


def _text(rng: random.Random, lines: list[str]) -> bytes:
    data = "".join(f"{x}\n" for x in lines).encode()
    return data[:-1] if data and rng.random() < 0.15 else data


def _unique_version(rng: random.Random, base: list[str], fresh: list[str]) -> list[str]:
    """Random inserts, deletes and replacements that never repeat a line."""
    lines = list(base)
    for _ in range(rng.randint(0, 4)):
        i = rng.randint(0, len(lines))
        op = rng.random()
        if op < 0.4:
            lines[i:i] = [fresh.pop() for _ in range(rng.randint(1, 3))]
        elif op < 0.7:
            del lines[i : i + rng.randint(1, 2)]
        elif i < len(lines):
            lines[i] = fresh.pop()
    return lines


@needs_git
def test_matches_git_when_lines_are_unambiguous(tmp_path: Path) -> None:
    """With no repeated lines there is one sensible diff: git's and ours agree.

    Where lines repeat, several diffs are equally short and the two tools may
    align them differently (and so split a conflict differently); the laws in
    test_properties.py hold either way.
    """
    rng = random.Random(20240601)
    for _ in range(300):
        pool = [f"line {n}" for n in range(60)]
        rng.shuffle(pool)
        base = [pool.pop() for _ in range(rng.randint(0, 10))]
        sides = [_text(rng, _unique_version(rng, base, pool)) for _ in "ot"]
        b = _text(rng, base)
        got = merge_text(b, sides[0], sides[1], LABELS)
        want = git_merge_file(tmp_path, b, sides[0], sides[1])
        assert (got.data, got.conflicts) == want, (b, sides)


def _source_file(n: int) -> list[str]:
    """A file shaped like code: indented lines, repeats, blank lines."""
    rng = random.Random(n)
    words = ["return x", "pass", "}", "", "i += 1", "if x:", "else:"]
    return [
        rng.choice(words) if rng.random() < 0.3 else f"    value_{i} = compute({i})"
        for i in range(n)
    ]


def _scatter(rng: random.Random, lines: list[str], tag: str, edits: int) -> list[str]:
    out = list(lines)
    for k in range(edits):
        i = rng.randrange(len(out))
        if k % 3 == 0:
            out.insert(i, f"# {tag} added {k}")
        elif k % 3 == 1:
            del out[i]
        else:
            out[i] = f"{out[i]}  # {tag} {k}"
    return out


@needs_git
def test_matches_git_on_a_large_file_with_scattered_edits(tmp_path: Path) -> None:
    rng = random.Random(7)
    base = _source_file(2000)
    b, o, t = (
        "\n".join(x).encode() + b"\n"
        for x in (
            base,
            _scatter(rng, base, "ours", 40),
            _scatter(rng, base, "theirs", 40),
        )
    )
    got = merge_text(b, o, t, LABELS)
    assert (got.data, got.conflicts) == git_merge_file(tmp_path, b, o, t)


def test_a_2000_line_merge_with_scattered_edits_is_fast() -> None:
    rng = random.Random(11)
    base = _source_file(2000)
    b, o, t = (
        "\n".join(x).encode() + b"\n"
        for x in (
            base,
            _scatter(rng, base, "ours", 30),
            _scatter(rng, base, "theirs", 30),
        )
    )
    best = min(_timed(lambda: merge_text(b, o, t, LABELS)) for _ in range(3))
    assert best < 0.05


def _timed(fn: object) -> float:
    assert callable(fn)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _repetitive_file(blocks: int) -> list[str]:
    """Code where nearly every line repeats: many small, similar blocks."""
    out: list[str] = []
    for i in range(blocks):
        out += ["    if ready:", "        pass", "    }", ""] if i % 2 else ["{", "}"]
    return out


def test_a_20000_line_repetitive_file_changed_on_both_sides_merges_fast() -> None:
    base = _repetitive_file(6667)
    assert len(base) >= 20000
    ours, theirs = list(base), list(base)
    ours[9000] = "        return ours"
    ours[1000:1000] = ["    ours_setting = 1"]
    theirs[19990] = "    theirs()"
    theirs[15000:15001] = []
    b, o, t = ("\n".join(x).encode() + b"\n" for x in (base, ours, theirs))
    want = list(base)
    want[19990] = "    theirs()"
    want[15000:15001] = []
    want[9000] = "        return ours"
    want[1000:1000] = ["    ours_setting = 1"]
    start = time.perf_counter()
    got = merge_text(b, o, t, LABELS)
    took = time.perf_counter() - start
    assert got == ContentMerge("\n".join(want).encode() + b"\n", 0, "text")
    assert took < 1.0
