"""A service generated inside another git repository (a monorepo, or a
newcomer's clone of synctool itself): it works before anything is committed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, run_cli


@pytest.fixture
def monorepo(workdir: Path) -> Path:
    git(workdir, "init", "-q", "-b", "main")
    git(workdir, "commit", "-q", "--allow-empty", "-m", "root")
    return workdir


def test_init_inside_a_repository_says_what_to_commit(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "init", "services/orders", "--ref", "1.0.0", "--defaults")
    assert result.code == 0, result.err
    svc = monorepo / "services/orders"
    assert not (svc / ".git").exists()  # the service is the monorepo's
    out = result.out + result.err
    assert f"lives inside the git repository at {monorepo}" in out, out
    assert f"git -C {monorepo} add services/orders" in out, out


def test_a_service_the_repository_ignores_gets_its_own(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (monorepo / ".gitignore").write_text("/my-service/\n")
    git(monorepo, "add", ".gitignore")
    git(monorepo, "commit", "-q", "-m", "ignore the newcomer's service")
    result = run_cli(capsys, "init", "my-service", "--ref", "1.0.0", "--defaults")
    assert result.code == 0, result.err
    svc = monorepo / "my-service"
    assert git(svc, "rev-parse", "--show-toplevel").strip() == str(svc.resolve())
    assert git(svc, "status", "--porcelain") == ""
    assert "Initialised a git repository with the first commit" in result.out
    assert "lives inside" not in result.out + result.err
    assert git(monorepo, "status", "--porcelain") == ""
    assert run_cli(capsys, "update", "my-service").code == 0  # a clean tree of its own


def test_check_passes_on_an_uncommitted_service_in_a_monorepo(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "init", "orders", "--ref", "1.0.0", "--defaults").code == 0
    result = run_cli(capsys, "check", "orders", "--format", "json")
    assert result.code == 0, result.out
    assert json.loads(result.out)["findings"] == []


def test_a_missing_managed_file_is_still_missing_when_untracked(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "init", "orders", "--ref", "1.0.0", "--defaults").code == 0
    (monorepo / "orders/Dockerfile").unlink()
    (monorepo / "orders/scripts/test.sh").write_text("#!/bin/sh\nexit 0\n")
    result = run_cli(capsys, "check", "orders", "--format", "json")
    assert result.code == 1, result.out
    found = {(f["rule"], f["path"]) for f in json.loads(result.out)["findings"]}
    assert ("managed-missing", "Dockerfile") in found
    assert ("managed-drift", "scripts/test.sh") in found
