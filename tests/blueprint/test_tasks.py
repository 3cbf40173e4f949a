"""Blueprint tasks and migrations: run in the service, only with --trust, never silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git, make_blueprint, run_cli, snapshot

COPIER = "name:\n  type: str\n  default: orders\n"
V1 = {
    "copier.yml": COPIER + "_tasks:\n  - echo '{{ name }}' >> tasks.log\n",
    "README.md.jinja": "# {{ name }}\n",
}
V2 = {
    "copier.yml": V1["copier.yml"]
    + "_migrations:\n"
    + "  - version: v1.1.0\n"
    + '    command: echo "$STAGE $VERSION_PEP440_FROM->$VERSION_PEP440_TO" >> migrations.log\n'
    + "    when: \"{{ _stage in ['before', 'after'] }}\"\n"
    + "  - version: v9.0.0\n"
    + "    command: echo never >> migrations.log\n",
    "README.md.jinja": "# {{ name }}\n\nv2\n",
}


@pytest.fixture
def service(capsys: pytest.CaptureFixture[str], workdir: Path) -> Path:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1})
    result = run_cli(
        capsys, "init", "svc", "--blueprint", str(bp), "--defaults", "--trust"
    )
    assert result.code == 0, result.err
    assert "run  echo 'orders' >> tasks.log" in result.out
    svc = workdir / "svc"
    assert (svc / "tasks.log").read_text() == "orders\n"
    assert (
        git(svc, "status", "--porcelain") == ""
    )  # the task output is in the first commit
    make_blueprint_v2(bp)
    return svc


def make_blueprint_v2(bp: Path) -> None:
    for rel, text in V2.items():
        (bp / rel).write_text(text)
    git(bp, "commit", "-qam", "v2")
    git(bp, "tag", "v1.1.0")


def test_update_without_trust_is_refused_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], service: Path
) -> None:
    before = snapshot(service)
    result = run_cli(capsys, "update", "svc")
    assert result.code == 2
    assert "runs code on your machine" in result.err and "--trust" in result.err
    assert snapshot(service) == before


def test_update_with_trust_runs_migrations_in_range_and_tasks(
    capsys: pytest.CaptureFixture[str], service: Path
) -> None:
    result = run_cli(capsys, "update", "svc", "--trust")
    assert result.code == 0, result.err
    assert (service / "README.md").read_text() == "# orders\n\nv2\n"
    assert (service / "migrations.log").read_text() == (
        "before 1.0.0->1.1.0\nafter 1.0.0->1.1.0\n"
    )
    assert (service / "tasks.log").read_text() == "orders\norders\n"
    git(service, "add", "-A")
    git(service, "commit", "-qm", "update")
    again = run_cli(capsys, "sync", "svc", "--trust")
    assert again.code == 0
    assert (service / "tasks.log").read_text() == "orders\norders\n"  # once per update


def test_init_without_trust_refuses_a_blueprint_with_tasks(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": V1})
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert result.code == 2
    assert "runs code on your machine (1 task(s))" in result.err
    assert not (workdir / "svc").exists()


def test_migrations_describe_versions_as_copier_when_the_applied_one_is_known() -> None:
    from synctool.blueprint.tasks import TemplateCode, migration_steps

    code = TemplateCode(
        migrations=({"version": "v1.1.0", "command": "echo $VERSION_FROM"},),
        context={"_copier_answers": {"_commit": "v1.1.0"}},
    )
    [plain] = migration_steps(code, "after", "1.0.0", "1.1.0")
    assert (plain.extra["version_from"], plain.extra["version_to"]) == (
        "1.0.0",
        "1.1.0",
    )
    [step] = migration_steps(code, "after", "1.0.0", "1.1.0", from_commit="v1.0.0")
    assert step.extra["version_from"] == "v1.0.0"  # copier's `git describe --tags`
    assert step.extra["version_to"] == "v1.1.0"
    assert step.extra["version_pep440_to"] == "1.1.0"
    assert step.extra["version_current"] == "v1.1.0"


@pytest.mark.parametrize(
    "rendered",
    [
        "true",
        "True",
        "yes",
        "1",
        "2.5",
        "x",
        "",
        " ",
        "false",
        "0",
        "no",
        "~",
        "null",
        "None",
        "off",
        "f",
    ],
)
def test_a_task_condition_is_read_as_copier_reads_it(rendered: str) -> None:
    from copier._tools import cast_to_bool

    from synctool.blueprint.tasks import _truthy

    assert _truthy(rendered) is cast_to_bool(rendered)


@pytest.mark.parametrize("command", [("diff",), ("update", "--dry-run")])
def test_a_dry_run_needs_no_trust_and_runs_nothing(
    capsys: pytest.CaptureFixture[str], service: Path, command: tuple[str, ...]
) -> None:
    before = snapshot(service)
    result = run_cli(capsys, *command, "svc")
    assert result.code == 0, result.err
    assert snapshot(service) == before  # no task, no migration, no file
    assert "needs --trust for them" in result.err
    assert "+v2" in result.out  # the plan is shown
