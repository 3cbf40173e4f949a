"""`fleet update --push` with a stable --branch never overwrites commits a
team pushed onto that branch: it leaves the branch and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fleet.test_fleet import V2, Fleet, by_name, fleet_update
from tests.fleet.test_fleet import fleet as fleet  # the fixture
from tests.helpers import git, make_blueprint

BRANCH = "synctool/blueprint"
V3 = {**V2, "template/docs/runbook.md": "# Runbook\n\nOn call: see the wiki.\n"}


def team_commits_on(remote: Path, tmp: Path, name: str) -> str:
    work = tmp / f"team-{name}"
    git(tmp, "clone", "-q", "--branch", BRANCH, str(remote), str(work))
    (work / "NOTES.md").write_text("The team's resolution.\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "Resolve the update our way")
    git(work, "push", "-q", "origin", BRANCH)
    return git(work, "rev-parse", "HEAD").strip()


def test_a_branch_with_the_teams_commits_is_never_force_pushed(
    fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The fleet's blueprint has released v2.0.0 (build_fleet).
    _code, doc, _err = fleet_update(capsys, fleet, "--push", "--branch", BRANCH)
    assert by_name(fleet, doc)["alpha"]["pushed"], doc
    ours = team_commits_on(fleet.remotes["alpha"], tmp_path, "alpha")

    make_blueprint(fleet.blueprint, {"v3.0.0": V3})
    code, doc, _err = fleet_update(capsys, fleet, "--push", "--branch", BRANCH)
    records = by_name(fleet, doc)
    alpha = records["alpha"]
    assert alpha["status"] == "failed" and not alpha["pushed"], alpha
    assert "synctool did not make" in alpha["error"]
    assert "not overwritten" in alpha["error"]
    # The team's commit is still the branch's tip on the origin.
    tip = git(fleet.remotes["alpha"], "rev-parse", f"refs/heads/{BRANCH}").strip()
    assert tip == ours
    # A branch holding only synctool's own commits is moved on as before.
    gamma = records["gamma"]
    assert gamma["pushed"] and gamma["to_version"] == "3.0.0", gamma
    assert code == 1
