"""Blueprint update scenarios, as data: v1, user edits, v2, the exact result.

Each ``Scenario`` is copier's story shape: a blueprint (a plain copier
template, ``copier.yml`` at its root, no ``_subdirectory``) at v1.0.0, a
service generated from it with ``answers``, the user's ``edits`` committed,
the blueprint at v1.1.0, then ``synctool update`` (plus ``update_args``).
``expected`` lists the exact bytes of every path the update must change (None:
the path must not exist); every other file must come out unchanged.

The data is shared by ``tests/e2e/test_sync_scenarios.py`` and by the benchmark,
which runs the same stories through ``copier update``; so this module needs
nothing but the standard library. ``Scenario.blueprint(tag)`` gives the files
to commit and tag, ``apply_edits`` applies the user's edits. For copier: a
``policy`` is ``synctool.yml`` at the blueprint root, which synctool keeps out
of the service (copier renders it: ignore it there); ``delete_base_tag``
removes v1.0.0 from history, so the base cannot be rendered at all.

Expectations are written from what a careful user wants, never from what an
implementation outputs: no user change is ever lost; a change made on one side
only is taken exactly; YAML and TOML are merged structurally, keeping ours'
comments, order, quoting and indentation, with the blueprint's new keys and
items placed where the blueprint put them (right after the item they follow
in the blueprint, so when both sides add after the same item the blueprint's
comes first); ignore files are a line union (ours' lines, then theirs' new
ones, as git's ``merge=union``); text conflicts are git's ``merge-file --diff3``
output with these labels:

    <<<<<<< service (working tree)
    ||||||| blueprint 1.0.0
    =======
    >>>>>>> blueprint 1.1.0
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

Files = Mapping[str, str | bytes]  # path ("!x" suffix: executable) -> content

V1_TAG = "v1.0.0"
V2_TAG = "v1.1.0"
OURS = "<<<<<<< service (working tree)\n"
BASE = "||||||| blueprint 1.0.0\n"
SEP = "=======\n"
THEIRS = ">>>>>>> blueprint 1.1.0\n"


# --- user edits, declaratively -------------------------------------------


class Rename(NamedTuple):
    """Move the file (later operations on the same entry apply to the new path)."""

    to: str


class Chmod(NamedTuple):
    mode: int


class Replace(NamedTuple):
    """Replace the one occurrence of ``old`` (it must occur exactly once)."""

    old: str
    new: str


class Append(NamedTuple):
    text: str


Op = str | bytes | None | Rename | Chmod | Replace | Append
"""str/bytes: write the whole file (create or overwrite); None: delete it."""

Edits = Mapping[str, Op | list[Op]] | Callable[[Path], None]
"""Path -> one operation, or a list of them applied in order."""


def apply_edits(root: Path, edits: Edits) -> None:
    """Apply a scenario's user edits to the service at ``root`` (no git here)."""
    if callable(edits):
        edits(root)
        return
    for rel, ops in edits.items():
        path = root / rel
        for op in ops if isinstance(ops, list) else [ops]:
            if op is None:
                path.unlink()
            elif isinstance(op, str | bytes):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(op.encode() if isinstance(op, str) else op)
            elif isinstance(op, Rename):
                target = root / op.to
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(path, target)
                path = target
            elif isinstance(op, Chmod):
                path.chmod(op.mode)
            elif isinstance(op, Replace):
                text = path.read_bytes().decode()
                if text.count(op.old) != 1:
                    raise ValueError(f"{rel}: {op.old!r} occurs {text.count(op.old)}x")
                path.write_bytes(text.replace(op.old, op.new).encode())
            else:
                path.write_bytes(path.read_bytes() + op.text.encode())


def sub(text: str, old: str, new: str) -> str:
    """``text`` with its one occurrence of ``old`` replaced (data-building aid)."""
    if text.count(old) != 1:
        raise ValueError(f"{old!r} occurs {text.count(old)} times")
    return text.replace(old, new)


# --- the record ----------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    v1: Files  # the blueprint at v1.0.0 (includes copier.yml)
    answers: Mapping[str, str | int | bool]  # --data at init
    edits: Edits  # the user's changes, committed before the update
    v2: Files  # the blueprint at v1.1.0
    expected: Mapping[str, str | bytes | None]  # exact content after update
    conflict: bool = False  # update leaves conflicts (exit 1)
    update_args: Sequence[str] = ()
    expected_modes: Mapping[str, int] = field(default_factory=dict)
    policy: str | None = None  # the blueprint's synctool.yml (both versions)
    delete_base_tag: bool = False  # v1.0.0 gone: the base cannot be rendered
    note: str = ""  # what the scenario is about, for reports

    @property
    def expected_exit(self) -> int:
        return 1 if self.conflict else 0

    def blueprint(self, version: str) -> dict[str, str | bytes]:
        """The blueprint's files at ``V1_TAG`` or ``V2_TAG``, policy included."""
        files = dict(self.v1 if version == V1_TAG else self.v2)
        if self.policy is not None:
            files["synctool.yml"] = self.policy
        return files

    def init_data(self) -> list[str]:
        """``--data KEY=VALUE`` arguments for the answers."""
        args: list[str] = []
        for key, value in self.answers.items():
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            args += ["--data", f"{key}={shown}"]
        return args


COPIER_YML = """\
service_name:
  type: str
  help: Service name
  default: orders
port:
  type: int
  default: 8080
use_docker:
  type: bool
  default: true
"""

ANSWERS = {"service_name": "orders"}


