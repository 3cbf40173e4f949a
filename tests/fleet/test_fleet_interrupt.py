"""Ctrl-C during `fleet update --push`: nothing more is started, the repos
in flight finish, and the summary and report say what happened (exit 130)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from synctool import ui
from tests.helpers import git, make_blueprint, run_cli

COPIER = "_subdirectory: template\nname: {type: str, default: svc}\n"


def test_ctrl_c_stops_handing_out_work_and_still_reports(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bp = make_blueprint(
        workdir / "bp", {"v1.0.0": {"copier.yml": COPIER, "template/a.txt": "1\n"}}
    )
    remotes = []
    for n in range(6):
        name = f"svc{n}"
        made = run_cli(capsys, "init", name, "--blueprint", str(bp), "--defaults")
        assert made.code == 0, made.err
        remote = workdir / f"{name}.git"
        git(workdir, "clone", "-q", "--bare", str(workdir / name), str(remote))
        remotes.append(remote)
    make_blueprint(bp, {"v1.1.0": {"copier.yml": COPIER, "template/a.txt": "2\n"}})

    @contextlib.contextmanager
    def interrupted_after_first(
        total: int, title: str
    ) -> Iterator[Callable[..., None]]:
        def progress(*shown: str) -> None:
            raise KeyboardInterrupt  # the user presses Ctrl-C

        yield progress

    monkeypatch.setattr(ui, "fleet_progress", interrupted_after_first)
    report = workdir / "report.json"
    result = run_cli(
        capsys,
        "fleet",
        "update",
        *map(str, remotes),
        "--push",
        "--jobs",
        "2",
        "--workdir",
        str(workdir / "work"),
        "--report",
        str(report),
    )
    assert result.code == 130, result.out + result.err
    records = json.loads(report.read_text())["repos"]
    assert [r["repo"] for r in records] == [str(r) for r in remotes]
    pushed = [r for r in records if r["pushed"]]
    skipped = [r for r in records if r["status"] == "skipped"]
    # the one done, and at most --jobs in flight when Ctrl-C came
    assert 1 <= len(pushed) <= 3, pushed
    assert len(pushed) + len(skipped) == len(remotes)
    for record, remote in zip(records, remotes, strict=True):
        branches = git(remote, "branch", "--list", "synctool/*").strip()
        assert bool(branches) == record["pushed"], (record, branches)
    assert "interrupted" in result.err
