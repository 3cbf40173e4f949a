"""synctool.ui.console: -q/-v/--no-color, and text made safe to print."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from synctool.ui.console import State, configure, emit, escape, shown


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    yield
    configure()


def test_a_name_that_is_not_utf8_is_shown_with_escapes() -> None:
    assert shown("plain.txt") == "plain.txt"
    assert shown(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert shown("café.txt") == "café.txt"


def test_escape_keeps_rich_markup_in_a_file_name_literal() -> None:
    assert escape("values[prod].yaml") == "values\\[prod].yaml"
    assert escape("[bold]x[/]") == "\\[bold]x\\[/]"
    assert escape("a[1]") == "a[1]"  # not markup: left as is
    assert escape(os.fsdecode(b"[red]\xff")) == "\\[red]\\xff"


def test_no_color_from_the_flag_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(quiet=True, verbose=True)
    assert (State.quiet, State.verbose, State.system) == (True, True, "auto")
    configure(color=False)
    assert State.system is None
    monkeypatch.setenv("NO_COLOR", "1")
    configure()
    assert State.system is None


def test_output_that_is_not_a_terminal_is_plain_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    emit("[error]styled[/]", "plain " + os.fsdecode(b"\xe9"), stderr=True)
    emit("[bold]x[/]", "out")
    captured = capsys.readouterr()
    assert captured.err == "plain \\xe9\n"
    assert captured.out == "out\n"
