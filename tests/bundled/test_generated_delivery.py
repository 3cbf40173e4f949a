"""The generated service's delivery files: Docker, compose, CI, scripts, policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.bundled.conftest import Service, require_tool, run
from tests.bundled.policy_eval import violations
from tests.bundled.test_blueprint import render_policy

pytestmark = pytest.mark.slow

SHA_PINNED_FROM = re.compile(r"^FROM\s+\S+:\S+@sha256:[0-9a-f]{64}(\s+AS\s+\S+)?$")


def test_hadolint(service: Service) -> None:
    run(
        [require_tool("hadolint"), "--failure-threshold", "info", "Dockerfile"],
        service.path,
    )


def test_dockerfile_hardening(service: Service) -> None:
    lines = [
        line.strip()
        for line in (service.path / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert len(froms) >= 2, "multi-stage"
    for line in froms:
        assert SHA_PINNED_FROM.match(line), line
    users = [line for line in lines if line.startswith("USER ")]
    assert users, "no USER"
    assert re.fullmatch(r"USER [1-9][0-9]*(:[1-9][0-9]*)?", users[-1])
    assert lines.index(users[-1]) > lines.index(froms[-1])
    healthchecks = [line for line in lines if line.startswith("HEALTHCHECK")]
    assert len(healthchecks) == 1
    text = (service.path / "Dockerfile").read_text()
    assert "/health/live" in text and "curl" not in text and "wget" not in text
    dockerignore = (service.path / ".dockerignore").read_text().splitlines()
    for entry in (".git", ".env", ".env.*", ".venv", "tests"):
        assert entry in dockerignore


def test_compose(service: Service) -> None:
    compose = service.path / "docker-compose.yml"
    run(
        [
            require_tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            compose,
        ],
        service.path,
    )
    spec = yaml.safe_load(compose.read_text())
    services = spec["services"]
    assert set(services) == {"db", "migrate", "app"}
    assert "pg_isready" in str(services["db"]["healthcheck"]["test"])
    assert services["app"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert "db-data" in spec["volumes"]
    text = compose.read_text()
    assert "${POSTGRES_PASSWORD:?" in text and "${JWT_SECRET:?" in text


def test_workflows(service: Service) -> None:
    workflows = sorted((service.path / ".github" / "workflows").glob("*.yml"))
    assert workflows
    run(
        [
            require_tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *workflows,
        ],
        service.path,
    )
    run([require_tool("actionlint"), "-no-color", *workflows], service.path)
    run([require_tool("zizmor"), "--offline", "--no-progress", ".github"], service.path)

    ci = yaml.safe_load((service.path / ".github" / "workflows" / "ci.yml").read_text())
    assert ci["permissions"] == {"contents": "read"}
    assert "concurrency" in ci
    jobs = ci["jobs"]
    assert {"lint", "test", "build", "scan", "push"} <= set(jobs)
    for name, job in jobs.items():
        perms = job.get("permissions", {})
        assert ("packages" in perms) == (name == "push"), name
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), (
                    step
                )
    scan = str(jobs["scan"])
    assert "trivy" in scan and "pip-audit" in scan
    deploys = service.answers["include_helm"] or service.answers["include_terraform"]
    if deploys:
        assert jobs["deploy-staging"]["environment"]["name"] == "staging"
        assert jobs["deploy-production"]["environment"]["name"] == "production"
        assert "deploy-staging" in jobs["deploy-production"]["needs"]
    raw = (service.path / ".github" / "workflows" / "ci.yml").read_text()
    for line in raw.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v?\d", line), line


def test_dependabot(service: Service) -> None:
    run(
        [
            require_tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.dependabot",
            service.path / ".github" / "dependabot.yml",
        ],
        service.path,
    )


def test_pre_commit_runs_synctool_check(service: Service) -> None:
    config_path = service.path / ".pre-commit-config.yaml"
    run([require_tool("pre-commit"), "validate-config", config_path], service.path)
    config = yaml.safe_load(config_path.read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    synctool = next(hook for hook in hooks if hook["id"] == "synctool-check")
    assert synctool["entry"] == "synctool check"
    assert synctool["pass_filenames"] is False
    assert synctool["always_run"] is True


def test_shellcheck(service: Service) -> None:
    scripts = sorted((service.path / "scripts").glob("*.sh"))
    assert {p.name for p in scripts} >= {"deploy.sh", "migrate.sh", "test.sh"}
    run([require_tool("shellcheck"), "--severity=style", *scripts], service.path)
    for script in scripts:
        assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
        assert "set -euo pipefail" in script.read_text()


def test_service_satisfies_its_own_policy(service: Service) -> None:
    policy = render_policy(dict(service.answers))
    assert violations(policy, service.path) == []


def test_policy_catches_drift(service: Service, tmp_path: Path) -> None:
    import shutil

    drifted = tmp_path / "drifted"
    shutil.copytree(service.path, drifted)
    dockerfile = drifted / "Dockerfile"
    text = dockerfile.read_text()
    text = re.sub(r"^USER .*$", "USER root", text, flags=re.MULTILINE)
    text = re.sub(r"@sha256:[0-9a-f]{64}", "", text, count=1)
    text = re.sub(r"^HEALTHCHECK .*?\n(\s+CMD .*\n)?", "", text, flags=re.MULTILINE)
    dockerfile.write_text(text)
    (drifted / ".env").write_text("JWT_SECRET=oops\n")
    (drifted / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    found = {
        entry.split(":")[0]
        for entry in violations(render_policy(dict(service.answers)), drifted)
    }
    assert found == {
        "dockerfile-non-root-user",
        "dockerfile-from-digest",
        "dockerfile-healthcheck",
        "no-dotenv-committed",
        "no-private-keys-committed",
    }
