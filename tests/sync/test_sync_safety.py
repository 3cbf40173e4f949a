"""Hostile and awkward layouts: nothing written outside the service or into
.git, no local file replaced silently, no crash half-way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import git, init_service, make_blueprint, release, run_cli, snapshot

COPIER = "name:\n  type: str\n  default: orders\n"


def _service(
    capsys: pytest.CaptureFixture[str], workdir: Path, v1: dict[str, str]
) -> tuple[Path, Path]:
    svc, bp = init_service(capsys, workdir, {"copier.yml": COPIER, **v1})
    return bp, svc


def _release(bp: Path, files: dict[str, str], tag: str = "v1.1.0") -> None:
    release(bp, tag, {"copier.yml": COPIER, **files})


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


MIGRATING = (
    COPIER
    + "_migrations:\n"
    + "  - version: v1.1.0\n"
    + "    command: {command}\n"
    + "    when: \"{{{{ _stage == '{stage}' }}}}\"\n"
)
NUMBERS_V1 = "1\n2\n3\n4\n5\n"
NUMBERS_V2 = "1 new\n2\n3\n4\n5\n"


def _migrating_release(bp: Path, command: str, stage: str) -> None:
    copier = MIGRATING.format(command=command, stage=stage)
    release(bp, "v1.1.0", {"copier.yml": copier, "numbers.txt": NUMBERS_V2})


def test_a_before_migration_runs_before_the_merge_is_planned(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"numbers.txt": NUMBERS_V1})
    _migrating_release(bp, "echo migrated >> numbers.txt", "before")
    result = run_cli(capsys, "update", "svc", "--trust")
    assert result.code == 0, result.err
    # The merge saw the migration's edit as the service's: both survive.
    assert (svc / "numbers.txt").read_text() == NUMBERS_V2 + "migrated\n"


def test_a_failed_before_migration_says_nothing_was_written(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"numbers.txt": NUMBERS_V1})
    before = snapshot(svc)
    _migrating_release(bp, "exit 3", "before")
    result = run_cli(capsys, "update", "svc", "--trust")
    assert result.code == 2, result.err
    assert "exit 3" in result.err and "nothing was written" in result.err
    assert snapshot(svc) == before


def test_a_failed_after_migration_says_the_files_are_written(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"numbers.txt": NUMBERS_V1})
    _migrating_release(bp, "exit 3", "after")
    result = run_cli(capsys, "update", "svc", "--trust")
    assert result.code == 1, result.err
    assert "exit 3" in result.err and "1.1.0" in result.err
    assert "written" in result.err and "nothing was written" not in result.err
    assert (svc / "numbers.txt").read_text() == NUMBERS_V2


def test_untrusted_migrations_are_refused_before_any_runs(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"numbers.txt": NUMBERS_V1})
    before = snapshot(svc)
    _migrating_release(bp, "echo ran > ran.txt", "before")
    result = run_cli(capsys, "update", "svc")
    assert result.code == 2
    assert "--trust" in result.err
    assert snapshot(svc) == before


def test_a_conflict_from_an_answer_change_names_the_answer(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    copier = "db:\n  type: str\n  default: mysql\n"
    bp = make_blueprint(
        workdir / "bp",
        {"v1.2.0": {"copier.yml": copier, "db.cfg.jinja": "engine={{ db }}\nx\n"}},
    )
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert result.code == 0, result.err
    svc = workdir / "svc"
    (svc / "db.cfg").write_text("engine=mysql-tuned\nx\n")
    git(svc, "commit", "-qam", "tuned")
    result = run_cli(capsys, "update", "svc", "--data", "db=postgres")
    assert result.code == 1, result.err
    text = (svc / "db.cfg").read_text()
    assert "||||||| blueprint 1.2.0 with db=mysql\n" in text
    assert ">>>>>>> blueprint 1.2.0 with db=postgres\n" in text
    assert "db=postgres" in result.out
