"""synctool.service.values: YAML values made plain, or refused with a reason."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from synctool.service.values import invalid_value, plain
from synctool.service.yamlio import load_roundtrip


def test_a_number_with_thousands_of_digits_is_named_by_its_line() -> None:
    text = "a: 1\nb: " + "9" * 5000 + "\n"
    error = invalid_value(Path("/x/.synctool.yml"), text, ValueError("too long"))
    assert error.message == (
        ".synctool.yml:2: a number with thousands of digits, too long to read."
    )
    assert error.hint == "Quote it if it is text, or shorten it."


def test_an_impossible_date_is_named_by_its_line() -> None:
    text = "since: 2024-01-31\nuntil: 2024-02-30\n"
    error = invalid_value(Path(".synctool.yml"), text, ValueError("day is out"))
    assert error.message == ".synctool.yml:2: 2024-02-30 is not a date."
    assert error.hint == "Fix the date (YYYY-MM-DD), or quote it if it is text."


def test_any_other_value_gives_the_first_line_of_the_reason() -> None:
    error = invalid_value(Path("a.yml"), "x: 1\n", ValueError("bad thing\ndetails"))
    assert error.message == "a.yml: a value cannot be read (bad thing)."
    error = invalid_value(Path("a.yml"), "x: 1\n", ValueError())
    assert error.message == "a.yml: a value cannot be read (ValueError)."


def test_plain_turns_round_trip_yaml_into_builtin_types() -> None:
    loaded = YAML(typ="rt").load("a: 1\nb: [true, 2.5, x]\n3: {c: null}\n")
    result = plain(loaded)
    assert result == {"a": 1, "b": [True, 2.5, "x"], "3": {"c": None}}
    assert type(result) is dict
    assert type(result["b"]) is list
    assert [type(v) for v in result["b"]] == [bool, float, str]
    assert type(result["a"]) is int


def test_an_anchored_bool_stays_a_bool(tmp_path: Path) -> None:
    """ruamel reads `&x true` as a ScalarBoolean, an int: an answer written
    so is still true, not 1, when recorded."""
    path = tmp_path / "answers.yml"
    path.write_text("helm: &on true\nterraform: *on\nport: 8000\n")
    answers = plain(load_roundtrip(path))
    assert answers == {"helm": True, "terraform": True, "port": 8000}
    assert [type(v) for v in answers.values()] == [bool, bool, int]
