"""The real pre-commit framework runs `synctool check` on a generated service.

The hook is configured as `repo: local` / `language: system` (as the README
shows), so no environment is built and nothing touches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from synctool.cli import run as cli_run
from tests.check.test_check import MAKEFILE, RELEASES
from tests.helpers import GIT_ENV, git, make_blueprint

PRE_COMMIT_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: synctool-check
        name: synctool check
        entry: synctool check
        language: system
        pass_filenames: false
        always_run: true
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """git identity, a private pre-commit cache, and this Python's scripts
    (synctool, pre-commit) first on PATH."""
    scripts = str(Path(sys.executable).parent)
    return {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")]),
        "NO_COLOR": "1",
    }


@pytest.fixture(scope="module")
def hooked(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A service made by `synctool init`, the hook installed by `pre-commit
    install` and its configuration committed through the hook."""
    blueprint = make_blueprint(tmp_path_factory.mktemp("bp") / "bp", RELEASES)
    home = tmp_path_factory.mktemp("init-home")
    dest = tmp_path_factory.mktemp("generated") / "orders"
    with pytest.MonkeyPatch.context() as mp:
        for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            mp.setenv(var, str(home / var.lower()))
        for var, value in GIT_ENV.items():
            mp.setenv(var, value)
        args = ["init", str(dest), "--blueprint", str(blueprint), "--defaults", "-q"]
        assert cli_run([*args, "--no-color", "--ref", "v1.0.0"]) == 0

    assert shutil.which("synctool", path=env["PATH"]) is not None
    (dest / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG)
    installed = run(dest, env, sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (dest / ".git/hooks/pre-commit").is_file()
    git(dest, "add", ".pre-commit-config.yaml")
    first = commit(dest, env, "Add the pre-commit hook")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "synctool check" in first.stdout + first.stderr
    return dest


@pytest.fixture
def svc(tmp_path: Path, hooked: Path) -> Path:
    dest = tmp_path / "orders"
    shutil.copytree(hooked, dest, symlinks=True)
    return dest


def run(cwd: Path, env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def commit(
    svc: Path, env: dict[str, str], message: str
) -> subprocess.CompletedProcess[str]:
    """`git commit` with hooks: the way people commit."""
    return run(svc, env, "git", "commit", "-m", message)


def head(svc: Path) -> str:
    return git(svc, "rev-parse", "HEAD").strip()


def test_commit_adding_env_is_blocked_with_the_rules_message(
    svc: Path, env: dict[str, str]
) -> None:
    (svc / ".env").write_text("DATABASE_PASSWORD=hunter2\n")
    git(svc, "add", "-f", ".env")  # .gitignore lists it: force, as people do
    before = head(svc)
    blocked = commit(svc, env, "Add local settings")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert head(svc) == before
    assert "synctool check" in output and "Failed" in output
    assert "no-secrets" in output
    assert "Secrets must not be committed." in output
    assert "1 error, 0 warnings, 0 waived" in output

    git(svc, "rm", "-q", "--cached", ".env")  # what the hint says; still on disk
    (svc / "README.md").write_text("# orders\n\nThe orders service.\n")
    git(svc, "add", "README.md")
    clean = commit(svc, env, "Describe the service")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert head(svc) != before
    assert "Passed" in clean.stdout + clean.stderr
    assert git(svc, "ls-files", ".env") == ""
    assert (svc / ".env").is_file()  # ignored, local: not the repository's business


def test_commit_of_an_edited_managed_file_is_blocked(
    svc: Path, env: dict[str, str]
) -> None:
    (svc / "Makefile").write_text(MAKEFILE + "\techo skip the tests\n")
    git(svc, "add", "Makefile")
    blocked = commit(svc, env, "Skip the tests")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "managed-drift" in output
    assert "blueprint-managed file was edited; the blueprint owns it" in output


def test_hook_checks_what_is_committed_not_unstaged_edits(
    svc: Path, env: dict[str, str]
) -> None:
    # pre-commit stashes unstaged changes: an unstaged edit to a managed file
    # does not block committing something else, and survives the commit.
    edited = MAKEFILE + "\techo work in progress\n"
    (svc / "Makefile").write_text(edited)
    (svc / "README.md").write_text("# orders\n\nThe orders service.\n")
    git(svc, "add", "README.md")
    clean = commit(svc, env, "Describe the service")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert (svc / "Makefile").read_text() == edited
