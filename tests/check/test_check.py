"""`synctool check` as a user meets it: a real blueprint with a policy, a
service made by `synctool init`, then edits, commits and waivers.

One blueprint and one generated service per module (a copier render is the
slow part); each test works on its own copy of the service, git history
included.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from synctool.cli import run as cli_run
from tests.helpers import GIT_ENV, REPO, Result, git, make_blueprint, run_cli, snapshot

CHECK_SCHEMA = json.loads((REPO / "docs/check-output.schema.json").read_text())
SARIF_SCHEMA = json.loads(
    (REPO / "tests/schemas/sarif-2.1.0-subset.schema.json").read_text()
)

D0 = "0" * 64
D1 = "1" * 64

COPIER_YML = """\
_subdirectory: template
service_name:
  type: str
  default: orders
port:
  type: int
  default: 8080
"""

# The blueprint's policy: ownership classes and a rule of every kind.
POLICY = """\
ownership:
  managed:
    - Makefile
    - scripts/**
  seeded:
    - "src/{{ service_name }}/**"
rules:
  - id: basics
    kind: required
    paths: [/Dockerfile, README.md]
  - id: no-secrets
    kind: forbidden
    paths: [.env, "*.pem", "id_rsa*"]
    message: Secrets must not be committed.
  - id: dockerfile-non-root-user
    kind: contains
    paths: [/Dockerfile]
    where: '^USER\\b'
    last: true
    pattern: '^USER\\s+[1-9][0-9]*(:[0-9]+)?\\s*$'
    message: The image must run as a numeric non-root user.
    hint: Add `USER 10001` after the last build step.
  - id: dockerfile-pinned-base
    kind: contains
    paths: [/Dockerfile]
    where: '^FROM\\s'
    all: true
    pattern: '@sha256:[0-9a-f]{64}'
  - id: dockerfile-healthcheck
    kind: contains
    paths: [/Dockerfile]
    pattern: '^HEALTHCHECK\\s'
  - id: no-breakpoints
    kind: not-contains
    paths: ["src/**/*.py"]
    pattern: '^\\s*breakpoint\\(\\)'
  - id: ci-lints
    kind: yaml
    paths: [/.github/workflows/ci.yml]
    select: jobs.*.steps[*].name
    includes: Lint
  - id: k8s-non-root
    kind: yaml
    paths: ["k8s/**/*.yaml"]
    where: {kind: Deployment}
    select: spec.template.spec.containers[*].securityContext.runAsNonRoot
    equals: true
  - id: fresh-blueprint
    kind: max-behind
    releases: 2
"""

DOCKERFILE = f"""\
FROM python:3.12-slim@sha256:{D0} AS build
RUN pip wheel . -w /wheels
FROM python:3.12-slim@sha256:{D1}
COPY --from=build /wheels /wheels
USER 10001
EXPOSE 8080
HEALTHCHECK CMD curl -f http://localhost:8080/health
"""

MAKEFILE = "lint:\n\truff check .\n"

CI_YML = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        run: make lint
      - name: Test
        run: make test
"""

DEPLOYMENT = """\
apiVersion: v1
kind: Service
metadata:
  name: orders
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          securityContext:
            runAsNonRoot: true
"""

V1 = {
    "copier.yml": COPIER_YML,
    "synctool.yml": POLICY,
    "template/Dockerfile.jinja": DOCKERFILE.replace("8080", "{{ port }}"),
    "template/README.md.jinja": "# {{ service_name }}\n",
    "template/Makefile": MAKEFILE,
    "template/.gitignore": ".env\n",
    "template/src/{{ service_name }}/main.py.jinja": (
        "def main() -> None:\n    print('{{ service_name }}')\n"
    ),
    "template/.github/workflows/ci.yml": CI_YML,
    "template/k8s/deployment.yaml.jinja": DEPLOYMENT.replace(
        "name: orders", "name: {{ service_name }}"
    ),
}
# Later releases: the service is made at v1.0.0, three releases behind.
RELEASES = {"v1.0.0": V1, "v1.1.0": V1, "v1.2.0": V1, "v1.3.0": V1}

SERVICE_FILES = {
    ".github/workflows/ci.yml",
    ".gitignore",
    ".synctool.lock",
    ".synctool.yml",
    "Dockerfile",
    "Makefile",
    "README.md",
    "k8s/deployment.yaml",
    "src/orders/main.py",
}

Brief = tuple[str, str | None, int | None, str]


# -- fixtures and helpers ---------------------------------------------------


@pytest.fixture(scope="module")
def blueprint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_blueprint(tmp_path_factory.mktemp("bp") / "bp", RELEASES)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, blueprint: Path) -> Path:
    """`synctool init` once; tests copy the result."""
    home = tmp_path_factory.mktemp("init-home")
    dest = tmp_path_factory.mktemp("generated") / "orders"
    with pytest.MonkeyPatch.context() as mp:
        for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            mp.setenv(var, str(home / var.lower()))
        for var, value in GIT_ENV.items():
            mp.setenv(var, value)
        code = cli_run(
            [
                "init",
                str(dest),
                "--blueprint",
                str(blueprint),
                "--ref",
                "v1.0.0",
                "--defaults",
                "-q",
                "--no-color",
            ]
        )
    assert code == 0
    return dest


@pytest.fixture
def svc(tmp_path: Path, generated: Path) -> Path:
    """A fresh copy of the generated service (a git repo, one commit)."""
    dest = tmp_path / "orders"
    shutil.copytree(generated, dest, symlinks=True)
    return dest


def write(svc: Path, rel: str, text: str) -> None:
    path = svc / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def declare(svc: Path, text: str) -> int:
    """Append to .synctool.yml; return the line number the text starts on."""
    path = svc / ".synctool.yml"
    before = path.read_text()
    path.write_text(before + text)
    return before.count("\n") + 1


def check(capsys: pytest.CaptureFixture[str], svc: Path, *args: str) -> Result:
    return run_cli(capsys, "check", str(svc), *args)


