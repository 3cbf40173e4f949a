"""A YAML file past the structural merge's size limit (a generated 1 MB
spec) merges line by line in a second or two, not minutes, and a clean line
merge that would hold a key twice is still a conflict."""

from __future__ import annotations

import time

import pytest

from synctool.merge.types import ContentMerge
from synctool.merge.yaml.large import LARGE, merge_large
from tests.merge.helpers import LABELS, file_merge


def _spec(entries: int) -> str:
    return "services:\n" + "".join(
        f"  svc{i}:\n    image: repo/app{i}:1.0.0\n    env:\n"
        f'      - name: KEY{i}\n        value: "v{i}"\n'
        for i in range(entries)
    )


BASE = _spec(12_000)  # ~1 MB


def _merge(ours: str, theirs: str) -> tuple[ContentMerge, float]:
    started = time.monotonic()
    got = file_merge("yaml", BASE, ours, theirs)
    return got, time.monotonic() - started


def test_the_spec_is_past_the_limit() -> None:
    assert len(BASE) > 3 * LARGE


def test_two_edits_far_apart_merge_cleanly_and_fast() -> None:
    ours = BASE.replace("app5:1.0.0", "app5:9.9.9", 1)
    theirs = BASE.replace("app11990:1.0.0", "app11990:7.7.7", 1)

    got, took = _merge(ours, theirs)

    expected = BASE.replace("app5:1.0.0", "app5:9.9.9", 1).replace(
        "app11990:1.0.0", "app11990:7.7.7", 1
    )
    assert got.data.decode() == expected
    assert got.conflicts == 0
    assert "too large for the structural merge" in got.note
    assert took < 20  # the round-trip structural merge took ~100 s


def test_a_key_both_sides_added_in_different_places_is_a_conflict() -> None:
    ours = BASE.replace("  svc3:\n", "  extra:\n    image: ours\n  svc3:\n", 1)
    theirs = BASE.replace(
        "  svc9000:\n", "  extra:\n    image: theirs\n  svc9000:\n", 1
    )

    got, took = _merge(ours, theirs)

    assert got.conflicts == 1
    assert "no valid YAML" in got.note and "duplicate key" in got.note
    text = got.data.decode()
    assert "image: ours" in text and "image: theirs" in text
    assert took < 20


def test_the_same_line_changed_both_ways_is_a_line_conflict() -> None:
    ours = BASE.replace("app7:1.0.0", "app7:2.0.0", 1)
    theirs = BASE.replace("app7:1.0.0", "app7:3.0.0", 1)

    got, _ = _merge(ours, theirs)

    assert got.conflicts == 1
    text = got.data.decode()
    assert "<<<<<<< ours\n    image: repo/app7:2.0.0\n" in text
    assert "=======\n    image: repo/app7:3.0.0\n>>>>>>> theirs\n" in text
    assert text.count("<<<<<<<") == 1


@pytest.mark.parametrize("size", [LARGE - 1000, LARGE + 1000])
def test_either_side_of_the_limit_the_result_is_the_same(size: int) -> None:
    # Near the limit both merges give the two edits; only the note differs.
    entries = size // len(_spec(1))
    base = _spec(entries)
    ours = base.replace("app1:1.0.0", "app1:1.1.0", 1)
    last = entries - 1
    theirs = base.replace(f"app{last}:1.0.0", f"app{last}:1.2.0", 1)
    got = file_merge("yaml", base, ours, theirs)
    assert got.conflicts == 0
    assert got.data.decode() == ours.replace(f"app{last}:1.0.0", f"app{last}:1.2.0")


def test_a_base_that_is_not_utf8_still_gives_a_conflict_not_a_crash() -> None:
    # A Latin-1 comment in the file as last applied; both sides since saved
    # it as UTF-8 and added the same key in different places.
    base = BASE.encode() + "# café\n".encode("latin-1")
    ours = BASE.replace("  svc3:\n", "  extra:\n    image: ours\n  svc3:\n", 1)
    theirs = BASE.replace("  svc9:\n", "  extra:\n    image: theirs\n  svc9:\n", 1)

    got = merge_large(base, ours.encode(), theirs.encode(), LABELS)

    assert got.conflicts == 1
    assert got.data.count(b"<<<<<<< ours\n") == 1
    assert "café".encode("latin-1") in got.data  # base's bytes, as they were
