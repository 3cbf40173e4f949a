"""The rollout proof: services made from the previous bundled release (1.1.0),
and from the first (1.0.0, two releases at once), customised the way teams do,
are moved to the newest (1.2.0) by `synctool update`, offline, keeping every
team line; the result is a working service; and `synctool fleet update
--push` pushes exactly what the single updates wrote.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.bundled.conftest import (
    Service,
    clean_env,
    require_tool,
    run,
    uv_env,
    uv_executable,
)

pytestmark = pytest.mark.slow

TO = "1.2.0"
PREVIOUS = "1.1.0"

ROLLOUT_SETS: dict[str, dict[str, str]] = {
    "defaults": {},
    "terraform-only": {"include_helm": "false", "include_terraform": "true"},
    "renamed": {
        "service_name": "billing-api",
        "python_version": "3.13",
        "resource_name": "invoices",
        "container_registry": "registry.example.com/platform",
    },
}

# (the release a service is made at, answer set): every set moves from the
# previous release; the defaults also from 1.0.0, two releases at once.
ROLLOUTS: list[tuple[str, str]] = [(PREVIOUS, name) for name in ROLLOUT_SETS] + [
    ("1.0.0", "defaults")
]

# Conflicts synctool may leave, named in advance: (start, answer set, path) ->
# why the team's edit and the release touch the very same lines. Anything else
# is a failure.
EXPECTED_CONFLICTS: dict[tuple[str, str, str], str] = {}


def synctool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synctool", *args, "--no-color"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=600,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    return run(["git", *args], cwd).stdout


# --- the team's customisations -------------------------------------------------


@dataclass
class Customised:
    """A service at `start` with the team's edits committed, and the lines that
    must survive every update (path -> distinctive lines)."""

    start: str
    name: str
    path: Path
    answers: Mapping[str, Any]
    kept: dict[str, list[str]] = field(default_factory=dict)

    @property
    def package(self) -> str:
        return str(self.answers["package_name"])


def edit(svc: Customised, rel: str, change: Callable[[str], str], *kept: str) -> None:
    path = svc.path / rel
    before = path.read_text() if path.exists() else ""
    after = change(before)
    assert after != before, f"customisation of {rel} changed nothing"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(after)
    svc.kept.setdefault(rel, []).extend(kept)


def insert_before(anchor: str, text: str) -> Callable[[str], str]:
    def change(content: str) -> str:
        assert anchor in content, f"{anchor!r} not found"
        return content.replace(anchor, text + anchor, 1)

    return change


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(content: str) -> str:
        assert old in content, f"{old!r} not found"
        return content.replace(old, new, 1)

    return change


def append(text: str) -> Callable[[str], str]:
    return lambda content: content + text


ABOUT = '''\
"""The team's own endpoint: who runs this service."""

from fastapi import APIRouter

router = APIRouter(prefix="/about", tags=["about"])


@router.get("")
async def about() -> dict[str, str]:
    return {"team": "payments", "oncall": "#payments-oncall"}