def check_json(
    capsys: pytest.CaptureFixture[str], svc: Path, *args: str
) -> tuple[int, dict[str, Any]]:
    """Run `check --format json`; the document always conforms to the schema."""
    result = check(capsys, svc, "--format", "json", *args)
    assert result.code in (0, 1), result.err
    doc = json.loads(result.out)
    Draft202012Validator(CHECK_SCHEMA).validate(doc)
    reported = doc["findings"]
    assert doc["summary"] == {
        "errors": sum(f["severity"] == "error" for f in reported),
        "warnings": sum(f["severity"] == "warning" for f in reported),
        "waived": len(doc["waived"]),
    }
    assert result.code == (1 if doc["summary"]["errors"] else 0)
    return result.code, doc


def brief(findings: list[dict[str, Any]]) -> list[Brief]:
    return [(f["rule"], f["path"], f["line"], f["message"]) for f in findings]


def findings_of(capsys: pytest.CaptureFixture[str], svc: Path) -> list[Brief]:
    return brief(check_json(capsys, svc)[1]["findings"])


def one_error_line(result: Result) -> str:
    """Bad input: exit 2, nothing on stdout, one line on stderr."""
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


# -- the generated service --------------------------------------------------


def test_generated_service_passes_every_rule(
    capsys: pytest.CaptureFixture[str], svc: Path, blueprint: Path
) -> None:
    assert set(git(svc, "ls-files").split()) == SERVICE_FILES
    code, doc = check_json(capsys, svc)
    assert code == 0
    assert doc["findings"] == [] and doc["waived"] == []
    assert doc["service"] == str(svc)
    assert doc["blueprint"] == {"source": str(blueprint), "version": "1.0.0"}
    assert doc["schema_version"] == 1

    text = check(capsys, svc)
    assert text.code == 0
    assert text.out == "0 errors, 0 warnings, 0 waived\n"


def test_the_applied_policy_is_recorded_rendered(svc: Path) -> None:
    lock = (svc / ".synctool.lock").read_text()
    assert "- src/orders/**" in lock  # {{ service_name }} rendered
    assert "id: dockerfile-non-root-user" in lock


def test_check_writes_nothing(capsys: pytest.CaptureFixture[str], svc: Path) -> None:
    write(svc, "Makefile", "lint:\n\techo skipped\n")
    write(svc, "Dockerfile", "FROM python:3.12\n")
    before = snapshot(svc)
    for fmt in ("text", "json", "github", "sarif"):
        assert check(capsys, svc, "--format", fmt).code == 1
    assert snapshot(svc) == before
    assert git(svc, "status", "--porcelain").split() == [
        "M",
        "Dockerfile",
        "M",
        "Makefile",
    ]


# -- rule kinds: a passing and a failing case each -----------------------------


def test_required_passes_and_fails(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / "docs").mkdir()
    git(svc, "mv", "README.md", "docs/README.md")
    assert findings_of(capsys, svc) == []  # README.md matches at any depth

    git(svc, "rm", "-qf", "docs/README.md", "Dockerfile")
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert [
        (*b, f["hint"])
        for b, f in zip(brief(doc["findings"]), doc["findings"], strict=True)
    ] == [
        ("basics", None, None, "Dockerfile is missing", "add Dockerfile"),
        ("basics", None, None, "README.md is missing", "add README.md"),
    ]


def test_forbidden_ignored_local_env_is_fine(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, ".env", "DATABASE_PASSWORD=hunter2\n")
    assert git(svc, "status", "--porcelain") == ""  # ignored
    assert findings_of(capsys, svc) == []