def bp(**files: str | bytes) -> dict[str, str | bytes]:
    return {"copier.yml": COPIER_YML, **files}


SCENARIOS: list[Scenario] = []


def add(scenario: Scenario) -> Scenario:
    SCENARIOS.append(scenario)
    return scenario


# --- CI workflow: steps and jobs -----------------------------------------

CI = ".github/workflows/ci.yml"
CI_V1 = """\
name: CI

on:
  push:
    branches: [main]
  pull_request:

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: make test
"""
SETUP_PYTHON = """\
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
"""
LINT_STEP = """\
      - name: Lint  # fast feedback first
        run: make lint
"""

add(
    Scenario(
        name="ci_step_added_both_sides",
        note="blueprint adds a step after checkout, user adds one at the end",
        v1=bp(**{CI: CI_V1}),
        answers=ANSWERS,
        edits={CI: Append(LINT_STEP)},
        v2=bp(
            **{
                CI: sub(
                    CI_V1, "      - name: Test\n", SETUP_PYTHON + "      - name: Test\n"
                )
            }
        ),
        expected={
            CI: sub(
                CI_V1, "      - name: Test\n", SETUP_PYTHON + "      - name: Test\n"
            )
            + LINT_STEP
        },
    )
)

COVERAGE_STEP = """\
      - name: Upload coverage
        uses: codecov/codecov-action@v4
"""
add(
    Scenario(
        name="ci_step_appended_both_sides_same_place",
        note="both append a step after the last one: a text conflict, clean in YAML",
        v1=bp(**{CI: CI_V1}),
        answers=ANSWERS,
        edits={CI: Append(LINT_STEP)},
        v2=bp(**{CI: CI_V1 + COVERAGE_STEP}),
        expected={CI: CI_V1 + COVERAGE_STEP + LINT_STEP},
    )
)

CI_JOBS_V1 = """\
name: CI
on: [push, pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        run: make lint
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: make test
"""
BUILD_JOB = """\
  build:
    needs: [lint, test]
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Build image
        run: docker build -t app .
"""
add(
    Scenario(
        name="ci_job_added_vs_job_edited",
        note="blueprint adds a job after the one the user edited",
        v1=bp(**{CI: CI_JOBS_V1}),
        answers=ANSWERS,
        edits={CI: Replace("run: make test\n", "run: make test-all\n")},
        v2=bp(**{CI: CI_JOBS_V1 + BUILD_JOB}),
        expected={CI: sub(CI_JOBS_V1, "make test\n", "make test-all\n") + BUILD_JOB},
    )
)

CI_ONE_STEP = """\
name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""
add(
    Scenario(
        name="ci_action_bumped_vs_step_added",
        note="blueprint bumps checkout (its identity, `uses`, changes); user adds a step",
        v1=bp(**{CI: CI_ONE_STEP}),
        answers=ANSWERS,
        edits={CI: Append(LINT_STEP)},
        v2=bp(**{CI: sub(CI_ONE_STEP, "checkout@v4", "checkout@v5")}),
        expected={CI: sub(CI_ONE_STEP, "checkout@v4", "checkout@v5") + LINT_STEP},
    )
)

# --- Dockerfile, compose, k8s --------------------------------------------

DOCKERFILE_V1 = """\
FROM python:3.12-slim
RUN apt-get update \\
    && apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
CMD ["python", "-m", "{{ service_name }}"]
"""
HARDENING = """\
USER 10001
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:{{ port }}/healthz || exit 1
"""
DOCKERFILE_V2 = sub(DOCKERFILE_V1, "CMD [", HARDENING + "CMD [")


def _render(text: str, **answers: str) -> str:
    """The tiny subset of Jinja the scenario files use: ``{{ name }}``."""
    values = {"service_name": "orders", "port": "8080", **answers}
    for key, value in values.items():
        text = text.replace("{{ " + key + " }}", value)
    return text


add(
    Scenario(
        name="dockerfile_hardening_vs_apt_package",
        note="blueprint adds USER and HEALTHCHECK; user adds an apt package",
        v1=bp(**{"Dockerfile.jinja": DOCKERFILE_V1}),
        answers=ANSWERS,
        edits={"Dockerfile": Replace("recommends curl ", "recommends curl libpq5 ")},
        v2=bp(**{"Dockerfile.jinja": DOCKERFILE_V2}),
        expected={
            "Dockerfile": sub(
                _render(DOCKERFILE_V2), "recommends curl ", "recommends curl libpq5 "
            )
        },
    )
)

COMPOSE = "docker-compose.yml"
COMPOSE_V1 = """\
services:
  app:
    build: .
    ports:
      - "8080:8080"
    environment:
      LOG_LEVEL: info
"""
HEALTHCHECK = """\
    healthcheck:
      test: ["CMD", "curl", "-fsS", "http://localhost:8080/healthz"]
      interval: 10s
      retries: 3
