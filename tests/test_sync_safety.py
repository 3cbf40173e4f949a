"""Hostile and awkward layouts: nothing written outside the service or into
.git, no local file replaced silently, no crash half-way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import git, make_blueprint, run_cli, snapshot

COPIER = "name:\n  type: str\n  default: orders\n"


def _service(
    capsys: pytest.CaptureFixture[str], workdir: Path, v1: dict[str, str]
) -> tuple[Path, Path]:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": {"copier.yml": COPIER, **v1}})
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert result.code == 0, result.err
    return bp, workdir / "svc"


def _release(bp: Path, files: dict[str, str], tag: str = "v1.1.0") -> None:
    make_blueprint(bp, {tag: {"copier.yml": COPIER, **files}})


def test_a_service_symlink_into_git_is_never_written_through(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"README.md": "hi\n"})
    (svc / "ci").symlink_to(".git")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "link")
    config = (svc / ".git/config").read_bytes()
    _release(bp, {"README.md": "hi\n", "ci/config": "[core]\n\tbare = true\n"})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 2
    assert "enters its .git" in result.err
    assert (svc / ".git/config").read_bytes() == config


def test_a_blueprint_symlink_chain_out_of_the_service_is_refused(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(
        workdir / "bp",
        {"v1.0.0": {"copier.yml": COPIER + "_preserve_symlinks: true\n"}},
    )
    (bp / "u").symlink_to(".")
    (bp / "leak").symlink_to("u/../secret.txt")
    git(bp, "add", "-A")
    git(bp, "commit", "-qm", "links")
    git(bp, "tag", "v1.0.1")
    (workdir / "secret.txt").write_text("secret\n")
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert result.code == 2
    assert "symlink that leaves the service" in result.err
    assert not (workdir / "svc").exists()


def test_a_folder_that_becomes_a_file(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"config/app.yml": "a: 1\n"})
    _release(bp, {"config": "a = 1\n"})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.err
    assert (svc / "config").read_text() == "a = 1\n"


def test_a_folder_holding_user_files_is_not_replaced(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"config/app.yml": "a: 1\n"})
    (svc / "config/mine.yml").write_text("mine: true\n")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "mine")
    before = snapshot(svc)
    _release(bp, {"config": "a = 1\n"})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 2
    assert "turns the folder config into a file" in result.err
    assert snapshot(svc) == before


def test_a_file_that_becomes_a_folder(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"config": "a = 1\n"})
    _release(bp, {"config/app.yml": "a: 1\n"})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.err
    assert (svc / "config/app.yml").read_text() == "a: 1\n"


def test_an_ignored_local_file_is_not_replaced_by_a_new_managed_file(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"README.md": "hi\n"})
    with (svc / ".git/info/exclude").open("a") as exclude:
        exclude.write("settings.py\n")  # ignored: git holds no copy of it
    (svc / "settings.py").write_text("SECRET = 'local only'\n")
    policy = "ownership:\n  managed: [settings.py]\n"
    _release(
        bp,
        {"README.md": "hi\n", "settings.py": "SECRET = None\n", "synctool.yml": policy},
    )
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1
    assert (svc / "settings.py").read_text() == "SECRET = 'local only'\n"
    assert (svc / "settings.py.blueprint").read_text() == "SECRET = None\n"


def test_a_file_the_user_made_a_symlink_is_not_merged_as_text(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"notes.txt": "one\n", "real.txt": "real\n"})
    (svc / "notes.txt").unlink()
    (svc / "notes.txt").symlink_to("real.txt")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "link")
    _release(bp, {"notes.txt": "one\ntwo\n", "real.txt": "real\n"})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1
    assert os.readlink(svc / "notes.txt") == "real.txt"
    assert (svc / "notes.txt.blueprint").read_text() == "one\ntwo\n"


def test_check_fails_on_an_interrupted_sync(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _service(capsys, workdir, {"README.md": "hi\n"})
    journal = svc / ".synctool-journal"
    journal.mkdir()
    (journal / "manifest.json").write_text('{"ops": []}')
    result = run_cli(capsys, "check", "svc")
    assert result.code == 1
    assert "sync-interrupted" in result.out and "synctool sync --abort" in result.out


def test_a_relative_blueprint_path_converges(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"README.md": "hi\n"})
    declared = svc / ".synctool.yml"
    declared.write_text(
        declared.read_text().replace(f"blueprint: {bp}", "blueprint: ../bp")
    )
    git(svc, "commit", "-qam", "relative source")
    assert run_cli(capsys, "check", "svc").code == 0
    _release(bp, {"README.md": "hello\n"})
    assert run_cli(capsys, "update", "svc").code == 0
    assert (svc / "README.md").read_text() == "hello\n"
    assert "blueprint: ../bp\n" in declared.read_text()
    git(svc, "commit", "-qam", "update")
    again = run_cli(capsys, "sync", "svc")
    assert again.code == 0 and "nothing to do" in again.out
    assert run_cli(capsys, "check", "svc").code == 0


def test_editing_the_declared_file_then_sync_needs_no_allow_dirty(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"README.md": "hi\n"})
    _release(bp, {"README.md": "hello\n"})
    declared = svc / ".synctool.yml"
    declared.write_text(declared.read_text().replace("ref: v1.0.0", "ref: v1.1.0"))
    result = run_cli(capsys, "sync", "svc")
    assert result.code == 0, result.err
    assert (svc / "README.md").read_text() == "hello\n"


def test_online_check_resolves_a_relative_blueprint_from_the_service(
    capsys: pytest.CaptureFixture[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bp, svc = _service(capsys, workdir, {"README.md": "hi\n"})
    declared = svc / ".synctool.yml"
    text = declared.read_text().replace(f"blueprint: {bp}", "blueprint: ../bp")
    declared.write_text(
        text + "rules:\n  - id: current\n    kind: max-behind\n    releases: 0\n"
    )
    git(svc, "commit", "-qam", "relative source, a max-behind rule")
    _release(bp, {"README.md": "hello\n"})
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_cli(capsys, "check", str(svc), "--online", "--format", "json")
    assert result.code == 1, result.err
    assert "is 1 release behind 1.1.0" in result.out
