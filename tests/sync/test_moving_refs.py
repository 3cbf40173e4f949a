"""A ref that moves (HEAD of an untagged blueprint, a branch) is followed by
the commit it names, not by its name: a new commit there is a change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git, make_blueprint, run_cli

COPIER = "_subdirectory: template\n"


def blueprint(workdir: Path, text: str) -> Path:
    return make_blueprint(
        workdir / "bp", {"HEAD": {"copier.yml": COPIER, "template/a.txt": text}}
    )


@pytest.mark.parametrize(
    "command", [("sync",), ("update",), ("update", "--to", "HEAD")]
)
def test_a_new_commit_on_head_is_pulled_in(
    capsys: pytest.CaptureFixture[str], workdir: Path, command: tuple[str, ...]
) -> None:
    bp = blueprint(workdir, "one\n")
    assert (
        run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults").code == 0
    )
    svc = workdir / "svc"
    assert "ref: HEAD\n" in (svc / ".synctool.yml").read_text()
    blueprint(workdir, "two\n")  # a new commit, still untagged

    result = run_cli(capsys, *command, "svc")
    assert result.code == 0, result.err
    assert (svc / "a.txt").read_text() == "two\n"
    head = git(bp, "rev-parse", "HEAD").strip()
    assert f"commit: {head}\n" in (svc / ".synctool.lock").read_text()

    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "synced")
    again = run_cli(capsys, *command, "svc")
    assert again.code == 0, again.err
    assert "nothing to do" in again.out + again.err


def test_a_branch_ref_follows_the_branch(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = blueprint(workdir, "one\n")
    git(bp, "branch", "next")
    made = run_cli(
        capsys, "init", "svc", "--blueprint", str(bp), "--ref", "next", "--defaults"
    )
    assert made.code == 0, made.err
    svc = workdir / "svc"
    git(bp, "checkout", "-q", "next")
    (bp / "template/a.txt").write_text("next\n")
    git(bp, "commit", "-qam", "on next")
    git(bp, "checkout", "-q", "main")

    diff = run_cli(capsys, "sync", "svc", "--dry-run")  # sync follows the declared ref
    assert diff.code == 0, diff.err
    assert "+next" in diff.out
    assert run_cli(capsys, "sync", "svc").code == 0
    assert (svc / "a.txt").read_text() == "next\n"


def test_a_template_folder_outside_git_moves_with_its_content(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    """A folder has no releases; an edit to it is a change `update` merges
    (without a base: what it was applied from is gone), and then it is
    current."""
    bp = workdir / "folder"
    (bp / "template").mkdir(parents=True)
    (bp / "copier.yml").write_text(COPIER)
    (bp / "template/a.txt").write_text("one\n")
    (bp / "template/b.txt").write_text("bee\n")
    made = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert made.code == 0, made.err
    svc = workdir / "svc"
    (svc / "b.txt").write_text("bee, the team's\n")
    git(svc, "commit", "-qam", "ours")
    (bp / "template/a.txt").write_text("two\n")

    result = run_cli(capsys, "update", "svc")

    assert result.code == 0, result.err
    assert (svc / "a.txt").read_text() == "two\n"
    assert (svc / "b.txt").read_text() == "bee, the team's\n"
    assert "the blueprint folder changed since it was applied" in result.err
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "updated")
    again = run_cli(capsys, "update", "svc")
    assert again.code == 0, again.err
    assert "nothing to do" in again.out
