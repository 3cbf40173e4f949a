"""Reproducible builds of the generated service: uv.lock, the Dockerfile, make.

Each answer set's service ships a uv.lock that `uv lock --check` accepts; the
image is built from that lock in a dependency layer before the source; the
Makefile's targets work after `make install`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bundled.conftest import (
    BLUEPRINT_DIR,
    RenderedServices,
    Service,
    clean_env,
    interpreter_for,
    render,
    require_tool,
    run,
    uv_env,
    uv_executable,
)

pytestmark = pytest.mark.slow


def _python_choices() -> list[str]:
    questions = yaml.safe_load((BLUEPRINT_DIR / "copier.yml").read_text())
    return [str(choice) for choice in questions["python_version"]["choices"]]


# Beyond the shared answer sets: every python_version choice, with names that
# uv sorts first, last and in between the locked packages.
LOCK_VARIANTS: dict[str, dict[str, Any]] = {
    f"py{version}-{name}": {"service_name": name, "python_version": version}
    for version, name in zip(
        _python_choices(), ["aaa-first", "mmm-between", "zzz-last"], strict=False
    )
}


def uv(service: Service, cache: Path, tmp: Path, *args: str) -> None:
    run(
        [uv_executable(), *args], service.path, env=uv_env(service, cache, tmp / "venv")
    )


def assert_lock_fits(service: Service, cache: Path, tmp: Path) -> None:
    lock_path = service.path / "uv.lock"
    assert lock_path.is_file(), f"{service.name}: no uv.lock"
    shipped = lock_path.read_bytes()
    uv(service, cache, tmp, "lock", "--check")
    # Stronger than --check: uv would write the very same bytes (the project
    # entry sits where uv sorts it), so a later `uv lock` shows no diff.
    uv(service, cache, tmp, "lock")
    assert lock_path.read_bytes() == shipped, f"{service.name}: uv lock rewrote it"

    pyproject = tomllib.loads((service.path / "pyproject.toml").read_text())
    lock = tomllib.loads(shipped.decode())
    assert lock["requires-python"] == pyproject["project"]["requires-python"]
    project = [p for p in lock["package"] if p.get("source") == {"editable": "."}]
    assert [p["name"] for p in project] == [service.answers["service_name"]]


def test_lock_fits_each_answer_set(
    service: Service, uv_cache: Path, tmp_path: Path
) -> None:
    assert_lock_fits(service, uv_cache, tmp_path)


@pytest.mark.parametrize("variant", list(LOCK_VARIANTS))
def test_lock_fits_every_python_choice_and_name(
    variant: str,
    blueprint_source: Path,
    uv_cache: Path,
    tmp_path: Path,
) -> None:
    dest = tmp_path / "service"
    answers = render(blueprint_source, dest, LOCK_VARIANTS[variant])
    service = Service(name=variant, path=dest, answers=answers)
    assert_lock_fits(service, uv_cache, tmp_path)
    assert (dest / ".python-version").read_text().strip() == answers["python_version"]


def test_dev_tools_are_a_locked_dependency_group(service: Service) -> None:
    pyproject = tomllib.loads((service.path / "pyproject.toml").read_text())
    assert "optional-dependencies" not in pyproject["project"], "dev is an extra"
    dev = {
        re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0]
        for requirement in pyproject["dependency-groups"]["dev"]
    }
    assert {"pre-commit", "pytest", "ruff", "mypy"} <= dev
    lock = tomllib.loads((service.path / "uv.lock").read_text())
    locked = {package["name"] for package in lock["package"]}
    assert dev <= locked
    version = service.answers["python_version"]
    assert pyproject["tool"]["mypy"]["python_version"] == version
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(
        ".", ""
    )


# --- the Dockerfile ------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    args: str


def instructions(dockerfile: Path) -> Iterator[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    pending = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        yield Instruction(keyword.upper(), " ".join(args.split()))


def stages(dockerfile: Path) -> dict[str, list[Instruction]]:
    result: dict[str, list[Instruction]] = {}
    current: list[Instruction] = []
    for instruction in instructions(dockerfile):
        if instruction.keyword == "FROM":
            match = re.search(r"\sAS\s+(\S+)$", instruction.args, re.IGNORECASE)
            current = result.setdefault(match.group(1) if match else "", [])
        current.append(instruction)
    return result


def uv_syncs(stage: list[Instruction]) -> list[int]:
    return [
        index
        for index, step in enumerate(stage)
        if step.keyword == "RUN" and re.search(r"\buv sync\b", step.args)
    ]


def test_dockerfile_installs_from_the_lock(service: Service) -> None:
    built = stages(service.path / "Dockerfile")
    assert list(built)[-1] == "runtime" and "builder" in built, list(built)
    builder = built["builder"]
    syncs = uv_syncs(builder)
    assert len(syncs) == 2, "a dependency layer, then the app"
    deps, app = (builder[index] for index in syncs)
    for step in (deps, app):
        assert "--mount=type=cache,target=/root/.cache/uv" in step.args
        assert re.search(r"uv sync --locked --no-dev\b", step.args), step.args
    assert "--no-install-project" in deps.args
    assert "--no-editable" in app.args

    copies = [i for i, step in enumerate(builder) if step.keyword == "COPY"]
    before = [builder[i].args.split() for i in copies if i < syncs[0]]
    assert before == [["pyproject.toml", "uv.lock", "./"]], before
    copies_src = [i for i in copies if builder[i].args.split()[0] == "src"]
    assert copies_src and syncs[0] < copies_src[0] < syncs[1]

    env = " ".join(step.args for step in builder if step.keyword == "ENV")
    assert "UV_COMPILE_BYTECODE=1" in env and "UV_LINK_MODE=copy" in env
    assert "UV_PYTHON_DOWNLOADS=never" in env
    # uv itself: a pinned version, checked against its PyPI hashes.
    install = next(s for s in builder if s.keyword == "RUN" and "uv==" in s.args)
    assert "--require-hashes" in install.args
    assert re.search(r"uv==\d+\.\d+\.\d+\b", install.args)
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}\b", install.args)) >= 2


def test_runtime_image_has_no_installer(service: Service) -> None:
    runtime = stages(service.path / "Dockerfile")["runtime"]
    runs = " && ".join(step.args for step in runtime if step.keyword == "RUN")
    assert not re.search(r"\buv\b", runs) and "pip install" not in runs
    assert re.search(r"pip uninstall --yes( --quiet)? pip\b", runs), "base pip stays"
    copied = [step.args.split() for step in runtime if step.keyword == "COPY"]
    from_builder = [args for args in copied if args[0].startswith("--from=")]
    assert from_builder == [["--from=builder", "/opt/venv", "/opt/venv"]]
    assert {args[0] for args in copied if args not in from_builder} == {
        "alembic.ini",
        "migrations",
    }
    assert re.fullmatch(
        r"[1-9][0-9]*(:[1-9][0-9]*)?",
        [step.args for step in runtime if step.keyword == "USER"][-1],
    )
    assert any(step.keyword == "HEALTHCHECK" for step in runtime)


def dockerignored(patterns: list[str], path: str) -> bool:
    """Docker's rule for one top-level path: the last matching pattern wins."""
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        if pattern and fnmatchcase(path, pattern):
            ignored = not negated
    return ignored


