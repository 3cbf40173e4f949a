"""Render the bundled blueprint once per answer set and share the result.

Every fixture here is session-scoped: rendering, installing and testing a
generated service is the slow part, and each answer set is done once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT_DIR = REPO_ROOT / "blueprint"

# Three answer sets: the defaults; other names, port, resource and Python;
# and the smallest service (no Helm, no Terraform).
ANSWER_SETS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "renamed": {
        "service_name": "billing-api",
        "description": "Invoices for the billing team.",
        "http_port": 8080,
        "python_version": "3.11",
        "resource_name": "invoices",
        "container_registry": "registry.example.com/platform",
        "aws_region": "us-east-2",
    },
    "minimal": {
        "service_name": "audit-log",
        "python_version": "3.13",
        "resource_name": "audit_events",
        "include_helm": False,
        "include_terraform": False,
    },
}


@dataclass(frozen=True)
class Service:
    """A rendered service and the answers it was rendered with."""

    name: str
    path: Path
    answers: Mapping[str, Any]
    python: Path = field(default=Path(sys.executable))

    @property
    def package(self) -> str:
        return str(self.answers["package_name"])


def require_tool(name: str) -> str:
    """The path of a tool; a missing tool fails the test (CI installs them all)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: see .ci/blueprint-requirements.txt and "
            ".ci/apt-packages.txt"
        )
    return path


def run(
    args: Sequence[str | os.PathLike[str]],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command; fail with its output when it exits non-zero."""
    result = subprocess.run(
        [os.fspath(arg) for arg in args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-20000:]}\n"
            f"--- stderr ---\n{result.stderr[-10000:]}",
            pytrace=False,
        )
    return result


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment without anything that would leak into a generated service."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "DATABASE_URL", "PYTEST_", "COV_CORE"))
        and key not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def blueprint_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree's blueprint, outside any git repository.

    copier renders a git repository's HEAD (and warns when it is dirty); a
    plain directory is rendered as it is, uncommitted changes included.
    """
    dest = tmp_path_factory.mktemp("blueprint-src") / "blueprint"
    shutil.copytree(
        BLUEPRINT_DIR,
        dest,
        ignore=shutil.ignore_patterns(".git", "__pycache__", "*.pyc"),
    )
    return dest


def render(source: Path, dest: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """Render with copier's API, untrusted, and return the full answers."""
    import copier

    worker = copier.run_copy(
        str(source),
        dest,
        data=dict(data),
        defaults=True,
        unsafe=False,
        quiet=True,
        vcs_ref=None,
    )
    answers: dict[str, Any] = dict(worker.answers.combined)
    return answers


class RenderedServices:
    """Renders each answer set on first use, then hands out the same tree."""

    def __init__(self, source: Path, factory: pytest.TempPathFactory) -> None:
        self._source = source
        self._factory = factory
        self._services: dict[str, Service] = {}

    def get(self, name: str) -> Service:
        if name not in self._services:
            dest = self._factory.mktemp(f"service-{name}") / "service"
            answers = render(self._source, dest, ANSWER_SETS[name])
            self._services[name] = Service(name=name, path=dest, answers=answers)
        return self._services[name]


@pytest.fixture(scope="session")
def rendered_services(
    blueprint_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> RenderedServices:
    return RenderedServices(blueprint_source, tmp_path_factory)


def _sets_with(flag: str) -> list[str]:
    return [name for name, data in ANSWER_SETS.items() if data.get(flag, True)]


@pytest.fixture(scope="session", params=list(ANSWER_SETS))
def service(
    request: pytest.FixtureRequest, rendered_services: RenderedServices
) -> Service:
    return rendered_services.get(request.param)


@pytest.fixture(scope="session", params=_sets_with("include_helm"))
def helm_service(
    request: pytest.FixtureRequest, rendered_services: RenderedServices
) -> Service:
    """Only the answer sets that include the Helm chart."""
    return rendered_services.get(request.param)


@pytest.fixture(scope="session", params=_sets_with("include_terraform"))
def terraform_service(
    request: pytest.FixtureRequest, rendered_services: RenderedServices
) -> Service:
    """Only the answer sets that include Terraform."""
    return rendered_services.get(request.param)


@pytest.fixture(scope="session")
def installed(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The service installed (editable, with its dev extra) in its own venv.

    The venv sees this interpreter's site-packages, where CI installed the
    dependencies, so nothing is downloaded. The generated services target
    their own Python version; they are tested on this interpreter.
    """
    venv = tmp_path_factory.mktemp(f"venv-{service.name}") / "venv"
    run(
        [sys.executable, "-m", "venv", "--system-site-packages", venv], cwd=service.path
    )
    python = venv / "bin" / "python"
    run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-build-isolation",
            "--ignore-requires-python",
            "--no-input",
            "-e",
            ".[dev]",
        ],
        cwd=service.path,
        env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    return Service(
        name=service.name, path=service.path, answers=service.answers, python=python
    )
