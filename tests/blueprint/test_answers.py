"""synctool.blueprint.answers: --data KEY=VALUE and --data-file FILE."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctool.blueprint.answers import parse_data
from synctool.errors import InputError


def test_data_wins_over_the_file_and_values_stay_strings(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("service_name: orders\nport: 8080\nteam: core\n")
    data = parse_data(["port=9090", "team= a=b ", " region =eu"], answers)
    assert data == {
        "service_name": "orders",
        "port": "9090",
        "team": " a=b ",  # the value as given; only the key is stripped
        "region": "eu",
    }


def test_no_data_and_an_empty_file_give_no_answers(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yml"
    empty.write_text("")
    assert parse_data([], None) == {}
    assert parse_data([], empty) == {}


@pytest.mark.parametrize("pair", ["service_name", "=x", "1abc=x", "a-b=x"])
def test_a_pair_that_is_not_key_value_is_refused(pair: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_data([pair], None)
    assert caught.value.message == f"--data {pair!r} is not KEY=VALUE."
    assert caught.value.hint == "Write it as --data service_name=orders."


def test_copiers_own_names_are_refused_on_the_command_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_data(["_src_path=/tmp"], None)
    assert caught.value.message == (
        "--data _src_path: names starting with _ are copier's own settings, "
        "not questions."
    )
    assert caught.value.hint == (
        "Answer the blueprint's questions only (see its copier.yml)."
    )


def test_copiers_own_names_are_refused_in_the_file(tmp_path: Path) -> None:
    answers = tmp_path / "a.yml"
    answers.write_text("name: x\n_commit: abc\n")
    with pytest.raises(InputError) as caught:
        parse_data([], answers)
    assert caught.value.message == (
        f"--data-file {answers}: _commit: names starting with _ are copier's own "
        "settings, not questions."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "{path}: answers must be a YAML mapping of question: answer."),
        ("1: x\n", "{path}: answers must be a YAML mapping of question: answer."),
        ("a: 1\n  b: 2\n", "{path}:2: malformed YAML: mapping values are not allowed here."),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_mapping_of_answers_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    answers = tmp_path / "a.yml"
    answers.write_text(text)
    with pytest.raises(InputError) as caught:
        parse_data([], answers)
    assert caught.value.message == message.format(path=answers)


def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        parse_data([], tmp_path / "missing.yml")
    assert caught.value.message == (
        f"--data-file {tmp_path / 'missing.yml'}: cannot be read "
        "(No such file or directory)."
    )
    latin = tmp_path / "latin.yml"
    latin.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InputError) as caught:
        parse_data([], latin)
    assert caught.value.message == f"--data-file {latin}: not UTF-8 text (byte 9)."