def test_builder_steps_build_a_venv_without_dev_tools(
    service: Service, uv_cache: Path, tmp_path: Path
) -> None:
    """The builder stage's COPY and `uv sync` steps, replayed outside Docker
    (no engine here) on the service's Python: the dependency layer needs only
    what is copied before it, and the venv holds the app, not the dev tools."""
    builder = stages(service.path / "Dockerfile")["builder"]
    ignore = [
        line.strip()
        for line in (service.path / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    root = tmp_path / "root"
    workdir = root
    venv = root / "opt" / "venv"
    # The session's uv settings, then the stage's ENV; the paths and the
    # interpreter mapped to this machine.
    env = uv_env(service, uv_cache, venv)
    python = env["UV_PYTHON"]
    for step in builder:
        if step.keyword == "WORKDIR":
            workdir = root / step.args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif step.keyword == "ENV" and "UV_" in step.args:
            for key, value in (item.split("=", 1) for item in shlex.split(step.args)):
                env[key] = value
            env.update(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON=python)
        elif step.keyword == "COPY":
            *sources, dest = step.args.split()
            for source in sources:
                assert not dockerignored(ignore, source), (
                    f".dockerignore drops {source}"
                )
                origin = service.path / source
                target = workdir / dest
                if dest.endswith("/"):
                    target = target / origin.name
                if origin.is_dir():
                    shutil.copytree(origin, target)
                else:
                    shutil.copy2(origin, target)
        elif step.keyword == "RUN" and re.search(r"\buv sync\b", step.args):
            command = shlex.split(step.args)
            command = command[command.index("uv") :]
            run([uv_executable(), *command[1:]], workdir, env=env)
    assert venv.is_dir(), "no uv sync into UV_PROJECT_ENVIRONMENT"

    package = service.package
    probe = (
        "import importlib.util as u, sys; "
        f"import {package}.main; "
        f"print({package}.main.__file__); "
        "print(*[m for m in ('pip', 'pytest', 'ruff', 'mypy', 'uv', 'pre_commit')"
        " if u.find_spec(m)])"
    )
    result = run([venv / "bin" / "python", "-c", probe], tmp_path, env=clean_env())
    where, present = [*result.stdout.splitlines(), ""][:2]
    assert Path(where).is_relative_to(venv), f"{package} is not in the venv: {where}"
    assert present == "", f"dev tools or installers in the image's venv: {present}"
    # UV_COMPILE_BYTECODE: the app and its dependencies ship compiled.
    assert list(venv.glob(f"lib/python*/site-packages/{package}/__pycache__/*.pyc"))


# --- the Makefile ----------------------------------------------------------------


def test_make_install_then_the_targets(
    rendered_services: RenderedServices, uv_cache: Path, tmp_path: Path
) -> None:
    """`make install` in a fresh clone, then what a developer runs next (on
    the defaults: the Makefile does not vary with the answers)."""
    service = rendered_services.get("defaults")
    make = require_tool("make")
    git = require_tool("git")
    clone = tmp_path / "service"
    shutil.copytree(service.path, clone)
    run([git, "init", "-q"], clone)
    uv_dir = str(Path(uv_executable()).parent)
    env = clean_env(
        PATH=os.pathsep.join([uv_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
        UV_PYTHON=str(interpreter_for(str(service.answers["python_version"]))),
        UV_PYTHON_DOWNLOADS="never",
        UV_CACHE_DIR=str(uv_cache),
        UV_NO_PROGRESS="1",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
    )
    env.pop("UV_PROJECT_ENVIRONMENT", None)

    installed = run([make, "install"], clone, env=env)
    assert (clone / ".venv" / "bin" / "python").is_file()
    hook = clone / ".git" / "hooks" / "pre-commit"
    assert hook.is_file() and str(clone / ".venv") in hook.read_text()
    # No synctool on this PATH: the hook would fail, and install says how to fix it.
    if shutil.which("synctool", path=env["PATH"]) is None:
        assert 'uv tool install "synctool==0.1.0"' in installed.stderr, installed.stderr

    run([make, "lint"], clone, env=env)
    assert "Success" in run([make, "typecheck"], clone, env=env).stdout
    # The Quick start (1.2.0): `cp .env.example .env`, whose empty values
    # (JWT_SECRET=, API_DOCS_ENABLED=) count as unset, leaves the unit tests green.
    shutil.copy(clone / ".env.example", clone / ".env")
    unit = run([make, "test-unit"], clone, env=env).stdout
    assert re.search(r"\d+ passed", unit) and " failed" not in unit
    # `make migrate` takes DATABASE_URL from .env: it gets as far as connecting.
    (clone / ".env").write_text(
        "DATABASE_URL=postgresql+asyncpg://u:p@127.0.0.1:9/none\nAUTH_DISABLED=true\n"
    )

    def make_migrate() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [make, "migrate"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    migrate = make_migrate()
    assert migrate.returncode != 0
    assert "is not set" not in migrate.stderr, migrate.stderr
    assert "Connect" in migrate.stderr or "refused" in migrate.stderr, migrate.stderr
    (clone / ".env").unlink()
    refused = make_migrate()
    assert refused.returncode != 0
    assert "DATABASE_URL is not set and there is no .env" in refused.stderr
    # scripts/test.sh outside any venv goes through `uv run --locked`; the
    # database comes from DATABASE_URL (unit tests never connect to it).
    script = run(
        ["scripts/test.sh", "-q", "-m", "unit", "--no-cov", "-p", "no:cacheprovider"],
        clone,
        env={**env, "DATABASE_URL": "postgresql+asyncpg://u:p@127.0.0.1:9/none"},
    ).stdout
    assert re.search(r"\d+ passed", script), script