def test_forbidden_untracked_unstaged_key_is_not_the_repos_business(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
    assert findings_of(capsys, svc) == []


def test_forbidden_staged_secrets_are_findings(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, ".env", "DATABASE_PASSWORD=hunter2\n")
    write(svc, "deploy/id_rsa_backup", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
    write(svc, "certs/tls.pem", "-----BEGIN CERTIFICATE-----\n")
    git(svc, "add", "-f", ".env")
    git(svc, "add", "deploy", "certs")
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        ("no-secrets", ".env", None, "Secrets must not be committed."),
        ("no-secrets", "certs/tls.pem", None, "Secrets must not be committed."),
        ("no-secrets", "deploy/id_rsa_backup", None, "Secrets must not be committed."),
    ]
    assert doc["findings"][0]["hint"] == (
        "git rm --cached .env, and add it to .gitignore"
    )
    assert all(f["severity"] == "error" for f in doc["findings"])


def test_forbidden_committed_secret_is_a_finding(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "server.pem", "x\n")
    git(svc, "add", "server.pem")
    git(svc, "commit", "-qm", "oops", "--no-verify")
    assert findings_of(capsys, svc) == [
        ("no-secrets", "server.pem", None, "Secrets must not be committed.")
    ]


def test_outside_git_every_file_counts(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    shutil.rmtree(svc / ".git")
    inside = subprocess.run(
        ["git", "rev-parse", "--git-dir"], cwd=svc, capture_output=True, check=False
    )
    if inside.returncode == 0:
        pytest.skip("the temporary folder is itself inside a git repository")
    assert findings_of(capsys, svc) == []
    write(svc, ".env", "DATABASE_PASSWORD=hunter2\n")  # .gitignore means nothing here
    write(svc, "id_rsa", "key\n")
    assert findings_of(capsys, svc) == [
        ("no-secrets", ".env", None, "Secrets must not be committed."),
        ("no-secrets", "id_rsa", None, "Secrets must not be committed."),
    ]


def test_contains_last_user_passes_when_the_final_user_is_numeric(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        "Dockerfile",
        DOCKERFILE.replace(
            "USER 10001", "USER root\nRUN apt-get update\nUSER 10001:10001"
        ),
    )
    assert findings_of(capsys, svc) == []


def test_contains_last_user_fails_on_a_final_root_user(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", DOCKERFILE.replace("USER 10001", "USER 10001\nUSER root"))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        (
            "dockerfile-non-root-user",
            "Dockerfile",
            6,
            "The image must run as a numeric non-root user: USER root",
        )
    ]
    assert doc["findings"][0]["hint"] == "Add `USER 10001` after the last build step."


def test_contains_last_user_fails_without_any_user(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", DOCKERFILE.replace("USER 10001\n", ""))
    assert findings_of(capsys, svc) == [
        (
            "dockerfile-non-root-user",
            "Dockerfile",
            None,
            "The image must run as a numeric non-root user: no line matches /^USER\\b/",
        )
    ]


def test_contains_all_from_lines_pinned_passes(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        "Dockerfile",
        f"FROM busybox@sha256:{D1} AS tools\n" + DOCKERFILE,
    )
    assert findings_of(capsys, svc) == []


def test_contains_all_one_finding_per_unpinned_from(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        "Dockerfile",
        DOCKERFILE.replace(f"@sha256:{D1}", "").replace(f"@sha256:{D0}", "@sha256:abc"),
    )
    pinned = "/@sha256:[0-9a-f]{64}/"
    assert findings_of(capsys, svc) == [
        (
            "dockerfile-pinned-base",
            "Dockerfile",
            1,
            f"FROM python:3.12-slim@sha256:abc AS build does not match {pinned}",
        ),
        (
            "dockerfile-pinned-base",
            "Dockerfile",
            3,
            f"FROM python:3.12-slim does not match {pinned}",
        ),
    ]


def test_contains_healthcheck_present_anywhere_passes(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    lines = DOCKERFILE.splitlines(keepends=True)
    write(svc, "Dockerfile", "".join([lines[-1], *lines[:-1]]))
    assert findings_of(capsys, svc) == []


def test_contains_healthcheck_missing_fails(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", DOCKERFILE.replace("HEALTHCHECK", "# HEALTHCHECK"))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        ("dockerfile-healthcheck", "Dockerfile", None, "no match of /^HEALTHCHECK\\s/")
    ]
    assert doc["findings"][0]["hint"] == "add a line matching /^HEALTHCHECK\\s/"


def test_not_contains_passes(capsys: pytest.CaptureFixture[str], svc: Path) -> None:
    write(
        svc,
        "src/orders/main.py",
        "def main() -> None:\n    # breakpoint() while debugging\n    pass\n",
    )
    assert findings_of(capsys, svc) == []


def test_not_contains_fails_on_each_match_with_its_line(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        "src/orders/main.py",
        "def main() -> None:\n    breakpoint()\n    x = 1\n    breakpoint()\n",
    )
    pattern = "/^\\s*breakpoint\\(\\)/"
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        ("no-breakpoints", "src/orders/main.py", 2, f"breakpoint() matches {pattern}"),
        ("no-breakpoints", "src/orders/main.py", 4, f"breakpoint() matches {pattern}"),
    ]


def test_yaml_includes_passes_when_any_job_lints(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        ".github/workflows/ci.yml",
        CI_YML.replace("name: Lint", "name: Build")
        + "  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: make setup\n      - name: Lint\n        run: make lint\n",
    )
    assert findings_of(capsys, svc) == []


def test_yaml_includes_fails_without_a_lint_step(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, ".github/workflows/ci.yml", CI_YML.replace("name: Lint", "name: Format"))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        (
            "ci-lints",
            ".github/workflows/ci.yml",
            1,
            'jobs.*.steps[*].name does not include "Lint" (found: "Format", "Test")',
        )
    ]
    assert doc["findings"][0]["hint"] == 'add "Lint" to jobs.*.steps[*].name'


def test_yaml_equals_where_skips_other_kinds(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        "k8s/migrate.yaml",
        "kind: Job\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: migrate\n          image: app:1\n",
    )
    git(svc, "add", "k8s/migrate.yaml")
    assert findings_of(capsys, svc) == []


def test_yaml_equals_fails_on_a_wrong_value_and_a_missing_key(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        "k8s/deployment.yaml",
        DEPLOYMENT.replace("runAsNonRoot: true", "runAsNonRoot: false")
        + "        - name: sidecar\n          image: envoy:1\n",
    )
    code, doc = check_json(capsys, svc)
    assert code == 1
    expr = "spec.template.spec.containers[{}].securityContext.runAsNonRoot"
    assert brief(doc["findings"]) == [
        (
            "k8s-non-root",
            "k8s/deployment.yaml",
            17,
            f"{expr.format(0)} is false, expected true",
        ),
        (
            "k8s-non-root",
            "k8s/deployment.yaml",
            18,
            f"{expr.format(1)} is missing, expected true",
        ),
    ]


def test_yaml_rule_reports_a_file_that_does_not_parse(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "k8s/broken.yaml", "kind: Deployment\nspec: [unclosed\n")
    git(svc, "add", "k8s/broken.yaml")
    code, doc = check_json(capsys, svc)
    assert code == 1
    [finding] = doc["findings"]
    assert (finding["rule"], finding["path"], finding["severity"]) == (
        "k8s-non-root",
        "k8s/broken.yaml",
        "error",
    )
    assert finding["message"].startswith("could not parse YAML: ")
    assert finding["line"] == 3


def test_max_behind_is_not_judged_offline(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    # made at v1.0.0, three releases behind v1.3.0; the rule allows 2
    assert findings_of(capsys, svc) == []


def test_max_behind_fails_online(capsys: pytest.CaptureFixture[str], svc: Path) -> None:
    code, doc = check_json(capsys, svc, "--online")
    assert code == 1
    assert brief(doc["findings"]) == [
        (
            "fresh-blueprint",
            None,
            None,
            "blueprint 1.0.0 is 3 releases behind 1.3.0 (at most 2 allowed)",
        )
    ]
    assert doc["findings"][0]["hint"] == "run `synctool update`"
    assert doc["releases"] == {
        "current": "1.0.0",
        "latest": "1.3.0",
        "releases_behind": 3,
    }
    text = check(capsys, svc, "--online")
    assert text.out.splitlines()[0] == (
        "blueprint 1.0.0: 3 releases behind 1.3.0 "
        "(`synctool update` brings it up to date)"
    )


def test_releases_are_said_only_online(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    assert "releases" not in check_json(capsys, svc)[1]
    assert "behind" not in check(capsys, svc).out


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("1.0.0", "blueprint 1.0.0: 2 releases behind 1.2.0 "),
        ("1.1.0", "blueprint 1.1.0: 1 release behind 1.2.0 "),
        ("1.2.0", "blueprint 1.2.0: up to date (newest release 1.2.0)"),
    ],
)
def test_online_reads_the_bundled_blueprints_releases(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, ref: str, says: str
) -> None:
    dest = tmp_path / "svc"
    made = run_cli(capsys, "init", str(dest), "--defaults", "--ref", ref, "-q")
    assert made.code == 0, made.err
    result = check(capsys, dest, "--online")
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines()[0].startswith(says)
    assert result.out.splitlines()[-1] == "0 errors, 0 warnings, 0 waived"


def test_max_behind_passes_online_within_the_limit(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    declare(
        svc,
        "rules:\n  - id: fresh-blueprint\n    kind: max-behind\n    releases: 3\n",
    )
    code, doc = check_json(capsys, svc, "--online")
    assert (code, doc["findings"]) == (0, [])


# -- synctool's own findings -------------------------------------------------


def test_edited_managed_file_is_drift(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Makefile", MAKEFILE + "\techo skipped\n")
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        (
            "managed-drift",
            "Makefile",
            3,  # the first changed line (tests/check/test_check_diff.py)
            "blueprint-managed file was edited; the blueprint owns it",
        )
    ]
    assert "synctool check --fix" in doc["findings"][0]["hint"]


def test_edits_to_merged_and_seeded_files_are_not_drift(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "README.md", "# orders\n\nOur own words.\n")
    write(svc, "src/orders/main.py", "def main() -> None:\n    pass\n")
    assert findings_of(capsys, svc) == []


@pytest.mark.parametrize("staged", [False, True], ids=["deleted", "git-rm"])
def test_deleted_managed_file_is_missing(
    capsys: pytest.CaptureFixture[str], svc: Path, staged: bool
) -> None:
    if staged:
        git(svc, "rm", "-q", "Makefile")
    else:
        (svc / "Makefile").unlink()
    assert findings_of(capsys, svc) == [
        ("managed-missing", "Makefile", None, "blueprint-managed file is missing")
    ]


def test_crlf_checkout_of_a_managed_file_is_not_drift(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    git(svc, "config", "core.autocrlf", "true")
    (svc / "Makefile").unlink()
    git(svc, "checkout", "--", "Makefile")
    assert (svc / "Makefile").read_bytes() == MAKEFILE.replace("\n", "\r\n").encode()
    assert git(svc, "status", "--porcelain") == ""  # git: nothing changed
    assert findings_of(capsys, svc) == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("ref: v1.0.0", "ref: v1.1.0", "ref v1.1.0 is declared but v1.0.0 is applied"),
        ("port: 8080", "port: 9090", "answers changed but not applied: port"),
        (
            "service_name: orders",
            "service_name: billing",
            "answers changed but not applied: service_name",
        ),
    ],
    ids=["ref", "answer", "name"],
)
def test_declared_differs_from_applied(
    capsys: pytest.CaptureFixture[str], svc: Path, old: str, new: str, message: str
) -> None:
    declared = svc / ".synctool.yml"
    assert old in declared.read_text()
    declared.write_text(declared.read_text().replace(old, new))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [("not-synced", ".synctool.yml", None, message)]
    assert "run `synctool sync`" in doc["findings"][0]["hint"]

    text = check(capsys, svc)
    assert text.code == 1
    assert "synctool sync" in text.out


def test_conflict_marker_in_a_blueprint_file(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc,
        "README.md",
        "# orders\n\n"
        "<<<<<<< ours (your service)\nOur own words.\n"
        "||||||| base (blueprint 1.0.0)\n=======\nThe blueprint's words.\n"
        ">>>>>>> theirs (blueprint 1.1.0)\n",
    )
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        ("conflict", "README.md", 3, "unresolved conflict marker left by synctool sync")
    ]


