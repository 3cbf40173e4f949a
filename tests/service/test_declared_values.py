"""A value in .synctool.yml that YAML reads but Python cannot build gets its
own sentence and its line, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import init_service, run_cli, snapshot

COPIER = "_subdirectory: template\n"


@pytest.fixture
def svc(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    files = {"copier.yml": COPIER, "template/a.txt": "a\n"}
    return init_service(capsys, workdir, files)[0]


@pytest.mark.parametrize("command", [("check",), ("sync",)])
def test_a_number_of_thousands_of_digits(
    svc: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    declared = svc / ".synctool.yml"
    lines = declared.read_text().splitlines()
    declared.write_text("\n".join([*lines, "huge: " + "9" * 5000, ""]))
    before = snapshot(svc)
    result = run_cli(capsys, *command, "svc")
    assert result.code == 2
    assert f".synctool.yml:{len(lines) + 1}: a number with thousands of digits" in (
        result.err
    )
    assert "set_int_max_str_digits" not in result.err
    assert "date" not in result.err
    assert snapshot(svc) == before


def test_an_impossible_date(svc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    declared = svc / ".synctool.yml"
    lines = declared.read_text().splitlines()
    waiver = ["waivers:", "  - rule: x", "    reason: y", "    expires: 2027-02-30"]
    declared.write_text("\n".join([*lines, *waiver, ""]))
    result = run_cli(capsys, "check", "svc")
    assert result.code == 2
    assert f".synctool.yml:{len(lines) + 4}: 2027-02-30 is not a date" in result.err
