"""A push the remote refuses (a pre-receive hook): the record keeps the
remote's reason and the commit that was made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, init_service, release, run_cli

COPIER = "_subdirectory: template\n"
HOOK = "#!/bin/sh\necho 'commits to synctool/* need a signed-off-by line' >&2\nexit 1\n"


def test_a_refused_push_keeps_the_remote_s_reason_and_the_commit(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _svc, bp = init_service(
        capsys, workdir, {"copier.yml": COPIER, "template/a.txt": "1\n"}
    )
    remote = workdir / "svc.git"
    git(workdir, "clone", "-q", "--bare", str(workdir / "svc"), str(remote))
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    release(bp, "v1.1.0", {"copier.yml": COPIER, "template/a.txt": "2\n"})

    report = workdir / "report.json"
    result = run_cli(
        capsys,
        "fleet",
        "update",
        str(remote),
        "--push",
        "--jobs",
        "1",
        "--workdir",
        str(workdir / "work"),
        "--report",
        str(report),
    )
    assert result.code == 1
    (record,) = json.loads(report.read_text())["repos"]
    assert record["status"] == "failed" and not record["pushed"]
    assert "need a signed-off-by line" in record["error"], record["error"]
    assert record["commit"] and len(record["commit"]) == 40
    assert record["branch"] == "synctool/update-1.1.0"
