"""Render the bundled blueprint once per answer set and share the result.

Every fixture here is session-scoped: rendering, installing and testing a
generated service is the slow part, and each answer set is done once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

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
    """The path of a tool. A missing one skips the test and names where it
    comes from; under CI (which installs them all) it fails the test."""
    path = shutil.which(name)
    if path is None:
        missing_tool(name)
    return path


def missing_tool(name: str) -> NoReturn:
    where = _TOOL_SOURCES.get(name, ".ci/blueprint-requirements.txt (pip)")
    message = f"{name} is not installed: it comes from {where}"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must install it (.ci/run)")
    pytest.skip(message)


# Tools that do not come from .ci/blueprint-requirements.txt.
_TOOL_SOURCES = {
    "pg_virtualenv": "Debian's postgresql (apt-get install -y postgresql)",
    "shellcheck": "Debian's shellcheck (apt-get install -y shellcheck)",
    "make": "Debian's make (apt-get install -y make)",
    "git": "Debian's git (apt-get install -y git)",
    "terraform": "HashiCorp's release (terraform on PATH; the machine image has it)",
}


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


def uv_executable() -> str:
    """uv: the one installed with this interpreter's packages, else on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        pass
    else:
        try:
            return find_uv_bin()
        except FileNotFoundError:
            pass
    return require_tool("uv")


def _pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    result = subprocess.run(
        [pyenv, "root"], capture_output=True, text=True, check=False, timeout=30
    )
    return Path(result.stdout.strip()) if result.returncode == 0 else None


def interpreter_for(version: str) -> Path:
    """The pyenv CPython for `version` (X.Y, newest patch), else this one.

    A service is tested on the Python its answers chose when pyenv has it
    (CI's image does); otherwise on the interpreter running the tests.
    """
    root = _pyenv_root()
    if root is not None and (root / "versions").is_dir():
        found = []
        for entry in (root / "versions").iterdir():
            match = re.fullmatch(re.escape(version) + r"\.(\d+)", entry.name)
            binary = entry / "bin" / f"python{version}"
            if match and binary.is_file():
                found.append((int(match.group(1)), binary))
        if found:
            return max(found)[1]
    return Path(sys.executable)


# uv settings from the caller's environment that would change what
# `uv sync --locked` installs or where.
_UV_OVERRIDES = (
    "UV_FROZEN",
    "UV_NO_SYNC",
    "UV_NO_DEV",
    "UV_SYSTEM_PYTHON",
    "UV_PYTHON_PREFERENCE",
    "UV_OFFLINE",
)


@pytest.fixture(scope="session")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uv cache for the session (UV_CACHE_DIR if the caller set one)."""
    configured = os.environ.get("UV_CACHE_DIR")
    if configured:
        return Path(configured)
    return tmp_path_factory.mktemp("uv-cache")


def uv_env(service: Service, cache: Path, environment: Path) -> dict[str, str]:
    """The environment for uv on `service`: its Python, no downloads of
    interpreters, the venv in `environment`, the session's cache."""
    env = clean_env(
        UV_PYTHON=str(interpreter_for(str(service.answers["python_version"]))),
        UV_PYTHON_DOWNLOADS="never",
        UV_PROJECT_ENVIRONMENT=str(environment),
        UV_CACHE_DIR=str(cache),
        UV_NO_PROGRESS="1",
    )
    for key in _UV_OVERRIDES:
        env.pop(key, None)
    return env


@pytest.fixture(scope="session")
def installed(
    service: Service, uv_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Service:
    """The service installed as its users do: `uv sync --locked` (the project
    editable, the dev group, the versions in its uv.lock) in a venv of its own.

    The venv is built on the Python the service's answers chose (pyenv's), and
    sees nothing of the interpreter running the tests; packages come from
    PyPI through the session's uv cache.
    """
    venv = tmp_path_factory.mktemp(f"venv-{service.name}") / "venv"
    run(
        [uv_executable(), "sync", "--locked"],
        cwd=service.path,
        env=uv_env(service, uv_cache, venv),
    )
    python = venv / "bin" / "python"
    return Service(
        name=service.name, path=service.path, answers=service.answers, python=python
    )