def test_conflict_marker_lookalikes_are_not_conflicts(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "README.md", "# orders\n\nGit writes `<<<<<<< ours` in files.\n")
    assert findings_of(capsys, svc) == []


def test_staged_blueprint_side_file_is_a_conflict(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Makefile.blueprint", "lint:\n\truff check --fix .\n")
    git(svc, "add", "Makefile.blueprint")
    assert findings_of(capsys, svc) == [
        (
            "conflict",
            "Makefile.blueprint",
            None,
            "unresolved binary conflict: the blueprint's version of Makefile is "
            "still beside yours",
        )
    ]


def test_side_file_left_by_sync_is_a_conflict(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(
        svc, "Makefile.blueprint", "lint:\n\truff check --fix .\n"
    )  # as sync leaves it
    assert [f[:2] for f in findings_of(capsys, svc)] == [
        ("conflict", "Makefile.blueprint")
    ]


# -- waivers -------------------------------------------------------------------

NO_HEALTHCHECK = DOCKERFILE.replace("HEALTHCHECK", "# HEALTHCHECK")
HEALTHCHECK_FINDING: Brief = (
    "dockerfile-healthcheck",
    "Dockerfile",
    None,
    "no match of /^HEALTHCHECK\\s/",
)


def waiver(expires: str, paths: str = "[Dockerfile]") -> str:
    return (
        "waivers:\n"
        "  - rule: dockerfile-healthcheck\n"
        f"    paths: {paths}\n"
        "    reason: The mesh sidecar probes it\n"
        f"    expires: {expires}\n"
    )


def test_valid_waiver_moves_the_finding_to_waived(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    declare(svc, waiver("2999-12-31"))
    code, doc = check_json(capsys, svc)
    assert code == 0
    assert doc["findings"] == []
    assert brief(doc["waived"]) == [HEALTHCHECK_FINDING]
    assert doc["summary"] == {"errors": 0, "warnings": 0, "waived": 1}

    text = check(capsys, svc)
    assert text.code == 0
    assert text.out.splitlines()[-1] == "0 errors, 0 warnings, 1 waived"


def test_summary_counts_errors_warnings_and_waived(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK.replace(f"@sha256:{D1}", ""))
    write(svc, "Makefile", "lint:\n")
    declare(
        svc,
        waiver("2999-12-31", paths="[Dockerfile, /Dockerfile]")
        + "disable: [gone-rule, also-gone]\n",
    )
    text = check(capsys, svc)
    assert text.code == 1
    assert text.out.splitlines()[-1] == "2 errors, 2 warnings, 1 waived"
    _code, doc = check_json(capsys, svc)
    assert doc["summary"] == {"errors": 2, "warnings": 2, "waived": 1}


def test_waiver_without_expiry_or_paths_covers_every_finding_of_its_rule(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", DOCKERFILE.replace("USER 10001", "USER 10001\nUSER root"))
    declare(
        svc,
        "waivers:\n  - rule: dockerfile-non-root-user\n"
        "    reason: The legacy agent needs root until Q3\n",
    )
    code, doc = check_json(capsys, svc)
    assert (code, doc["findings"], len(doc["waived"])) == (0, [], 1)


def test_expired_waiver_is_an_error_and_the_finding_stays(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    line = declare(svc, waiver("2020-01-31"))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        (
            "waiver-expired",
            ".synctool.yml",
            line + 1,
            "waiver for 'dockerfile-healthcheck' expired on 2020-01-31 "
            "(The mesh sidecar probes it)",
        ),
        HEALTHCHECK_FINDING,
    ]
    assert doc["waived"] == []
    text = check(capsys, svc)
    assert text.out.splitlines()[-1] == "2 errors, 0 warnings, 0 waived"


def test_stale_waiver_is_a_warning_only(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    line = declare(svc, waiver("2999-12-31"))
    code, doc = check_json(capsys, svc)
    assert code == 0
    assert brief(doc["findings"]) == [
        (
            "waiver-stale",
            ".synctool.yml",
            line + 1,
            "waiver for 'dockerfile-healthcheck' matches no finding",
        )
    ]
    assert doc["findings"][0]["severity"] == "warning"
    text = check(capsys, svc)
    assert text.code == 0
    assert text.out.splitlines()[-1] == "0 errors, 1 warning, 0 waived"


def test_waiver_for_another_path_covers_nothing(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    line = declare(svc, waiver("2999-12-31", paths="[docker/Dockerfile.dev]"))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        (
            "waiver-stale",
            ".synctool.yml",
            line + 1,
            "waiver for 'dockerfile-healthcheck' matches no finding",
        ),
        HEALTHCHECK_FINDING,
    ]


def test_waiver_of_max_behind_is_not_stale_offline(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    declare(
        svc,
        "waivers:\n  - rule: fresh-blueprint\n    reason: Frozen for the audit\n",
    )
    assert findings_of(capsys, svc) == []
    code, doc = check_json(capsys, svc, "--online")
    assert (code, doc["findings"], brief(doc["waived"])[0][0]) == (
        0,
        [],
        "fresh-blueprint",
    )


def test_managed_drift_can_be_waived(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Makefile", MAKEFILE + "\techo local\n")
    declare(
        svc,
        "waivers:\n  - rule: managed-drift\n    paths: [Makefile]\n"
        "    reason: Local lint target until the blueprint has one\n",
    )
    code, doc = check_json(capsys, svc)
    assert (code, doc["findings"], brief(doc["waived"])[0][:2]) == (
        0,
        [],
        ("managed-drift", "Makefile"),
    )


# -- local rules in .synctool.yml ---------------------------------------------


def test_local_rule_replaces_a_blueprint_rule(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    declare(
        svc,
        "rules:\n"
        "  - id: dockerfile-healthcheck\n"
        "    kind: contains\n"
        "    paths: [/Dockerfile]\n"
        "    pattern: '^HEALTHCHECK\\s'\n"
        "    severity: warning\n"
        "    message: Add a HEALTHCHECK when you can.\n",
    )
    code, doc = check_json(capsys, svc)
    assert code == 0
    assert brief(doc["findings"]) == [
        (
            "dockerfile-healthcheck",
            "Dockerfile",
            None,
            "Add a HEALTHCHECK when you can.",
        )
    ]
    assert doc["findings"][0]["severity"] == "warning"


def test_local_rule_adds_to_the_blueprint_rules(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    declare(
        svc,
        "rules:\n"
        "  - id: changelog\n"
        "    kind: required\n"
        "    paths: [CHANGELOG.md]\n"
        "  - id: no-print\n"
        "    kind: not-contains\n"
        "    paths: ['src/**/*.py']\n"
        "    pattern: '\\bprint\\('\n"
        "    severity: warning\n",
    )
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert brief(doc["findings"]) == [
        ("changelog", None, None, "CHANGELOG.md is missing"),
        (
            "no-print",
            "src/orders/main.py",
            2,
            "print('orders') matches /\\bprint\\(/",
        ),
    ]
    write(svc, "CHANGELOG.md", "# Changes\n")
    git(svc, "add", "CHANGELOG.md")
    code, doc = check_json(capsys, svc)
    assert code == 0
    assert [f[0] for f in brief(doc["findings"])] == ["no-print"]


def test_disable_turns_a_rule_off(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, ".github/workflows/ci.yml", CI_YML.replace("name: Lint", "name: Format"))
    declare(svc, "disable: [ci-lints]\n")
    assert findings_of(capsys, svc) == []


def test_disable_naming_no_rule_is_a_warning(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    line = declare(svc, "disable:\n  - ci-lints\n  - removed-rule\n")
    code, doc = check_json(capsys, svc)
    assert code == 0
    assert brief(doc["findings"]) == [
        (
            "disable-unknown",
            ".synctool.yml",
            line + 2,
            "disable: no rule 'removed-rule' (the blueprint may have removed it)",
        )
    ]


# -- bad input: exit 2, one line naming the file and line ----------------------


@pytest.mark.parametrize(
    ("rules", "offset", "says"),
    [
        (
            "rules:\n  - id: extra\n    kind: contains\n    paths: [README.md]\n"
            "    pattern: '(unclosed'\n",
            4,
            "rule 'extra': 'pattern' is not a valid regex",
        ),
        (
            "rules:\n  - id: extra\n    kind: contains\n    paths: [README.md]\n"
            "    patern: x\n",
            4,
            "rule 'extra': unknown key 'patern' for kind contains",
        ),
        (
            "rules:\n  - id: extra\n    kind: containz\n    paths: [README.md]\n",
            2,
            "rule 'extra': kind 'containz' is not one of",
        ),
        (
            "rules:\n  - id: Extra_Rule\n    kind: required\n    paths: [x]\n",
            1,
            "rule id 'Extra_Rule' must match",
        ),
        (
            "rules:\n  - id: extra\n    kind: yaml\n    paths: [a.yaml]\n"
            "    select: 'jobs..name'\n    exists: true\n",
            4,
            "rule 'extra': 'select'",
        ),
        (
            "rules:\n  - id: extra\n    kind: required\n    paths: [x]\n"
            "  - id: extra\n    kind: required\n    paths: [y]\n",
            4,
            "duplicate rule id 'extra' (first defined on line",
        ),
        (
            "waivers:\n  - rule: ci-lints\n    expires: 2027-01-01\n",
            1,
            "waiver for 'ci-lints': 'reason' is required",
        ),
        (
            "waivers:\n  - rule: ci-lints\n    reason: x\n    expires: '2027-02-30'\n",
            3,
            "waiver for 'ci-lints': 'expires' must be a date, YYYY-MM-DD",
        ),
        ("disable: ci-lints\n", 0, "`disable` must be a list of rule ids"),
    ],
    ids=[
        "bad-regex",
        "unknown-key",
        "unknown-kind",
        "bad-id",
        "bad-select",
        "duplicate-id",
        "waiver-no-reason",
        "waiver-bad-date",
        "disable-not-list",
    ],
)
def test_malformed_local_rule_exits_2_naming_file_and_line(
    capsys: pytest.CaptureFixture[str],
    svc: Path,
    rules: str,
    offset: int,
    says: str,
) -> None:
    line = declare(svc, rules) + offset
    before = snapshot(svc)
    for fmt in ("text", "json"):
        message = one_error_line(check(capsys, svc, "--format", fmt))
        assert message.startswith(f"error: .synctool.yml:{line}: "), message
        assert says in message
    assert snapshot(svc) == before


def test_impossible_waiver_date_exits_2(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    line = declare(
        svc, "waivers:\n  - rule: ci-lints\n    reason: x\n    expires: 2027-02-30\n"
    )
    message = one_error_line(check(capsys, svc))
    assert message.startswith(f"error: .synctool.yml:{line + 3}: "), message


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("answers:\n", "answers:\n  port: [8080\n", 7),
        ("ref: v1.0.0\n", "ref: v1.0.0\n  nested: x\n", 5),
        ("answers:\n", "answers:\n\tport: 1\n", 6),
    ],
    ids=["unclosed-list", "bad-indent", "tab"],
)
def test_malformed_yaml_in_synctool_yml_exits_2(
    capsys: pytest.CaptureFixture[str], svc: Path, old: str, new: str, line: int
) -> None:
    declared = svc / ".synctool.yml"
    declared.write_text(declared.read_text().replace(old, new, 1))
    message = one_error_line(check(capsys, svc))
    assert message.startswith(f"error: .synctool.yml:{line}: malformed YAML"), message


@pytest.mark.parametrize(
    ("garble", "says"),
    [
        (None, ".synctool.lock not found"),
        (b"lock_version: 1\nfiles: [\n", ".synctool.lock:3: malformed YAML"),
        (b"just some text\n", ".synctool.lock: not a synctool lock"),
        (b"lock_version: 1\nblueprint: x\n", ".synctool.lock: malformed"),
        (b"\xff\xfe\x00\x01garbage", ".synctool.lock"),
        (b"lock_version: 7\n", ".synctool.lock: lock_version 7 is not supported"),
    ],
    ids=["missing", "bad-yaml", "not-a-mapping", "missing-keys", "binary", "future"],
)
def test_missing_or_garbled_lock_exits_2(
    capsys: pytest.CaptureFixture[str], svc: Path, garble: bytes | None, says: str
) -> None:
    lock = svc / ".synctool.lock"
    if garble is None:
        lock.unlink()
    else:
        lock.write_bytes(garble)
    message = one_error_line(check(capsys, svc, "--format", "json"))
    assert says in message


def test_garbled_rule_in_the_lock_exits_2(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    lock = svc / ".synctool.lock"
    lock.write_text(lock.read_text().replace("kind: contains", "kind: containz", 1))
    message = one_error_line(check(capsys, svc))
    assert ".synctool.lock" in message and "kind 'containz' is not one of" in message


def test_not_a_service_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    message = one_error_line(check(capsys, tmp_path))
    assert "is not a synctool service (no .synctool.yml)" in message
    gone = tmp_path / "no-such-folder"
    message = one_error_line(check(capsys, gone))
    assert message == f"error: {gone} does not exist. Pass the service's folder."
    assert not gone.exists()


def test_a_missing_lock_says_how_to_restore_it(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / ".synctool.lock").unlink()
    message = one_error_line(check(capsys, svc))
    assert message == (
        f"error: .synctool.lock not found in {svc}. Restore it from git history "
        "(`git checkout HEAD -- .synctool.lock`)."
    )


def test_unknown_format_exits_2(capsys: pytest.CaptureFixture[str], svc: Path) -> None:
    # a usage error, as every command prints one (tests/cli/test_cli_help.py)
    result = check(capsys, svc, "--format", "xml")
    assert (result.code, result.out) == (2, "")
    assert result.err.strip().splitlines()[-1] == (
        "Error: Invalid value for '--format': 'xml' is not one of "
        "'text', 'json', 'github', 'sarif'."
    )


# -- --fix ----------------------------------------------------------------------


def test_fix_restores_an_edited_managed_file_and_keeps_the_edit_beside_it(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    edited = MAKEFILE + "\techo my local change\n"
    write(svc, "Makefile", edited)
    result = check(capsys, svc, "--fix")
    assert result.code == 0, result.out + result.err
    assert (svc / "Makefile").read_text() == MAKEFILE
    assert (svc / "Makefile.local").read_text() == edited
    lines = [line.split() for line in result.out.splitlines()]
    assert lines[0][:2] == ["create", "Makefile.local"]
    assert lines[1][:2] == ["restore", "Makefile"]
    assert result.out.splitlines()[-1] == "0 errors, 0 warnings, 0 waived"

    assert findings_of(capsys, svc) == []  # Makefile.local is not tracked


def test_a_kept_version_staged_beside_a_managed_file_is_a_conflict(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    """`git add -A` after `--fix` would commit the team's old version as a
    file of its own: check refuses it, as it does a sync's kept version."""
    edited = MAKEFILE + "\techo my local change\n"
    write(svc, "Makefile", edited)
    assert check(capsys, svc, "--fix").code == 0
    write(svc, "Makefile", edited)  # edited again, and --fix again: .local.1
    assert check(capsys, svc, "--fix").code == 0
    assert (svc / "Makefile.local.1").read_text() == edited
    write(svc, "README.md.local", "a note beside a file the team owns\n")
    git(svc, "add", "-A")

    result = check(capsys, svc)

    assert result.code == 1
    assert findings_of(capsys, svc) == [
        ("conflict", "Makefile.local", None, KEPT_MESSAGE),
        ("conflict", "Makefile.local.1", None, KEPT_MESSAGE),
    ]
    assert "carry what you need into Makefile" in result.out
    git(svc, "rm", "-q", "--cached", "Makefile.local", "Makefile.local.1")
    assert findings_of(capsys, svc) == []  # untracked again: the team's to look at


KEPT_MESSAGE = (
    "unresolved conflict: your version of Makefile is kept here, beside the blueprint's"
)


def test_fix_restores_a_committed_edit_without_a_copy(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Makefile", "lint:\n\ttrue\n")
    git(svc, "commit", "-qam", "Skip lint", "--no-verify")
    result = check(capsys, svc, "--fix")
    assert result.code == 0
    assert (svc / "Makefile").read_text() == MAKEFILE
    assert not (svc / "Makefile.local").exists()  # the edit is in git history


def test_fix_recreates_a_missing_managed_file(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / "Makefile").unlink()
    result = check(capsys, svc, "--fix")
    assert result.code == 0
    assert (svc / "Makefile").read_text() == MAKEFILE
    assert not (svc / "Makefile.local").exists()
    assert git(svc, "status", "--porcelain") == ""


def test_fix_leaves_rule_findings_to_people(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    result = check(capsys, svc, "--fix")
    assert result.code == 1
    assert (svc / "Dockerfile").read_text() == NO_HEALTHCHECK


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_fix_with_machine_output_keeps_stdout_parseable(
    capsys: pytest.CaptureFixture[str], svc: Path, fmt: str
) -> None:
    write(svc, "Makefile", MAKEFILE + "\techo my local change\n")
    result = check(capsys, svc, "--fix", "--format", fmt)
    assert result.code == 0
    json.loads(result.out)


def test_second_fix_does_not_discard_the_first_kept_edit(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    first = MAKEFILE + "\techo first edit\n"
    write(svc, "Makefile", first)
    assert check(capsys, svc, "--fix").code == 0
    write(svc, "Makefile", MAKEFILE + "\techo second edit\n")
    assert check(capsys, svc, "--fix").code == 0
    kept = [p.read_text() for p in svc.rglob("Makefile*") if p.name != "Makefile"]
    assert first in kept, kept


# -- output formats -------------------------------------------------------------


def _break_the_dockerfile(svc: Path) -> None:
    write(
        svc,
        "Dockerfile",
        DOCKERFILE.replace(f"@sha256:{D1}", "")
        .replace("USER 10001", "USER 10001\nUSER root")
        .replace("HEALTHCHECK", "# HEALTHCHECK"),
    )


def test_text_output_groups_findings_by_file(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    _break_the_dockerfile(svc)
    declare(svc, "disable: [removed-rule]\n")
    result = check(capsys, svc)
    assert result.code == 1
    lines = [line.strip() for line in result.out.splitlines()]
    assert lines == [
        ".synctool.yml",
        "warning  disable-unknown:8  disable: no rule 'removed-rule' (the blueprint may have removed it)",
        "hint: remove 'removed-rule' from disable",
        "Dockerfile",
        "error  dockerfile-healthcheck  no match of /^HEALTHCHECK\\s/",
        "hint: add a line matching /^HEALTHCHECK\\s/",
        "error  dockerfile-pinned-base:3  FROM python:3.12-slim does not match /@sha256:[0-9a-f]{64}/",
        "hint: make it match /@sha256:[0-9a-f]{64}/",
        "error  dockerfile-non-root-user:6  The image must run as a numeric non-root user: USER root",
        "hint: Add `USER 10001` after the last build step.",
        "3 errors, 1 warning, 0 waived",
    ]


def test_github_output_is_one_annotation_per_finding(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    _break_the_dockerfile(svc)
    write(svc, "Makefile", "lint:\n")
    declare(svc, "disable: [removed-rule]\n")
    result = check(capsys, svc, "--format", "github")
    assert result.code == 1
    assert result.out.splitlines() == [
        "::warning file=.synctool.yml,line=8,title=disable-unknown::disable: no rule "
        "'removed-rule' (the blueprint may have removed it) (remove 'removed-rule' "
        "from disable)",
        "::error file=Dockerfile,title=dockerfile-healthcheck::no match of "
        "/^HEALTHCHECK\\s/ (add a line matching /^HEALTHCHECK\\s/)",
        "::error file=Dockerfile,line=3,title=dockerfile-pinned-base::FROM "
        "python:3.12-slim does not match /@sha256:[0-9a-f]{64}/ (make it match "
        "/@sha256:[0-9a-f]{64}/)",
        "::error file=Dockerfile,line=6,title=dockerfile-non-root-user::The image "
        "must run as a numeric non-root user: USER root (Add `USER 10001` after the "
        "last build step.)",
        "::error file=Makefile,line=1,title=managed-drift::blueprint-managed file was "
        "edited; the blueprint owns it (undo the edit (`synctool check --fix`), "
        "change the blueprint, or add a waiver)",
        "4 errors, 1 warning, 0 waived",
    ]


def test_github_output_of_a_finding_about_the_whole_service(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    git(svc, "rm", "-q", "README.md")
    result = check(capsys, svc, "--format", "github")
    assert result.out.splitlines()[0] == (
        "::error title=basics::README.md is missing (add README.md)"
    )


def test_github_output_escapes_newlines_and_percent(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    declare(
        svc,
        "rules:\n  - id: no-todo\n    kind: not-contains\n    paths: [README.md]\n"
        "    pattern: 'TODO'\n    message: \"100% done,\\nplease\"\n",
    )
    write(svc, "README.md", "# orders\nTODO: docs\n")
    result = check(capsys, svc, "--format", "github")
    assert result.out.splitlines()[0] == (
        "::error file=README.md,line=2,title=no-todo::100%25 done,%0Aplease: "
        "TODO: docs (remove it)"
    )


def test_json_output_is_stable_and_sorted(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    _break_the_dockerfile(svc)
    first = check(capsys, svc, "--format", "json").out
    assert check(capsys, svc, "--format", "json").out == first
    _code, doc = check_json(capsys, svc)
    keys = [(f["path"] or "", f["line"] or 0, f["rule"]) for f in doc["findings"]]
    assert keys == sorted(keys)


def test_json_schema_rejects_what_check_never_writes() -> None:
    validator = Draft202012Validator(CHECK_SCHEMA)
    Draft202012Validator.check_schema(CHECK_SCHEMA)
    good = {
        "schema_version": 1,
        "synctool_version": "0.1.0",
        "service": "/srv/orders",
        "blueprint": {"source": "bundled", "version": None},
        "summary": {"errors": 1, "warnings": 0, "waived": 0},
        "findings": [
            {
                "rule": "basics",
                "severity": "error",
                "path": None,
                "line": None,
                "message": "README.md is missing",
                "hint": None,
            }
        ],
        "waived": [],
    }
    validator.validate(good)
    finding = good["findings"][0]  # type: ignore[index]
    for bad in (
        {**good, "schema_version": 2},
        {**good, "extra": 1},
        {**good, "findings": [{**finding, "severity": "info"}]},
        {**good, "findings": [{**finding, "line": 0}]},
        {**good, "findings": [{**finding, "rule": "Not An Id"}]},
        {k: v for k, v in good.items() if k != "waived"},
    ):
        assert not validator.is_valid(bad), bad


def _sarif(capsys: pytest.CaptureFixture[str], svc: Path) -> dict[str, Any]:
    result = check(capsys, svc, "--format", "sarif")
    doc: dict[str, Any] = json.loads(result.out)
    Draft202012Validator(SARIF_SCHEMA).validate(doc)
    [run] = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
    return doc


def test_sarif_output_validates_and_locates_findings(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    Draft202012Validator.check_schema(SARIF_SCHEMA)
    _break_the_dockerfile(svc)
    git(svc, "rm", "-q", "README.md")
    declare(svc, "disable: [removed-rule]\n")
    doc = _sarif(capsys, svc)
    assert doc["version"] == "2.1.0"
    [run] = doc["runs"]
    assert run["tool"]["driver"]["name"] == "synctool"
    by_rule = {
        r["ruleId"]: (
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
        )
        for r in run["results"]
    }
    assert by_rule == {
        "basics": ("error", ".synctool.yml", None),
        "disable-unknown": ("warning", ".synctool.yml", 8),
        "dockerfile-healthcheck": ("error", "Dockerfile", None),
        "dockerfile-pinned-base": ("error", "Dockerfile", 3),
        "dockerfile-non-root-user": ("error", "Dockerfile", 6),
    }
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == set(by_rule)


def test_sarif_output_of_a_clean_service(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    doc = _sarif(capsys, svc)
    assert doc["runs"][0]["results"] == []


def test_sarif_subset_schema_rejects_broken_logs() -> None:
    validator = Draft202012Validator(SARIF_SCHEMA)
    result = {
        "ruleId": "r",
        "level": "error",
        "message": {"text": "m"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "Dockerfile"},
                    "region": {"startLine": 1},
                }
            }
        ],
    }
    driver = {"name": "synctool", "version": "0.1.0", "rules": [{"id": "r"}]}
    good = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": [result]}],
    }
    validator.validate(good)

    def with_result(**changes: Any) -> dict[str, Any]:
        return {
            "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": [{**result, **changes}]}],
        }

    location = result["locations"][0]["physicalLocation"]  # type: ignore[index]
    for bad in (
        {**good, "version": "2.0.0"},
        with_result(level="fatal"),
        with_result(message={"markdown": "m"}),
        with_result(
            locations=[{"physicalLocation": {**location, "region": {"startLine": 0}}}]
        ),
        with_result(
            locations=[{"physicalLocation": {"artifactLocation": {"uri": "a b"}}}]
        ),
        {
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}],
        },
    ):
        assert not validator.is_valid(bad), bad


def test_sarif_uri_of_a_path_with_a_space_is_percent_encoded(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "docs/my key.pem", "x\n")
    git(svc, "add", "docs")
    doc = _sarif(capsys, svc)
    [item] = doc["runs"][0]["results"]
    uri = item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "docs/my%20key.pem"


# -- speed: check never imports copier ---------------------------------------------


def check_with_importtime(
    svc: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`python -X importtime -m synctool check ARGS` in svc: the run, and
    the modules it imported."""
    path = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "synctool", "check", *args],
        cwd=svc,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(path)},
        capture_output=True,
        text=True,
        check=False,
    )
    modules = [
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    return proc, modules


def _imported_modules(svc: Path, *args: str, code: int = 0) -> list[str]:
    """Modules `python -X importtime -m synctool check ARGS` imports, in svc."""
    proc, modules = check_with_importtime(svc, *args)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert not [line for line in proc.stderr.splitlines() if "copier" in line.lower()]
    return modules


def test_check_does_not_import_copier(svc: Path) -> None:
    modules = _imported_modules(svc)
    assert "synctool.commands.check" in modules  # importtime did report
    assert "synctool.check.rules.kinds" in modules
    assert not [m for m in modules if m.split(".")[0] == "copier"]
    assert not _engine(modules)
    # .synctool.yml is read fast, with its lines: ruamel is for rewriting it
    assert not [m for m in modules if m.split(".")[0] == "ruamel"]
    # the bundled rules' paths are plain: no pathspec (check/rules/globs.py)
    assert not [m for m in modules if m.split(".")[0] == "pathspec"]
    # its regexes are re's, stopped by a timer (check/rules/patterns.py)
    assert not [m for m in modules if m.split(".")[0] == "regex"]


def _engine(modules: list[str]) -> list[str]:
    """The merge engine's modules among ``modules`` (check reads no merge)."""
    return [
        m for m in modules if m == "synctool.merge" or m.startswith("synctool.merge.")
    ]


def test_check_with_findings_does_not_import_copier(svc: Path) -> None:
    write(svc, "Makefile", "lint:\n")
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    modules = _imported_modules(svc, "--format", "sarif", code=1)
    assert "synctool.check.reports" in modules
    assert not _engine(modules)
