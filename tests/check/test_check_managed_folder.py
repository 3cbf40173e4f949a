"""A managed folder replaced by a symlink or a plain file is not taken for a
submodule: every managed file under it is missing, and check fails."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import git, init_service, run_cli

FILES = {
    "copier.yml": "_subdirectory: template\n",
    "synctool.yml": "ownership:\n  managed: ['.github/workflows/**']\n",
    "template/.github/workflows/ci.yml": "on: push\njobs: {}\n",
    "template/.github/workflows/deploy.yml": "on: push\njobs: {}\n",
}


@pytest.mark.parametrize("replacement", ["symlink", "file"])
def test_a_folder_swapped_for_a_link_or_file_fails_check(
    capsys: pytest.CaptureFixture[str], workdir: Path, replacement: str
) -> None:
    svc, _bp = init_service(capsys, workdir, FILES)
    elsewhere = workdir / "mine"
    elsewhere.mkdir()
    (elsewhere / "ci.yml").write_text("on: push\njobs: {anything: {}}\n")
    git(svc, "rm", "-rq", ".github/workflows")
    target = svc / ".github/workflows"
    target.parent.mkdir(exist_ok=True)
    if replacement == "symlink":
        os.symlink(elsewhere, target)
    else:
        target.write_text("nothing here\n")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", f"workflows as a {replacement}")

    result = run_cli(capsys, "check", "svc", "--format", "json")
    assert result.code == 1, result.out
    found = {(f["rule"], f["path"]) for f in json.loads(result.out)["findings"]}
    assert ("managed-missing", ".github/workflows/ci.yml") in found
    assert ("managed-missing", ".github/workflows/deploy.yml") in found
