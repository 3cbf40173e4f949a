"""The fleet commits the team's version kept beside a managed file even
where .gitignore matches it, and `check` on the pushed branch fails until
the team decides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, init_service, release, run_cli

COPIER = "_subdirectory: template\n"
POLICY = "ownership:\n  managed: [Makefile]\n"
V1 = {
    "copier.yml": COPIER,
    "synctool.yml": POLICY,
    "template/Makefile": "test:\n\tpytest\n",
    "template/.gitignore": "*.local\n",
}
V2 = {**V1, "template/Makefile": "test:\n\tpytest -q\n"}
BRANCH = "synctool/update"


def test_an_ignored_local_copy_reaches_the_branch_and_fails_check(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, bp = init_service(capsys, workdir, V1)
    (svc / "Makefile").write_text("test:\n\tpytest -x\n")  # the team's edit
    git(svc, "commit", "-qam", "Stop at the first failure")
    remote = workdir / "svc.git"
    git(workdir, "clone", "-q", "--bare", str(svc), str(remote))
    release(bp, "v1.1.0", V2)

    result = run_cli(
        capsys,
        "fleet",
        "update",
        str(remote),
        "--push",
        "--branch",
        BRANCH,
        "--jobs",
        "1",
        "--workdir",
        str(workdir / "work"),
    )
    assert result.code == 1, result.out + result.err  # a conflict to decide

    pushed = workdir / "pushed"
    git(workdir, "clone", "-q", "--branch", BRANCH, str(remote), str(pushed))
    assert (pushed / "Makefile.local").read_text() == "test:\n\tpytest -x\n"
    assert (pushed / "Makefile").read_text() == "test:\n\tpytest -q\n"
    check = run_cli(capsys, "check", str(pushed), "--format", "json")
    assert check.code == 1, check.out
    paths = {f["path"] for f in json.loads(check.out)["findings"]}
    assert "Makefile.local" in paths
