"""File names are bytes: a name that is not UTF-8 (Latin-1) goes through
update and every check format without a crash."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import git, init_service, release, run_cli

COPIER = "_subdirectory: template\n"
POLICY = "rules:\n  - id: no-cafe\n    kind: forbidden\n    paths: ['caf*']\n"
LATIN1 = os.fsdecode(b"caf\xe9.txt")


@pytest.fixture
def svc(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    files = {"copier.yml": COPIER, "synctool.yml": POLICY, "template/a.txt": "1\n"}
    svc, bp = init_service(capsys, workdir, files)
    (svc / LATIN1).write_bytes(b"the team's file\n")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "a Latin-1 name")
    release(bp, "v1.1.0", {**files, "template/a.txt": "2\n"})
    return svc


def test_update_keeps_a_latin1_named_file(
    svc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.err
    assert (svc / "a.txt").read_text() == "2\n"
    assert (svc / LATIN1).read_bytes() == b"the team's file\n"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_check_reports_a_latin1_named_file_in_every_format(
    svc: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    result = run_cli(capsys, "check", "svc", "--format", fmt)
    assert result.code == 1, result.out + result.err
    if fmt == "sarif":
        doc = json.loads(result.out)
        (found,) = doc["runs"][0]["results"]
        location = found["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uri"] == "caf%E9.txt"
    elif fmt == "json":
        (found,) = json.loads(result.out)["findings"]
        assert os.fsencode(found["path"]) == b"caf\xe9.txt"
