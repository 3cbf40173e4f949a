"""The generated service's Python: lint, types, its own tests, migrations."""

from __future__ import annotations

import compileall
import re
import shlex
import textwrap
from pathlib import Path

import pytest

from tests.bundled.conftest import Service, clean_env, require_tool, run

pytestmark = pytest.mark.slow


def test_rendered_tree(service: Service) -> None:
    root = service.path
    pkg = root / "src" / service.package
    resource = service.answers["resource_name"]
    for name in (
        "pyproject.toml",
        "README.md",
        "Dockerfile",
        ".dockerignore",
        ".gitignore",
        ".env.example",
        "docker-compose.yml",
        "Makefile",
        "alembic.ini",
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        "scripts/test.sh",
        "scripts/migrate.sh",
        "scripts/deploy.sh",
        "migrations/env.py",
    ):
        assert (root / name).is_file(), name
    assert (pkg / "api" / f"{resource}.py").is_file()
    assert (root / "deploy").exists() == service.answers["include_helm"]
    assert (root / "terraform").exists() == service.answers["include_terraform"]
    assert not list(root.glob(".copier-answers*"))
    assert not (root / "synctool.yml").exists()
    assert not (root / ".env").exists()
    for path in root.rglob("*"):
        if path.is_file() and "templates" not in path.parts:
            # GitHub Actions expressions, ${{ ... }}, are meant to stay.
            text = re.sub(r"\$\{\{.*?\}\}", "", path.read_text())
            assert "{{" not in text and "{%" not in text, f"unrendered Jinja in {path}"
    assert compileall.compile_dir(root, quiet=1, force=True, legacy=False)


def test_env_example_lists_every_setting(service: Service) -> None:
    config = (service.path / "src" / service.package / "config.py").read_text()
    fields = set(re.findall(r"^    ([a-z_]+): ", config, re.MULTILINE))
    env_example = (service.path / ".env.example").read_text()
    keys = set(re.findall(r"^([A-Z_]+)=", env_example, re.MULTILINE))
    assert {field.upper() for field in fields} <= keys


def test_ruff(installed: Service) -> None:
    run([installed.python, "-m", "ruff", "check", "--no-cache", "."], installed.path)
    run(
        [installed.python, "-m", "ruff", "format", "--check", "--no-cache", "."],
        installed.path,
    )


def test_mypy_strict(installed: Service, tmp_path: Path) -> None:
    result = run(
        [installed.python, "-m", "mypy", "--strict", "--cache-dir", tmp_path],
        installed.path,
    )
    assert "Success" in result.stdout


def test_unit_tests_need_no_database(installed: Service) -> None:
    result = run(
        [
            installed.python,
            "-m",
            "pytest",
            "-m",
            "unit",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        installed.path,
        env=clean_env(),
    )
    assert re.search(r"\d+ passed", result.stdout)
    assert "failed" not in result.stdout


def test_all_tests_and_migrations_against_postgresql(
    installed: Service, tmp_path: Path
) -> None:
    """Integration and e2e tests, the coverage gate, and an Alembic round-trip,
    against a throw-away PostgreSQL cluster from pg_virtualenv."""
    pg_virtualenv = require_tool("pg_virtualenv")
    python = shlex.quote(str(installed.python))
    script = tmp_path / "in-postgres.sh"
    script.write_text(
        textwrap.dedent(
            f"""\
            set -euo pipefail
            export DATABASE_URL="postgresql+asyncpg://${{PGUSER}}:${{PGPASSWORD}}@${{PGHOST}}:${{PGPORT}}/${{PGDATABASE}}"
            {python} -m pytest -p no:cacheprovider -q --cov --cov-report=term
            {python} -m alembic upgrade head
            {python} -m alembic check
            {python} -m alembic downgrade base
            {python} -m alembic upgrade head
            """
        )
    )
    result = run(
        [pg_virtualenv, "--", "bash", script],
        installed.path,
        env=clean_env(),
        timeout=900,
    )
    summary = re.search(r"(\d+) passed", result.stdout)
    coverage = re.search(r"^TOTAL.*?(\d+(?:\.\d+)?)%\s*$", result.stdout, re.MULTILINE)
    assert summary and coverage, result.stdout
    assert " failed" not in result.stdout
    assert float(coverage.group(1)) >= 85
    assert "No new upgrade operations detected" in result.stdout + result.stderr
    print(
        f"{installed.name}: {summary.group(1)} tests passed, coverage {coverage.group(1)}%"
    )