'''

ABOUT_TEST = """\
from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from {package}.api.about import router

pytestmark = pytest.mark.unit


async def test_about_names_the_team() -> None:
    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/about")
    assert response.json() == {{"team": "payments", "oncall": "#payments-oncall"}}
"""

WAIVER = """
waivers:
  - rule: managed-drift
    paths: [.pre-commit-config.yaml]
    reason: The payments team runs codespell until the blueprint ships it.
    expires: 2099-12-31
"""

CODESPELL = """\
  - repo: https://github.com/codespell-project/codespell
    rev: 63c8f8312b7559622c0d82815639671ae42132ac  # v2.4.1
    hooks:
      - id: codespell
"""


def customise(svc: Customised) -> None:
    """What a team does in its first months: each edit touches lines of its
    own, next to (never on) lines the blueprint owns."""
    edit(
        svc,
        "pyproject.toml",
        insert_before('  "uvicorn', '  "tenacity>=9,<10",\n'),
        '"tenacity>=9,<10"',
    )
    edit(
        svc,
        "docker-compose.yml",
        insert_before(
            "\nvolumes:\n",
            "\n  redis:\n    image: redis:7-alpine\n    ports:\n"
            '      - "127.0.0.1:6379:6379"\n    restart: unless-stopped\n',
        ),
        "  redis:",
        "    image: redis:7-alpine",
    )
    edit(
        svc,
        "Makefile",
        append("\nseed: ## Load demo data into $$DATABASE_URL\n\t@echo seeding\n"),
        "seed: ## Load demo data into $$DATABASE_URL",
    )
    if svc.answers["include_helm"]:
        values = f"deploy/helm/{svc.answers['service_name']}/values.yaml"
        edit(
            svc,
            values,
            replace("replicaCount: 2", "replicaCount: 3"),
            "replicaCount: 3",
        )
        edit(
            svc,
            values,
            replace(
                "    cpu: 100m\n    memory: 128Mi", "    cpu: 250m\n    memory: 384Mi"
            ),
            "    cpu: 250m",
            "    memory: 384Mi",
        )
    api = f"src/{svc.package}/api"
    edit(svc, f"{api}/about.py", append(ABOUT), "async def about() -> dict[str, str]:")
    edit(
        svc,
        f"{api}/__init__.py",
        lambda text: (
            text.replace("from . import ", "from . import about, ", 1).rstrip("\n")
            + "\napi_router.include_router(about.router)\n"
        ),
        "api_router.include_router(about.router)",
    )
    edit(
        svc,
        "tests/unit/test_about.py",
        append(ABOUT_TEST.format(package=svc.package)),
        "async def test_about_names_the_team() -> None:",
    )
    edit(svc, ".gitignore", append(".idea/\n"), ".idea/")
    edit(
        svc,
        "README.md",
        append("\n## On call\n\nPage #payments-oncall; runbooks in Notion.\n"),
        "## On call",
        "Page #payments-oncall; runbooks in Notion.",
    )
    edit(svc, ".synctool.yml", append(WAIVER), "  - rule: managed-drift")
    edit(
        svc,
        ".pre-commit-config.yaml",
        lambda text: text.rstrip("\n") + "\n" + CODESPELL,
        "  - repo: https://github.com/codespell-project/codespell",
    )


def make_customised(start: str, name: str, where: Path, uv_cache: Path) -> Customised:
    where.mkdir(parents=True, exist_ok=True)
    data = [f"--data={key}={value}" for key, value in ROLLOUT_SETS[name].items()]
    made = synctool("init", "svc", "--ref", start, "--defaults", *data, cwd=where)
    assert made.returncode == 0, made.stdout + made.stderr
    path = where / "svc"
    import yaml

    answers = yaml.safe_load((path / ".synctool.yml").read_text())["answers"]
    svc = Customised(start, name, path, answers)
    customise(svc)
    if (path / "uv.lock").is_file():
        # Since 1.1.0 the lock is committed: a team that adds a dependency
        # runs `uv lock` (`uv sync --locked` refuses a stale lock).
        service = Service(name, path, answers)
        env = uv_env(service, uv_cache, where / "lock-venv")
        run([uv_executable(), "lock"], path, env=env)
        svc.kept.setdefault("uv.lock", []).append('name = "tenacity"')
    git(path, "add", "-A")
    git(path, "commit", "-qm", "The team's customisations")
    return svc


# --- the proof -------------------------------------------------------------------


@dataclass
class Updated:
    svc: Customised
    remote: Path  # a bare clone of the service at its start, customised (for the fleet)
    exit_code: int
    report: dict[str, Any]  # `synctool update --format json`
    seconds: float
    tree: dict[str, bytes]  # the service right after the update


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def update(svc: Customised, remote: Path) -> Updated:
    started = time.perf_counter()
    result = synctool("update", "--format", "json", cwd=svc.path)
    seconds = time.perf_counter() - started
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report = json.loads(result.stdout)
    return Updated(svc, remote, result.returncode, report, seconds, files_of(svc.path))


@pytest.fixture(scope="module", params=ROLLOUTS, ids=[f"{s}-{n}" for s, n in ROLLOUTS])
def updated(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    uv_cache: Path,
) -> Updated:
    start, name = request.param
    where = tmp_path_factory.mktemp(f"rollout-{start}-{name}")
    svc = make_customised(start, name, where, uv_cache)
    remote = where / f"{svc.answers['service_name']}.git"
    run(["git", "clone", "-q", "--bare", svc.path, remote], where)
    done = update(svc, remote)
    print(
        f"{name}: update {start} -> {TO} in {done.seconds:.2f} s, exit {done.exit_code}"
    )
    return done


def test_update_reaches_the_newest_release_keeping_every_team_line(
    updated: Updated,
) -> None:
    svc = updated.svc
    assert f"ref: {TO}" in (svc.path / ".synctool.yml").read_text()
    expected = sorted(
        p for (start, s, p) in EXPECTED_CONFLICTS if (start, s) == (svc.start, svc.name)
    )
    assert sorted(updated.report["conflicts"]) == expected, updated.report
    assert updated.exit_code == (1 if expected else 0), updated.report
    for rel, lines in svc.kept.items():
        text = (svc.path / rel).read_text()
        for line in lines:
            assert line in text, f"{svc.name}: {rel} lost the team's {line!r}"
    # 1.1.0 arrived (its lock, a file 1.0.0 lacked), and so did 1.2.0: empty
    # settings count as unset, the migration script reads .env, the Checks
    # job names SYNCTOOL_SPEC, the chart's -migrate names fit a DNS label.
    assert (svc.path / "uv.lock").is_file()
    config = (svc.path / "src" / svc.package / "config.py").read_text()
    assert config.count("env_ignore_empty=True") == 2
    assert "no .env" in (svc.path / "scripts/migrate.sh").read_text()
    workflow = (svc.path / ".github/workflows/ci.yml").read_text()
    assert "SYNCTOOL_SPEC_VARIABLE: ${{ vars.SYNCTOOL_SPEC }}" in workflow
    if svc.answers["include_helm"]:
        chart = svc.path / "deploy/helm" / str(svc.answers["service_name"])
        assert (
            'define "app.migrationName"'
            in (chart / "templates/_helpers.tpl").read_text()
        )
    assert "<<<<<<<" not in "".join(
        (svc.path / rel).read_text() for rel in svc.kept if rel not in expected
    )


def test_the_report_names_the_one_command_for_the_lock(updated: Updated) -> None:
    if updated.svc.start != "1.0.0":
        # The team's own lock (relocked with its dependency) is kept: the
        # release changed neither pyproject.toml's dependencies nor uv.lock.
        assert updated.report["regenerate"] == []
        return
    # The team added a runtime dependency at 1.0.0, which had no lock: the
    # blueprint's lock cannot hold it, so the report names the one command
    # that brings it up to date.
    assert updated.report["regenerate"] == [
        {
            "path": "uv.lock",
            "from": ["pyproject.toml"],
            "command": "uv lock",
            "folder": "",
            "kept": "blueprint",
        }
    ]


def test_updated_service_passes_check_and_its_own_suite(
    updated: Updated, tmp_path: Path, uv_cache: Path
) -> None:
    svc = updated.svc
    service = Service(svc.name, svc.path, svc.answers)
    uv = uv_executable()
    venv = tmp_path / "venv"
    env = uv_env(service, uv_cache, venv)
    if updated.report["regenerate"]:
        run([uv, "lock"], svc.path, env=env)  # the one command the report named
    run([uv, "lock", "--check"], svc.path, env=env)
    git(svc.path, "add", "-A")
    git(svc.path, "commit", "-qm", f"Blueprint {TO}, relocked")
    checked = synctool("check", cwd=svc.path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    run([uv, "sync", "--locked"], svc.path, env=env)
    python = venv / "bin" / "python"
    run([python, "-m", "ruff", "check", "."], svc.path, env=env)
    run([python, "-m", "ruff", "format", "--check", "."], svc.path, env=env)
    run([python, "-m", "mypy"], svc.path, env=env, timeout=900)
    run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "unit"],
        svc.path,
        env=env,
    )

    pg_virtualenv = require_tool("pg_virtualenv")
    py = shlex.quote(str(python))
    script = tmp_path / "in-postgres.sh"
    script.write_text(
        textwrap.dedent(
            f"""\
            set -euo pipefail
            export DATABASE_URL="postgresql+asyncpg://${{PGUSER}}:${{PGPASSWORD}}@${{PGHOST}}:${{PGPORT}}/${{PGDATABASE}}"
            {py} -m alembic upgrade head
            {py} -m alembic check
            {py} -m alembic downgrade base
            {py} -m alembic upgrade head
            {py} -m pytest -p no:cacheprovider -q --cov --cov-report=term
            """
        )
    )
    result = run(
        [pg_virtualenv, "--", "bash", script], svc.path, env=clean_env(), timeout=900
    )
    assert " passed" in result.stdout and " failed" not in result.stdout, result.stdout
    assert "test_about_names_the_team" not in result.stdout  # ran and passed quietly


def test_fleet_pushes_what_the_single_updates_wrote(
    updated: Updated, tmp_path: Path
) -> None:
    """`fleet update --push` of the same service (its bare remote at its start,
    customised) pushes a branch whose files are the single update's."""
    branch = f"synctool/blueprint-{TO}"
    result = synctool(
        "fleet",
        "update",
        updated.remote.as_uri(),
        "--push",
        "--branch",
        branch,
        "--jobs",
        "1",
        "--workdir",
        str(tmp_path / "work"),
        "--format",
        "json",
        cwd=tmp_path,
    )
    expected_exit = 1 if updated.report["conflicts"] else 0
    assert result.returncode == expected_exit, result.stdout + result.stderr
    pushed = tmp_path / "pushed"
    run(["git", "clone", "-q", "--branch", branch, updated.remote, pushed], tmp_path)
    tree = files_of(pushed)
    assert sorted(tree) == sorted(updated.tree)
    differing = [p for p in tree if tree[p] != updated.tree[p]]
    assert differing == [], differing
    log = git(pushed, "log", "--format=%s", "-2")
    assert log.splitlines()[1] == "The team's customisations"


def test_updated_service_passes_the_blueprints_validators(updated: Updated) -> None:
    """The same validators the blueprint's own tests run on a fresh 1.2.0
    service, on the updated, customised one: hadolint, actionlint, zizmor,
    the workflow schema, shellcheck, the policy, and Helm lint plus strict
    Kubernetes validation or Terraform fmt and reference checks."""
    from tests.bundled import (
        test_generated_delivery as delivery,
    )
    from tests.bundled import (
        test_generated_infra as infra,
    )
    from tests.bundled import (
        test_generated_terraform as terraform,
    )

    svc = updated.svc
    service = Service(svc.name, svc.path, svc.answers)
    delivery.test_hadolint(service)
    delivery.test_workflows(service)
    delivery.test_shellcheck(service)
    delivery.test_service_satisfies_its_own_policy(service)
    if svc.answers["include_helm"]:
        for values_name in ("default", "production", "staging"):
            infra.test_helm_lint(service, values_name)
            infra.test_helm_manifests_validate(service, values_name)
    if svc.answers["include_terraform"]:
        terraform.test_terraform_fmt(service)
        terraform.test_terraform_parses_and_references_resolve(service)
