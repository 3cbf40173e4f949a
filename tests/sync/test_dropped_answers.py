"""An answer gone from `.synctool.yml` is not silently replaced by the
question's default: that would rename a service behind the team's back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git, init_service, run_cli, snapshot

BLUEPRINT = {
    "copier.yml": (
        "_subdirectory: template\n"
        "name:\n  type: str\n  default: orders\n"
        "port:\n  type: int\n  default: 8000\n"
    ),
    "template/app.txt.jinja": "{{ name }} on {{ port }}\n",
}


def _declare(svc: Path, text: str) -> None:
    (svc / ".synctool.yml").write_text(text)
    git(svc, "commit", "-qam", "edit .synctool.yml")


@pytest.mark.parametrize("command", [("sync",), ("update",), ("diff",)])
def test_a_dropped_answer_that_would_change_is_refused(
    capsys: pytest.CaptureFixture[str], workdir: Path, command: tuple[str, ...]
) -> None:
    svc, _ = init_service(capsys, workdir, BLUEPRINT, "--data", "name=alpha")
    assert (svc / "app.txt").read_text() == "alpha on 8000\n"
    _declare(svc, f"blueprint: {workdir / 'bp'}\nref: v1.0.0\nanswers:\n  port: 8000\n")
    before = snapshot(svc)

    result = run_cli(capsys, *command, "svc")

    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: .synctool.yml lacks the answer `name` ('alpha'), which the service "
        "was generated with: the blueprint's default would replace it. Put the "
        "answer back under `answers:` in .synctool.yml (or write the value you "
        "want there), then sync again.\n"
    )
    assert snapshot(svc) == before


def test_a_dropped_answer_the_default_keeps_and_a_new_value_pass(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, _ = init_service(capsys, workdir, BLUEPRINT, "--data", "name=alpha")
    bp = workdir / "bp"
    _declare(svc, f"blueprint: {bp}\nref: v1.0.0\nanswers:\n  name: alpha\n")

    result = run_cli(capsys, "sync", "svc")  # port: 8000 is its default anyway

    assert result.code == 0, result.err
    assert (svc / "app.txt").read_text() == "alpha on 8000\n"
    _declare(svc, f"blueprint: {bp}\nref: v1.0.0\nanswers:\n  port: 8000\n")
    moved = run_cli(capsys, "update", "svc", "--data", "name=beta")
    assert moved.code == 0, moved.err
    assert (svc / "app.txt").read_text() == "beta on 8000\n"