"""
DB_URL = "      DATABASE_URL: postgresql://db:5432/orders\n"
add(
    Scenario(
        name="compose_healthcheck_vs_env_var",
        note="blueprint adds a healthcheck after the environment the user extended",
        v1=bp(**{COMPOSE: COMPOSE_V1}),
        answers=ANSWERS,
        edits={COMPOSE: Append(DB_URL)},
        v2=bp(**{COMPOSE: COMPOSE_V1 + HEALTHCHECK}),
        expected={COMPOSE: COMPOSE_V1 + DB_URL + HEALTHCHECK},
    )
)

ENV_BLOCK = "    environment:\n      LOG_LEVEL: info\n"
add(
    Scenario(
        name="yaml_user_removed_block_blueprint_added_after_it",
        note="the user's removal stays removed; the blueprint's addition lands",
        v1=bp(**{COMPOSE: COMPOSE_V1}),
        answers=ANSWERS,
        edits={COMPOSE: Replace(ENV_BLOCK, "")},
        v2=bp(**{COMPOSE: COMPOSE_V1 + HEALTHCHECK}),
        expected={COMPOSE: sub(COMPOSE_V1, ENV_BLOCK, "") + HEALTHCHECK},
    )
)

COMPOSE_ENV2 = COMPOSE_V1 + '      WORKERS: "2"\n'
add(
    Scenario(
        name="yaml_key_removed_by_blueprint_modified_here",
        note="never a silent pick: delete vs modify falls back to text diff3",
        v1=bp(**{COMPOSE: COMPOSE_ENV2}),
        answers=ANSWERS,
        edits={COMPOSE: Replace("LOG_LEVEL: info", "LOG_LEVEL: debug")},
        v2=bp(**{COMPOSE: sub(COMPOSE_ENV2, "      LOG_LEVEL: info\n", "")}),
        expected={
            COMPOSE: sub(
                COMPOSE_ENV2,
                "      LOG_LEVEL: info\n",
                OURS
                + "      LOG_LEVEL: debug\n"
                + BASE
                + "      LOG_LEVEL: info\n"
                + SEP
                + THEIRS,
            )
        },
        conflict=True,
    )
)

DEPLOY = "k8s/deployment.yaml"
DEPLOY_V1 = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ service_name }}
  labels:
    app: {{ service_name }}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {{ service_name }}
  template:
    metadata:
      labels:
        app: {{ service_name }}
    spec:
      containers:
        - name: app
          image: registry.example.com/{{ service_name }}:latest
          ports:
            - containerPort: {{ port }}
"""
RESOURCES = """\
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
"""
add(
    Scenario(
        name="k8s_resources_vs_replicas",
        note="blueprint adds container resources; user scales replicas",
        v1=bp(**{DEPLOY + ".jinja": DEPLOY_V1}),
        answers=ANSWERS,
        edits={DEPLOY: Replace("replicas: 2\n", "replicas: 5\n")},
        v2=bp(**{DEPLOY + ".jinja": DEPLOY_V1 + RESOURCES}),
        expected={
            DEPLOY: sub(_render(DEPLOY_V1), "replicas: 2\n", "replicas: 5\n")
            + RESOURCES
        },
    )
)

SETTINGS = "config/settings.yaml"
SETTINGS_V1 = """\
# Settings for the service.
server:
  host: "0.0.0.0"
  port: 8080
  workers: 2
logging:
  level: info
"""
SETTINGS_OURS = """\
# Settings for the service.
server:
  host: "0.0.0.0"
  port: 8080
  workers: 4  # sized for c5.large nodes
# Logs are shipped to Loki: keep them structured.
logging:
  level: info
"""
add(
    Scenario(
        name="yaml_comments_kept",
        note="user comments stay where they were when the blueprint adds keys",
        v1=bp(**{SETTINGS: SETTINGS_V1}),
        answers=ANSWERS,
        edits={SETTINGS: SETTINGS_OURS},
        v2=bp(
            **{
                SETTINGS: sub(
                    SETTINGS_V1, "  workers: 2\n", "  workers: 2\n  timeout: 30\n"
                )
                + "  format: json\n"
            }
        ),
        expected={
            SETTINGS: """\
# Settings for the service.
server:
  host: "0.0.0.0"
  port: 8080
  workers: 4  # sized for c5.large nodes
  timeout: 30
# Logs are shipped to Loki: keep them structured.
logging:
  level: info
  format: json
"""
        },
    )
)

add(
    Scenario(
        name="yaml_same_scalar_changed_both_sides",
        note="the same scalar changed both sides: a conflict on that key, diff3-style",
        v1=bp(**{SETTINGS: SETTINGS_V1}),
        answers=ANSWERS,
        edits={SETTINGS: Replace("workers: 2", "workers: 4")},
        v2=bp(**{SETTINGS: sub(SETTINGS_V1, "workers: 2", "workers: 3")}),
        expected={
            SETTINGS: '# Settings for the service.\nserver:\n  host: "0.0.0.0"\n'
            "  port: 8080\n"
            + OURS
            + "  workers: 4\n"
            + BASE
            + "  workers: 2\n"
            + SEP
            + "  workers: 3\n"
            + THEIRS
            + "logging:\n  level: info\n"
        },
        conflict=True,
    )
)

add(
    Scenario(
        name="yaml_clash_marked_on_its_key_rest_merged",
        note="a clash on one key is marked on that key; the blueprint's other change merges",
        v1=bp(**{SETTINGS: SETTINGS_V1}),
        answers=ANSWERS,
        edits={SETTINGS: Replace("workers: 2", "workers: 4")},
        v2=bp(
            **{
                SETTINGS: sub(SETTINGS_V1, "workers: 2", "workers: 3")
                + "  format: json\n"
            }
        ),
        expected={
            SETTINGS: '# Settings for the service.\nserver:\n  host: "0.0.0.0"\n'
            "  port: 8080\n"
            + OURS
            + "  workers: 4\n"
            + BASE
            + "  workers: 2\n"
            + SEP
            + "  workers: 3\n"
            + THEIRS
            + "logging:\n  level: info\n  format: json\n"
        },
        conflict=True,
    )
)

