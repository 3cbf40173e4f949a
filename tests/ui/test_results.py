"""synctool.ui.results: a sync's plan as a table, whole where no terminal
sets a width (a pipe, a file, a CI log)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from synctool.ui.console import configure
from synctool.ui.results import plan_table


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    configure()
    yield
    configure()


def test_a_plan_sent_to_a_pipe_keeps_every_column_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    rows = [
        (".github/workflows/ci.yml", "update", "text", 0, "changed in blueprint"),
        ("deploy/helm/orders/values.yaml", "merge", "yaml", 2, "changed on both sides"),
        ("src/orders/settings.py", "create", "text", 0, "new in blueprint"),
    ]
    plan_table(rows, "Plan: 1.0.0 -> 1.1.0")
    lines = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == "Plan: 1.0.0 -> 1.1.0"
    assert [cell.strip() for cell in lines[1].split("┃")] == [
        "path",
        "action",
        "driver",
        "conflicts",
        "why",
    ]
    assert [[cell.strip() for cell in line.split("│")] for line in lines[3:]] == [
        [".github/workflows/ci.yml", "update", "text", "", "changed in blueprint"],
        [
            "deploy/helm/orders/values.yaml",
            "merge",
            "yaml",
            "2",
            "changed on both sides",
        ],
        ["src/orders/settings.py", "create", "text", "", "new in blueprint"],
    ]