MANIFESTS = "k8s/app.yaml"
MANIFESTS_V1 = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-extra
data:
  FEATURE_X: "on"
---
"""
add(
    Scenario(
        name="k8s_document_inserted_by_user_first",
        note="documents match by kind and name: the user's new first document "
        "does not shift the blueprint's changes onto the wrong ones",
        v1=bp(**{MANIFESTS: MANIFESTS_V1}),
        answers=ANSWERS,
        edits={MANIFESTS: CONFIGMAP + sub(MANIFESTS_V1, "replicas: 2", "replicas: 5")},
        v2=bp(
            **{
                MANIFESTS: sub(
                    sub(
                        MANIFESTS_V1,
                        "replicas: 2\n",
                        "replicas: 2\n  revisionHistoryLimit: 3\n",
                    ),
                    "port: 80",
                    "port: 8080",
                )
            }
        ),
        expected={
            MANIFESTS: CONFIGMAP
            + sub(
                sub(
                    MANIFESTS_V1,
                    "replicas: 2\n",
                    "replicas: 5\n  revisionHistoryLimit: 3\n",
                ),
                "port: 80",
                "port: 8080",
            )
        },
    )
)

# --- renames ---------------------------------------------------------------

GUIDE = """\
# Guide

## Install

Run `make install` to set up a virtualenv.

## Run

Run `make run` and open http://localhost:8080.

## Test

Run `make test`.

## Deploy

Push a tag; CI deploys it.
"""
FAQ = """\
# FAQ

## Where are the logs?

In Loki, under the service's name.

## Who owns the blueprint?

The platform team.
"""
GUIDE_OURS = sub(GUIDE, "localhost:8080.", "localhost:8080/docs.")
GUIDE_THEIRS = sub(GUIDE, "Push a tag;", "Push a tag matching v*;")
add(
    Scenario(
        name="template_renames_user_modified_file",
        note="the user's edits follow the file to its new name",
        v1=bp(**{"docs/guide.md": GUIDE, "docs/faq.md": FAQ}),
        answers=ANSWERS,
        edits={"docs/guide.md": GUIDE_OURS},
        v2=bp(**{"docs/handbook.md": GUIDE_THEIRS, "docs/questions.md": FAQ}),
        expected={
            "docs/guide.md": None,
            "docs/handbook.md": sub(
                GUIDE_THEIRS, "localhost:8080.", "localhost:8080/docs."
            ),
            "docs/faq.md": None,
            "docs/questions.md": FAQ,
        },
    )
)

add(
    Scenario(
        name="template_renames_user_deleted_file",
        note="a file the user deleted does not come back under its new name",
        v1=bp(**{"docs/guide.md": GUIDE, "README.md": "# orders\n"}),
        answers=ANSWERS,
        edits={"docs/guide.md": None},
        v2=bp(**{"docs/handbook.md": GUIDE_THEIRS, "README.md": "# orders\n"}),
        expected={"docs/guide.md": None, "docs/handbook.md": None},
    )
)

DEPLOY_SH = """\
#!/bin/sh
set -eu
# Deploy the service to the cluster.
IMAGE="registry.example.com/{{ service_name }}:$1"
docker build -t "$IMAGE" .
docker push "$IMAGE"
kubectl set image deployment/{{ service_name }} app="$IMAGE"
"""
ROLLOUT = "kubectl rollout status deployment/{{ service_name }} --timeout=5m\n"
add(
    Scenario(
        name="user_renamed_file_template_changes",
        note="the blueprint's change follows the file the user moved (and edited)",
        v1=bp(**{"scripts/deploy.sh.jinja!x": DEPLOY_SH}),
        answers=ANSWERS,
        edits={
            "scripts/deploy.sh": [
                Replace("registry.example.com", "registry.internal"),
                Rename("bin/deploy.sh"),
            ]
        },
        v2=bp(**{"scripts/deploy.sh.jinja!x": DEPLOY_SH + ROLLOUT}),
        expected={
            "scripts/deploy.sh": None,
            "bin/deploy.sh": sub(
                _render(DEPLOY_SH + ROLLOUT),
                "registry.example.com",
                "registry.internal",
            ),
        },
        expected_modes={"bin/deploy.sh": 0o755},
    )
)

add(
    Scenario(
        name="answer_change_moves_templated_path",
        note="--data service_name=billing moves src/orders/ to src/billing/, edits follow",
        v1=bp(
            **{
                "src/{{ service_name }}/__init__.py": "",
                "src/{{ service_name }}/main.py.jinja": '''\
"""The {{ service_name }} service."""

from fastapi import FastAPI

app = FastAPI(title="{{ service_name }}")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
''',
            }
        ),
        answers=ANSWERS,
        edits={
            "src/orders/main.py": Append(
                '\n\n@app.get("/orders")\ndef orders() -> list[str]:\n    return []\n'
            )
        },
        v2=bp(
            **{
                "src/{{ service_name }}/__init__.py": "",
                "src/{{ service_name }}/main.py.jinja": '''\
"""The {{ service_name }} service."""

from fastapi import FastAPI

app = FastAPI(title="{{ service_name }}")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
''',
            }
        ),
        update_args=("--data", "service_name=billing"),
        expected={
            "src/orders/__init__.py": None,
            "src/orders/main.py": None,
            "src/billing/__init__.py": "",
            "src/billing/main.py": '''\
"""The billing service."""

from fastapi import FastAPI

app = FastAPI(title="billing")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/orders")
def orders() -> list[str]:
    return []
''',
        },
    )
)

# --- deletions -------------------------------------------------------------

TOX = "[tox]\nenvlist = py312\n"
add(
    Scenario(
        name="template_deletes_modified_file",
        note="removed in the blueprint, modified here: kept, reported as a conflict",
        v1=bp(**{"tox.ini": TOX, "README.md": "# orders\n"}),
        answers=ANSWERS,
        edits={"tox.ini": Append("skip_missing_interpreters = true\n")},
        v2=bp(**{"README.md": "# orders\n"}),
        expected={"tox.ini": TOX + "skip_missing_interpreters = true\n"},
        conflict=True,
    )
)

add(
    Scenario(
        name="template_deletes_untouched_file",
        v1=bp(
            **{"setup.cfg": "[metadata]\nname = orders\n", "README.md": "# orders\n"}
        ),
        answers=ANSWERS,
        edits={"README.md": Append("\nOwned by the payments team.\n")},
        v2=bp(**{"README.md": "# orders\n"}),
        expected={"setup.cfg": None},
    )
)

CONTRIBUTING = "# Contributing\n\nOpen a pull request.\n"
add(
    Scenario(
        name="user_deleted_file_template_changed",
        note="a file the user deleted stays deleted (not managed)",
        v1=bp(**{"CONTRIBUTING.md": CONTRIBUTING, "README.md": "# orders\n"}),
        answers=ANSWERS,
        edits={"CONTRIBUTING.md": None},
        v2=bp(
            **{
                "CONTRIBUTING.md": CONTRIBUTING + "Run `make test` first.\n",
                "README.md": "# orders\n",
            }
        ),
        expected={"CONTRIBUTING.md": None},
    )
)

# --- both sides add --------------------------------------------------------

EDITORCONFIG = "root = true\n\n[*]\nindent_style = space\nindent_size = 4\n"
add(
    Scenario(
        name="both_add_same_path_same_content",
        v1=bp(**{"README.md": "# orders\n"}),
        answers=ANSWERS,
        edits={".editorconfig": EDITORCONFIG},
        v2=bp(**{"README.md": "# orders\n", ".editorconfig": EDITORCONFIG}),
        expected={".editorconfig": EDITORCONFIG},
    )
)

add(
    Scenario(
        name="both_add_same_path_different_content",
        note="merged against an empty base: one conflict with both versions",
        v1=bp(**{"README.md": "# orders\n"}),
        answers=ANSWERS,
        edits={"Makefile": "test:\n\tpytest -q\n"},
        v2=bp(
            **{
                "README.md": "# orders\n",
                "Makefile": ".PHONY: lint\nlint:\n\truff check .\n",
            }
        ),
        expected={
            "Makefile": OURS
            + "test:\n\tpytest -q\n"
            + BASE
            + SEP
            + ".PHONY: lint\nlint:\n\truff check .\n"
            + THEIRS
        },
        conflict=True,
    )
)

# --- TOML, ignore files, same change, real conflict ------------------------

PYPROJECT_V1 = """\
[project]
name = "{{ service_name }}"
version = "0.1.0"
dependencies = [
    "fastapi>=0.110",
    "uvicorn>=0.29",
]

[tool.ruff]
line-length = 88
"""
add(
    Scenario(
        name="pyproject_pin_changed_both_sides",
        note="a package pinned differently on both sides is a conflict, never two pins",
        v1=bp(**{"pyproject.toml.jinja": PYPROJECT_V1}),
        answers=ANSWERS,
        edits={
            "pyproject.toml": Replace(
                '"fastapi>=0.110",\n    "uvicorn>=0.29",\n',
                '"fastapi==0.111.0",\n    "uvicorn>=0.29",\n    "httpx>=0.27",\n',
            )
        },
        v2=bp(
            **{
                "pyproject.toml.jinja": sub(
                    sub(PYPROJECT_V1, "fastapi>=0.110", "fastapi>=0.115"),
                    "line-length = 88",
                    "line-length = 100",
                )
            }
        ),
        expected={
            "pyproject.toml": '[project]\nname = "orders"\nversion = "0.1.0"\n'
            "dependencies = [\n"
            + OURS
            + '    "fastapi==0.111.0",\n'
            + BASE
            + '    "fastapi>=0.110",\n'
            + SEP
            + '    "fastapi>=0.115",\n'
            + THEIRS
            + '    "uvicorn>=0.29",\n    "httpx>=0.27",\n]\n\n'
            "[tool.ruff]\nline-length = 100\n"
        },
        conflict=True,
    )
)
add(
    Scenario(
        name="pyproject_dependencies_added_both_sides",
        note="both append to [project] dependencies: the toml driver keeps both",
        v1=bp(**{"pyproject.toml.jinja": PYPROJECT_V1}),
        answers=ANSWERS,
        edits={
            "pyproject.toml": [
                Replace(
                    '"uvicorn>=0.29",\n', '"uvicorn>=0.29",\n    "sqlalchemy>=2.0",\n'
                ),
                Replace('version = "0.1.0"', 'version = "0.2.0"'),
            ]
        },
        v2=bp(
            **{
                "pyproject.toml.jinja": sub(
                    PYPROJECT_V1,
                    '"uvicorn>=0.29",\n',
                    '"uvicorn>=0.29",\n    "structlog>=24.1",\n',
                )
            }
        ),
        expected={
            "pyproject.toml": """\
[project]
name = "orders"
version = "0.2.0"
dependencies = [
    "fastapi>=0.110",
    "uvicorn>=0.29",
    "structlog>=24.1",
    "sqlalchemy>=2.0",
]

[tool.ruff]
line-length = 88
"""
        },
    )
)

MYPY_TABLE = "\n[tool.mypy]\nstrict = true\n"
PYTEST_TABLE = '\n[tool.pytest.ini_options]\naddopts = "-q"\n'
add(
    Scenario(
        name="pyproject_tables_added_both_sides",
        note="both append a table after [tool.ruff]: the blueprint's goes where it put it",
        v1=bp(**{"pyproject.toml.jinja": PYPROJECT_V1}),
        answers=ANSWERS,
        edits={"pyproject.toml": Append(PYTEST_TABLE)},
        v2=bp(**{"pyproject.toml.jinja": PYPROJECT_V1 + MYPY_TABLE}),
        expected={"pyproject.toml": _render(PYPROJECT_V1) + MYPY_TABLE + PYTEST_TABLE},
    )
)

GITIGNORE = "__pycache__/\n*.pyc\n"
add(
    Scenario(
        name="gitignore_appended_both_sides",
        note="union: ours' lines, then the blueprint's new ones",
        v1=bp(**{".gitignore": GITIGNORE}),
        answers=ANSWERS,
        edits={".gitignore": Append(".env\n")},
        v2=bp(**{".gitignore": GITIGNORE + ".coverage\nhtmlcov/\n"}),
        expected={".gitignore": GITIGNORE + ".env\n.coverage\nhtmlcov/\n"},
    )
)

README_V1 = "# {{ service_name }}\n\nA service.\n\n## Usage\n\nmake run\n"
add(
    Scenario(
        name="same_change_both_sides",
        v1=bp(**{"README.md.jinja": README_V1}),
        answers=ANSWERS,
        edits={"README.md": Replace("A service.", "The orders service.")},
        v2=bp(
            **{
                "README.md.jinja": sub(
                    README_V1, "A service.", "The {{ service_name }} service."
                )
            }
        ),
        expected={
            "README.md": "# orders\n\nThe orders service.\n\n## Usage\n\nmake run\n"
        },
    )
)

SETTINGS_PY = "DEBUG = False\nTIMEOUT = 30\nRETRIES = 3\n"
add(
    Scenario(
        name="real_conflict_one_line",
        note="both edit the same line: git-style diff3 markers with version labels",
        v1=bp(**{"app/settings.py": SETTINGS_PY}),
        answers=ANSWERS,
        edits={"app/settings.py": Replace("TIMEOUT = 30", "TIMEOUT = 60")},
        v2=bp(**{"app/settings.py": sub(SETTINGS_PY, "TIMEOUT = 30", "TIMEOUT = 10")}),
        expected={
            "app/settings.py": "DEBUG = False\n"
            + OURS
            + "TIMEOUT = 60\n"
            + BASE
            + "TIMEOUT = 30\n"
            + SEP
            + "TIMEOUT = 10\n"
            + THEIRS
            + "RETRIES = 3\n"
        },
        conflict=True,
    )
)

# --- modes, binaries, line endings -----------------------------------------

MIGRATE = "#!/bin/sh\nset -eu\nalembic upgrade head\n"
DEV = "#!/bin/sh\nexec uvicorn app:app --reload\n"
add(
    Scenario(
        name="exec_bit",
        note="the blueprint makes a script executable; the user's exec bit survives",
        v1=bp(**{"scripts/migrate.sh": MIGRATE, "scripts/dev.sh": DEV}),
        answers=ANSWERS,
        edits={
            "scripts/migrate.sh": Replace("head\n", "head  # keep in sync with CI\n"),
            "scripts/dev.sh": Chmod(0o755),
        },
        v2=bp(
            **{
                "scripts/migrate.sh!x": MIGRATE,
                "scripts/dev.sh": sub(DEV, "--reload", "--reload --port 8080"),
            }
        ),
        expected={
            "scripts/migrate.sh": "#!/bin/sh\nset -eu\nalembic upgrade head  # keep in sync with CI\n",
            "scripts/dev.sh": sub(DEV, "--reload", "--reload --port 8080"),
        },
        expected_modes={"scripts/migrate.sh": 0o755, "scripts/dev.sh": 0o755},
    )
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
LOGO_V1, LOGO_OURS, LOGO_V2 = (PNG + bytes([n]) * 64 + b"\x00IEND" for n in (1, 2, 3))
ICON_V1, ICON_V2 = (b"\x00\x00\x01\x00" + bytes([n]) * 32 for n in (7, 8))
add(
    Scenario(
        name="binary_changed_both_sides",
        note="ours kept, theirs written beside it; a one-sided binary change is taken",
        v1=bp(**{"static/logo.png": LOGO_V1, "static/favicon.ico": ICON_V1}),
        answers=ANSWERS,
        edits={"static/logo.png": LOGO_OURS},
        v2=bp(**{"static/logo.png": LOGO_V2, "static/favicon.ico": ICON_V2}),
        expected={
            "static/logo.png": LOGO_OURS,
            "static/logo.png.blueprint": LOGO_V2,
            "static/favicon.ico": ICON_V2,
        },
        conflict=True,
    )
)

NOTES = "line one\nline two\nline three\nline four\nline five\n"


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


add(
    Scenario(
        name="crlf_working_copy",
        note="a CRLF checkout merges line by line and stays CRLF",
        v1=bp(**{"docs/notes.txt": NOTES, "docs/other.txt": NOTES}),
        answers=ANSWERS,
        edits={
            "docs/notes.txt": _crlf(sub(NOTES, "line two", "line 2 (ours)")),
            "docs/other.txt": _crlf(NOTES),
        },
        v2=bp(
            **{
                "docs/notes.txt": sub(NOTES, "line four", "line 4 (theirs)"),
                "docs/other.txt": sub(NOTES, "line one", "line 1 (theirs)"),
            }
        ),
        expected={
            "docs/notes.txt": _crlf(
                "line one\nline 2 (ours)\nline three\nline 4 (theirs)\nline five\n"
            ),
            "docs/other.txt": _crlf(sub(NOTES, "line one", "line 1 (theirs)")),
        },
    )
)

add(
    Scenario(
        name="crlf_yaml",
        note="a CRLF YAML file merged structurally stays CRLF",
        v1=bp(**{COMPOSE: COMPOSE_V1}),
        answers=ANSWERS,
        edits={COMPOSE: _crlf(COMPOSE_V1 + DB_URL)},
        v2=bp(**{COMPOSE: COMPOSE_V1 + HEALTHCHECK}),
        expected={COMPOSE: _crlf(COMPOSE_V1 + DB_URL + HEALTHCHECK)},
    )
)

# --- answers ---------------------------------------------------------------

APP_ENV = "SERVICE={{ service_name }}\nPORT={{ port }}\nWORKERS=2\n"
add(
    Scenario(
        name="answer_changed_with_data",
        note="update --data port=9000 re-renders with the new answer, user lines kept",
        v1=bp(**{"config/app.env.jinja": APP_ENV, "README.md": "# orders\n"}),
        answers=ANSWERS,
        edits={"config/app.env": Append("LOG_LEVEL=debug\n")},
        v2=bp(**{"config/app.env.jinja": APP_ENV, "README.md": "# orders service\n"}),
        update_args=("--data", "port=9000"),
        expected={
            "config/app.env": "SERVICE=orders\nPORT=9000\nWORKERS=2\nLOG_LEVEL=debug\n",
            "README.md": "# orders service\n",
        },
    )
)

add(
    Scenario(
        name="new_question_takes_its_default",
        note="v1.1.0 asks a new question: off a terminal it takes its default",
        v1=bp(**{"README.md": "# orders\n"}),
        answers=ANSWERS,
        edits={"README.md": Append("\nOwned by the payments team.\n")},
        v2={
            "copier.yml": COPIER_YML
            + 'python_version:\n  type: str\n  default: "3.12"\n',
            "README.md": "# orders\n",
            ".python-version.jinja": "{{ python_version }}\n",
        },
        expected={".python-version": "3.12\n"},
    )
)

DOCKER_FILES = {
    "{% if use_docker %}Dockerfile{% endif %}.jinja": "FROM python:3.12-slim\nEXPOSE {{ port }}\n",
    "{% if use_docker %}.dockerignore{% endif %}": ".git\n",
    "README.md": "# orders\n",
}
add(
    Scenario(
        name="conditional_file_no_longer_rendered",
        note="--data use_docker=false: the untouched Docker files are removed",
        v1=bp(**DOCKER_FILES),
        answers={**ANSWERS, "use_docker": True},
        edits={"README.md": Append("\nRun it with `make run`.\n")},
        v2=bp(**DOCKER_FILES),
        update_args=("--data", "use_docker=false"),
        expected={"Dockerfile": None, ".dockerignore": None},
    )
)

add(
    Scenario(
        name="conditional_file_no_longer_rendered_but_modified",
        note="--data use_docker=false: a Dockerfile the user edited is kept (conflict)",
        v1=bp(**DOCKER_FILES),
        answers={**ANSWERS, "use_docker": True},
        edits={"Dockerfile": Append("RUN pip install gunicorn\n")},
        v2=bp(**DOCKER_FILES),
        update_args=("--data", "use_docker=false"),
        expected={
            "Dockerfile": "FROM python:3.12-slim\nEXPOSE 8080\nRUN pip install gunicorn\n",
            ".dockerignore": None,
        },
        conflict=True,
    )
)

# --- ownership policy ------------------------------------------------------

POLICY = """\
ownership:
  managed:
    - Makefile
    - /ci/pipeline.sh
  seeded:
    - src/**
"""
add(
    Scenario(
        name="policy_managed_and_seeded",
        note=(
            "managed: the blueprint's version is written and recreated, local edits "
            "kept beside it (.local) for a decision; seeded: never touched"
        ),
        policy=POLICY,
        v1=bp(
            **{
                "Makefile": "test:\n\tpytest\n",
                "ci/pipeline.sh": "#!/bin/sh\nmake test\n",
                "src/app.py": "print('hello')\n",
            }
        ),
        answers=ANSWERS,
        edits={"Makefile": Append("local:\n\techo mine\n"), "ci/pipeline.sh": None},
        v2=bp(
            **{
                "Makefile": "test:\n\tpytest -q\n",
                "ci/pipeline.sh": "#!/bin/sh\nset -eu\nmake test\n",
                "src/app.py": "print('hello, world')\n",
            }
        ),
        expected={
            "Makefile": "test:\n\tpytest -q\n",
            "Makefile.local": "test:\n\tpytest\nlocal:\n\techo mine\n",
            "ci/pipeline.sh": "#!/bin/sh\nset -eu\nmake test\n",
        },
        conflict=True,  # the team decides what becomes of its edits
    )
)

# --- the base cannot be rendered -------------------------------------------

FALLBACK_TEXT = "alpha\nbeta\ngamma\ndelta\n"
add(
    Scenario(
        name="base_ref_deleted_fallback",
        note="v1.0.0 is gone: one-sided changes exact by the lock's hashes, two-sided two-way",
        delete_base_tag=True,
        v1=bp(
            **{
                "ours.txt": FALLBACK_TEXT,
                "theirs.txt": FALLBACK_TEXT,
                "both.txt": FALLBACK_TEXT,
                "gone.txt": "obsolete\n",
                COMPOSE: COMPOSE_V1,
            }
        ),
        answers=ANSWERS,
        edits={
            "ours.txt": Replace("beta", "BETA (ours)"),
            "both.txt": Replace("beta", "BETA (ours)"),
        },
        v2=bp(
            **{
                "ours.txt": FALLBACK_TEXT,
                "theirs.txt": sub(FALLBACK_TEXT, "gamma", "GAMMA (theirs)"),
                "both.txt": sub(FALLBACK_TEXT, "gamma", "GAMMA (theirs)"),
                "new.txt": "added in 1.1.0\n",
                COMPOSE: COMPOSE_V1 + HEALTHCHECK,
            }
        ),
        expected={
            "ours.txt": sub(FALLBACK_TEXT, "beta", "BETA (ours)"),
            "theirs.txt": sub(FALLBACK_TEXT, "gamma", "GAMMA (theirs)"),
            "both.txt": "alpha\n"
            + OURS
            + "BETA (ours)\ngamma\n"
            + SEP
            + "beta\nGAMMA (theirs)\n"
            + THEIRS
            + "delta\n",
            "gone.txt": None,
            "new.txt": "added in 1.1.0\n",
            COMPOSE: COMPOSE_V1 + HEALTHCHECK,
        },
        conflict=True,
    )
)

# --- many kinds of change at once (also the interrupt test's story) --------

KITCHEN_V1 = bp(
    **{
        "README.md.jinja": README_V1,
        "Dockerfile.jinja": DOCKERFILE_V1,
        "docs/guide.md": GUIDE,
        "setup.cfg": "[metadata]\nname = orders\n",
        "scripts/migrate.sh": MIGRATE,
        ".gitignore": GITIGNORE,
    }
)
KITCHEN = add(
    Scenario(
        name="many_changes_at_once",
        note="create, update, merge, delete, rename and chmod in one update",
        v1=KITCHEN_V1,
        answers=ANSWERS,
        edits={
            "Dockerfile": Replace("recommends curl ", "recommends curl libpq5 "),
            "docs/guide.md": GUIDE_OURS,
            ".gitignore": ".env\n" + GITIGNORE,
            "app.py": "print('mine')\n",
        },
        v2=bp(
            **{
                "README.md.jinja": sub(
                    README_V1, "make run", "make run PORT={{ port }}"
                ),
                "Dockerfile.jinja": DOCKERFILE_V2,
                "docs/handbook.md": GUIDE_THEIRS,
                "scripts/migrate.sh!x": MIGRATE,
                ".gitignore": GITIGNORE + ".coverage\n",
                "CHANGELOG.md": "# Changelog\n",
            }
        ),
        expected={
            "README.md": "# orders\n\nA service.\n\n## Usage\n\nmake run PORT=8080\n",
            "Dockerfile": sub(
                _render(DOCKERFILE_V2), "recommends curl ", "recommends curl libpq5 "
            ),
            "docs/guide.md": None,
            "docs/handbook.md": sub(
                GUIDE_THEIRS, "localhost:8080.", "localhost:8080/docs."
            ),
            "setup.cfg": None,
            "scripts/migrate.sh": MIGRATE,
            ".gitignore": ".env\n" + GITIGNORE + ".coverage\n",
            "CHANGELOG.md": "# Changelog\n",
        },
        expected_modes={"scripts/migrate.sh": 0o755},
    )
)

ONE_SIDED = add(
    Scenario(
        name="one_sided_changes_only",
        note="every change on one side only (no content merge): the interrupt story",
        v1=bp(
            **{
                "README.md.jinja": README_V1,
                "docs/faq.md": FAQ,
                "setup.cfg": "[metadata]\nname = orders\n",
                "scripts/migrate.sh": MIGRATE,
                "docs/guide.md": GUIDE,
            }
        ),
        answers=ANSWERS,
        edits={"docs/guide.md": GUIDE_OURS, "app.py": "print('mine')\n"},
        v2=bp(
            **{
                "README.md.jinja": sub(
                    README_V1, "make run", "make run PORT={{ port }}"
                ),
                "docs/questions.md": FAQ,
                "scripts/migrate.sh!x": MIGRATE,
                "docs/guide.md": GUIDE,
                "CHANGELOG.md": "# Changelog\n",
            }
        ),
        expected={
            "README.md": "# orders\n\nA service.\n\n## Usage\n\nmake run PORT=8080\n",
            "docs/faq.md": None,
            "docs/questions.md": FAQ,
            "setup.cfg": None,
            "scripts/migrate.sh": MIGRATE,
            "CHANGELOG.md": "# Changelog\n",
        },
        expected_modes={"scripts/migrate.sh": 0o755},
    )
)

BY_NAME = {s.name: s for s in SCENARIOS}
assert len(BY_NAME) == len(SCENARIOS), "scenario names must be unique"
