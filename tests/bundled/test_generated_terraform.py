"""The generated service's Terraform (AWS ECS Fargate) and its deploy script.

Offline: nothing here reaches AWS or the Terraform registry. The HCL is parsed
with python-hcl2 and its references checked; expressions that matter (the load
balancer names) are evaluated by the real `terraform` binary in a module that
needs no provider; `scripts/deploy.sh` runs against recording stand-ins for
`terraform`, `aws` and `helm`, so the order of its steps and its reaction to a
failed migration or a rolled-back deployment are observed, not grepped. When a
filesystem mirror holds the AWS provider, the configuration is also validated
and planned with it.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bundled.conftest import Service, render, require_tool, run

pytestmark = pytest.mark.slow

ENVIRONMENTS = ("staging", "production")
IMAGE = "registry.example.com/team/svc@sha256:" + "ab" * 32

# The Terraform deploy branch of scripts/deploy.sh only renders without Helm.
ECS_ANSWERS = {
    "service_name": "billing-api",
    "include_helm": False,
    "include_terraform": True,
    "aws_region": "us-east-2",
}


@pytest.fixture(scope="session")
def ecs_service(
    blueprint_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Service:
    """A service deployed with Terraform only (deploy.sh's Terraform branch)."""
    dest = tmp_path_factory.mktemp("service-ecs") / "service"
    answers = render(blueprint_source, dest, ECS_ANSWERS)
    return Service(name="ecs", path=dest, answers=answers)


# --- parsing and references ---------------------------------------------------

REFERENCE = re.compile(
    r"(?<![\w.])(?:(var|local)\.([A-Za-z_]\w*)|data\.([A-Za-z]\w*)\.([A-Za-z_]\w*)"
    r"|(aws_\w+)\.([A-Za-z_]\w*))"
)


def _hcl2() -> Any:
    try:
        import hcl2
    except ImportError:
        pytest.fail("python-hcl2 is not installed (.ci/blueprint-requirements.txt)")
    return hcl2


def _unquote(key: str) -> str:
    return key[1:-1] if key.startswith('"') and key.endswith('"') else key


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "__comments__":
                yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _terraform(service: Service) -> dict[str, dict[str, Any]]:
    assert service.answers["include_terraform"]
    hcl2 = _hcl2()
    parsed = {}
    files = sorted((service.path / "terraform").glob("*.tf"))
    assert files
    for path in files:
        with path.open() as handle:
            parsed[path.name] = hcl2.load(handle)  # raises on a syntax error
    return parsed


def _load_hcl(path: Path) -> dict[str, Any]:
    """An attributes-only HCL file (.tfvars, .tfbackend), values unquoted."""
    with path.open() as handle:
        loaded: dict[str, Any] = _hcl2().load(handle)
    return {k: _plain(v) for k, v in loaded.items() if not k.startswith("__")}


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return _unquote(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _declarations(parsed: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {
        "var": set(),
        "local": set(),
        "data": set(),
        "resource": set(),
    }
    for module in parsed.values():
        for block in module.get("variable", []):
            declared["var"].update(_unquote(name) for name in block)
        for block in module.get("locals", []):
            declared["local"].update(k for k in block if not k.startswith("__"))
        for kind in ("data", "resource"):
            for block in module.get(kind, []):
                for type_, named in block.items():
                    declared[kind].update(
                        f"{_unquote(type_)}.{_unquote(n)}" for n in named
                    )
    return declared


def undeclared_references(parsed: dict[str, dict[str, Any]]) -> set[str]:
    declared = _declarations(parsed)
    missing = set()
    for text in _strings(parsed):
        for match in REFERENCE.finditer(text):
            prefix, name, data_type, data_name, res_type, res_name = match.groups()
            if prefix == "var" and name not in declared["var"]:
                missing.add(f"var.{name}")
            elif prefix == "local" and name not in declared["local"]:
                missing.add(f"local.{name}")
            elif data_type and f"{data_type}.{data_name}" not in declared["data"]:
                missing.add(f"data.{data_type}.{data_name}")
            elif res_type and f"{res_type}.{res_name}" not in declared["resource"]:
                missing.add(f"{res_type}.{res_name}")
    return missing


def _variables(parsed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    variables = {}
    for module in parsed.values():
        for block in module.get("variable", []):
            for name, body in block.items():
                variables[_unquote(name)] = body
    return variables


def _resource(parsed: dict[str, dict[str, Any]], type_: str, name: str) -> Any:
    for module in parsed.values():
        for block in module.get("resource", []):
            for found_type, named in block.items():
                for found_name, body in named.items():
                    if (_unquote(found_type), _unquote(found_name)) == (type_, name):
                        return body
    raise AssertionError(f"no resource {type_}.{name}")


def _terraform_block(parsed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    blocks = [b for module in parsed.values() for b in module.get("terraform", [])]
    assert len(blocks) == 1, blocks
    block: dict[str, Any] = blocks[0]
    return block


def test_terraform_parses_and_references_resolve(terraform_service: Service) -> None:
    parsed = _terraform(terraform_service)
    assert undeclared_references(parsed) == set()
    declared = _declarations(parsed)
    assert len(declared["resource"]) >= 15
    # The checker itself finds a dangling reference.
    broken = {**parsed, "broken.tf": {"output": [{'"x"': {"value": "${var.nope}"}}]}}
    assert undeclared_references(broken) == {"var.nope"}


def test_terraform_deploys_safely(terraform_service: Service) -> None:
    parsed = _terraform(terraform_service)
    terraform = terraform_service.path / "terraform"
    text = "\n".join(p.read_text() for p in sorted(terraform.glob("*.tf")))
    for required in (
        "aws_ecs_cluster",
        "aws_ecs_task_definition",
        "aws_ecs_service",
        "aws_lb_target_group",
        "aws_appautoscaling_policy",
        '"TargetTrackingScaling"',
        "readonlyRootFilesystem = true",
        'user                   = "10001:10001"',
        'logDriver = "awslogs"',
        "valueFrom = var.database_url_secret_arn",
        'path                = "/health/ready"',
        "assign_public_ip = false",
    ):
        assert required in text, required
    assert re.search(
        r"deployment_circuit_breaker \{\s+enable\s+= true\s+rollback = true", text
    )
    assert 'resource "aws_iam_role" "execution"' in text
    assert 'resource "aws_iam_role" "task"' in text
    assert (terraform / "variables.tf").is_file()
    assert (terraform / "outputs.tf").is_file()

    service = _resource(parsed, "aws_ecs_service", "app")
    # apply returns once the deployment is steady, and fails when the
    # circuit breaker rolled it back (steady too, on the old revision).
    assert service["wait_for_steady_state"] is True
    # Migration (at most 10 minutes) plus rollout fit CI's 30-minute job.
    (timeouts,) = service["timeouts"]
    assert timeouts["update"] == '"15m"' and timeouts["create"] == '"15m"'
    postconditions = [
        condition
        for lifecycle in service["lifecycle"]
        for condition in lifecycle.get("postcondition", [])
    ]
    assert any(
        "self.task_definition == aws_ecs_task_definition.app.arn"
        in str(condition["condition"])
        for condition in postconditions
    ), postconditions
    task_definition = _resource(parsed, "aws_ecs_task_definition", "app")
    # A task of the definition (the migration task after deploy.sh's targeted
    # apply) can only start once the execution role may pull and read secrets.
    depends = " ".join(map(str, task_definition.get("depends_on", [])))
    assert "aws_iam_role_policy_attachment.execution" in depends
    assert "aws_iam_role_policy.execution_secrets" in depends
    # The provider refuses another account's credentials.
    assert "var.aws_account_id" in text and "allowed_account_ids" in text


# --- provider, versions and the lock file --------------------------------------

VERSION = re.compile(r"\d+\.\d+\.\d+")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_provider_versions_and_lock_file(terraform_service: Service) -> None:
    parsed = _terraform(terraform_service)
    block = _terraform_block(parsed)
    aws = block["required_providers"][0]["aws"]
    assert _unquote(aws["source"]) == "hashicorp/aws"
    constraint = _unquote(aws["version"])
    assert constraint == "~> 6.0", constraint

    # S3-native locking (use_lockfile) is GA from 1.11, validations that refer
    # to other variables need 1.9: the floor must admit neither older release.
    required = _unquote(block["required_version"])
    floor = re.fullmatch(r">= ?(\d+\.\d+(?:\.\d+)?)", required)
    assert floor, required
    assert _version(floor.group(1)) >= (1, 11), required

    lock = terraform_service.path / "terraform" / ".terraform.lock.hcl"
    assert lock.is_file(), "terraform/.terraform.lock.hcl is not committed"
    text = lock.read_text()
    providers = re.findall(r'^provider "([^"]+)" \{\n(.*?)^\}', text, re.S | re.M)
    assert [name for name, _ in providers] == ["registry.terraform.io/hashicorp/aws"]
    body = providers[0][1]
    locked = re.search(r'^\s*version\s*=\s*"([^"]+)"', body, re.M)
    assert locked and VERSION.fullmatch(locked.group(1))
    assert _version(locked.group(1))[0] == 6, locked.group(1)
    constraints = re.search(r'^\s*constraints\s*=\s*"([^"]+)"', body, re.M)
    # Otherwise `terraform init` rewrites the lock file on every run.
    assert constraints and constraints.group(1) == constraint
    hashes = re.findall(r'"((?:h1|zh):[^"]+)"', body)
    zh = [h for h in hashes if h.startswith("zh:")]
    h1 = [h for h in hashes if h.startswith("h1:")]
    # zh: the registry's SHA-256 of each platform's zip (what a CI runner
    # downloads is checked against them); h1: of the unpacked packages.
    assert len(zh) >= 12 and all(re.fullmatch(r"zh:[0-9a-f]{64}", h) for h in zh)
    assert h1 and all(re.fullmatch(r"h1:[A-Za-z0-9+/]{43}=", h) for h in h1)
    assert len(set(hashes)) == len(hashes)
    # .gitignore must not hide it.
    gitignore = (terraform_service.path / ".gitignore").read_text().splitlines()
    assert ".terraform.lock.hcl" not in gitignore
    assert "*.hcl" not in gitignore


def test_synctool_never_merges_the_lock_file_as_text(
    terraform_service: Service, blueprint_source: Path
) -> None:
    import jinja2

    template = (blueprint_source / "synctool.yml").read_text()
    rendered = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(
        template
    )
    policy = yaml.safe_load(rendered.render(**terraform_service.answers))
    derived = policy["derived"][".terraform.lock.hcl"]
    assert derived["from"] == ["versions.tf"]
    assert derived["command"] == "terraform init -backend=false"


# --- per-environment variables and state ---------------------------------------


def _environment_file(service: Service, name: str) -> Path:
    return service.path / "terraform" / "environments" / name


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_sets_every_required_variable(
    ecs_service: Service, tmp_path: Path, environment: str
) -> None:
    parsed = _terraform(ecs_service)
    variables = _variables(parsed)
    required = {name for name, body in variables.items() if "default" not in body}
    assert {"vpc_id", "certificate_arn", "image"} <= required

    # What deploy.sh actually passes to `terraform apply`, observed.
    deploy = run_deploy(ecs_service, tmp_path, environment)
    assert deploy.returncode == 0, deploy.output
    applies = deploy.terraform("apply")
    assert applies
    for apply in applies:
        var_files = [a.split("=", 1)[1] for a in apply if a.startswith("-var-file=")]
        assert var_files == [f"environments/{environment}.tfvars"], apply
        from_cli = {
            value.split("=", 1)[0]
            for flag, value in itertools.pairwise(apply)
            if flag == "-var"
        }
        values = _load_hcl(deploy.root / "terraform" / var_files[0])
        assert set(values) <= set(variables), set(values) - set(variables)
        missing = required - set(values) - from_cli
        assert not missing, f"{environment}: nothing sets {sorted(missing)}"
        # The image is the pipeline's; the rest lives in the file.
        assert from_cli <= {"image"}, from_cli
    values = _load_hcl(_environment_file(ecs_service, f"{environment}.tfvars"))
    assert values["environment"] == environment
    assert values["min_capacity"] <= values["desired_count"] <= values["max_capacity"]


def test_staging_and_production_keep_separate_state(
    ecs_service: Service, tmp_path: Path
) -> None:
    backend = _terraform_block(_terraform(ecs_service))["backend"][0]
    s3 = backend['"s3"'] if '"s3"' in backend else backend["s3"]
    # No default bucket or key in the configuration: a bare `terraform init`
    # cannot land two environments in one state.
    assert not {"bucket", "key"} & set(s3), s3

    settings = {}
    for environment in ENVIRONMENTS:
        path = _environment_file(ecs_service, f"{environment}.s3.tfbackend")
        assert path.is_file(), path
        settings[environment] = _load_hcl(path)
        assert settings[environment]["use_lockfile"] is True
        assert settings[environment]["encrypt"] is True
        assert settings[environment]["region"] == ECS_ANSWERS["aws_region"]
        assert {"bucket", "key"} <= set(settings[environment])
        assert environment in settings[environment]["key"]
    assert settings["staging"]["key"] != settings["production"]["key"]

    # deploy.sh initialises each environment with its own file, -reconfigure
    # so the backend of the last environment used here is never reused.
    for environment in ENVIRONMENTS:
        deploy = run_deploy(ecs_service, tmp_path / environment, environment)
        assert deploy.returncode == 0, deploy.output
        (init,) = deploy.terraform("init")
        assert "-reconfigure" in init
        assert f"-backend-config=environments/{environment}.s3.tfbackend" in init
        assert not [a for a in init if a.startswith("-backend-config=key=")]


def test_deploy_refuses_placeholder_settings(
    ecs_service: Service, tmp_path: Path
) -> None:
    deploy = run_deploy(ecs_service, tmp_path, "staging", fill=False)
    assert deploy.returncode == 2, deploy.output
    assert "REPLACE_ME" in deploy.stderr
    assert "environments/staging" in deploy.stderr
    assert deploy.calls == []  # neither terraform nor aws ran


# --- migrations and the rollout ------------------------------------------------


def test_deploy_runs_migrations_before_updating_the_service(
    ecs_service: Service, tmp_path: Path
) -> None:
    deploy = run_deploy(ecs_service, tmp_path, "production")
    assert deploy.returncode == 0, deploy.output
    steps = deploy.steps()

    targeted = steps.index("terraform apply -target")
    run_task = steps.index("aws ecs run-task")
    waited = steps.index("aws ecs wait tasks-stopped")
    checked = steps.index("aws ecs describe-tasks")
    full = steps.index("terraform apply")
    stable = steps.index("aws ecs wait services-stable")
    verified = steps.index("aws ecs describe-services")
    assert steps.index("terraform init") < targeted < run_task < waited < checked
    assert checked < full < stable < verified

    # The targeted apply registers the new task definition and what the task
    # runs in, never the service.
    (first, second) = deploy.terraform("apply")
    targets = {a.split("=", 1)[1] for a in first if a.startswith("-target=")}
    assert "aws_ecs_task_definition.app" in targets
    assert not any(t.startswith("aws_ecs_service") for t in targets)
    assert not [a for a in second if a.startswith("-target")]

    # One-off task: the task definition and network from Terraform's outputs,
    # `alembic upgrade head` in the app container.
    (task,) = deploy.aws("ecs", "run-task")
    assert _option(task, "--task-definition") == FAKE_OUTPUTS["task_definition_arn"]
    assert _option(task, "--cluster") == FAKE_OUTPUTS["cluster_name"]
    assert _option(task, "--launch-type") == "FARGATE"
    assert json.loads(_option(task, "--network-configuration")) == json.loads(
        FAKE_OUTPUTS["migration_network_configuration"]
    )
    overrides = json.loads(_option(task, "--overrides"))
    assert overrides["containerOverrides"] == [
        {"name": "app", "command": ["alembic", "upgrade", "head"]}
    ]
    (wait,) = deploy.aws("ecs", "wait", "tasks-stopped")
    assert _option(wait, "--tasks") == FAKE_TASK_ARN
    (services,) = deploy.aws("ecs", "wait", "services-stable")
    assert _option(services, "--services") == FAKE_OUTPUTS["service_name"]
    assert "Migrations applied." in deploy.stdout


def test_terraform_deploy_script_is_shellcheck_clean(ecs_service: Service) -> None:
    # The answer sets of conftest all render deploy.sh's Helm branch (or none).
    script = ecs_service.path / "scripts" / "deploy.sh"
    assert "aws ecs run-task" in script.read_text()
    run([require_tool("shellcheck"), "--severity=style", script], ecs_service.path)


@pytest.mark.parametrize("exit_code", ["1", "None"])
def test_a_failed_migration_stops_the_deploy(
    ecs_service: Service, tmp_path: Path, exit_code: str
) -> None:
    # "None": the container never ran (image pull or secret fetch failed).
    deploy = run_deploy(
        ecs_service, tmp_path, "staging", env={"FAKE_MIGRATION_EXIT": exit_code}
    )
    assert deploy.returncode != 0, deploy.output
    assert "Migrations failed" in deploy.stderr
    assert f"exit code {exit_code}" in deploy.stderr
    steps = deploy.steps()
    assert "aws ecs describe-tasks" in steps
    # The service is never updated: one (targeted) apply only, no waiting.
    assert steps.count("terraform apply -target") == 1
    assert "terraform apply" not in steps
    assert "aws ecs wait services-stable" not in steps


def test_a_migration_task_that_cannot_start_stops_the_deploy(
    ecs_service: Service, tmp_path: Path
) -> None:
    deploy = run_deploy(
        ecs_service, tmp_path, "staging", env={"FAKE_RUN_TASK_FAILURE": "RESOURCE:ENI"}
    )
    assert deploy.returncode != 0, deploy.output
    assert "RESOURCE:ENI" in deploy.stderr
    assert "terraform apply" not in deploy.steps()


def test_a_rolled_back_deployment_fails_the_deploy(
    ecs_service: Service, tmp_path: Path
) -> None:
    previous = FAKE_OUTPUTS["task_definition_arn"].rsplit(":", 1)[0] + ":6"
    deploy = run_deploy(
        ecs_service,
        tmp_path,
        "production",
        env={"FAKE_SERVICE_TASK_DEFINITION": previous},
    )
    assert deploy.returncode != 0, deploy.output
    assert previous in deploy.stderr
    assert "did not complete" in deploy.stderr


def test_deploy_runs_the_image_it_was_given(
    ecs_service: Service, tmp_path: Path
) -> None:
    other = IMAGE.rsplit("@", 1)[0] + "@sha256:" + "cd" * 32
    deploy = run_deploy(ecs_service, tmp_path, "staging", env={"FAKE_IMAGE": other})
    assert deploy.returncode != 0, deploy.output
    assert "aws ecs run-task" not in deploy.steps()
    for apply in deploy.terraform("apply"):
        assert "-var" in apply and f"image={IMAGE}" in apply


# --- names ---------------------------------------------------------------------

# Longest names the blueprint's validator allows (40 characters) and shapes
# that used to break: a truncation ending in "-", a shared long prefix, an
# "internal-" prefix (AWS refuses it for load balancers).
LONG_NAMES = (
    "abcdefghijabcdefghijabcdefghijabcdefghij",
    "abcdefghijabcdefghijabcdefghija",  # 1.0.0: substr(32) ends with "-"
    "aaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbbbbb",  # hyphen where it is cut
    "payments-gateway-settlement-reconciler-a",
    "payments-gateway-settlement-reconciler-b",
    "internal-api",
    "internal",
    "a1-b2-c3-d4-e5-f6-g7-h8-i9-j0-k1-l2-m3-n",
    "a-very-long-service-name-with-forty-char",
)
# docs/terraform.md's example.
DOCUMENTED = {
    ("a-very-long-service-name-with-forty-char", "staging"): (
        "a-very-long-service-n-stg-6b62fa"
    ),
    ("a-very-long-service-name-with-forty-char", "production"): (
        "a-very-long-service-n-prd-d8f0f3"
    ),
}
SHORT_NAMES = ("example-service", "billing-api", "abcdefghijabcdefghija")
LB_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")


def _tf_env(tmp: Path) -> dict[str, str]:
    config = tmp / "terraformrc"
    if not config.exists():
        config.write_text("")
    env = dict(os.environ)
    env.update(
        TF_CLI_CONFIG_FILE=str(config),
        TF_IN_AUTOMATION="1",
        CHECKPOINT_DISABLE="1",
        TF_INPUT="0",
    )
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    return env


def _as_json_syntax(value: Any) -> Any:
    """A python-hcl2 value as Terraform JSON syntax (strings are templates)."""
    if isinstance(value, str):
        if value.startswith('"') and value.endswith('"'):
            return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return value
    if isinstance(value, dict):
        return {
            _unquote(k): _as_json_syntax(v)
            for k, v in value.items()
            if not k.startswith("__")
        }
    if isinstance(value, list):
        return [_as_json_syntax(item) for item in value]
    return value


def _name_probe(parsed: dict[str, dict[str, Any]], directory: Path) -> Path:
    """A provider-free module computing the load balancer and target group names.

    It holds the configuration's own expressions: the two `name` arguments
    and every local they need, with the variables those refer to.
    """
    locals_: dict[str, Any] = {}
    for module in parsed.values():
        for block in module.get("locals", []):
            locals_.update({k: v for k, v in block.items() if not k.startswith("__")})
    wanted = {
        "probe_lb": _resource(parsed, "aws_lb", "main")["name"],
        "probe_tg": _resource(parsed, "aws_lb_target_group", "app")["name"],
    }
    needed: dict[str, Any] = {}
    pending = dict(wanted)
    while pending:
        name, value = pending.popitem()
        needed[name] = value
        for text in _strings(value):
            for local in re.findall(r"(?<![\w.])local\.([A-Za-z_]\w*)", text):
                if local not in needed and local not in pending:
                    pending[local] = locals_[local]
    referenced = {
        var
        for value in needed.values()
        for text in _strings(value)
        for var in re.findall(r"(?<![\w.])var\.([A-Za-z_]\w*)", text)
    }
    variables = _variables(parsed)
    declared = {}
    for var in sorted(referenced):
        body = {}
        if var not in {"service_name", "environment"} and "default" in variables[var]:
            body["default"] = _as_json_syntax(variables[var]["default"])
        declared[var] = body
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "probe.tf.json").write_text(
        json.dumps({"variable": declared, "locals": _as_json_syntax(needed)}, indent=2)
    )
    return directory


def _names(
    terraform: str, probe: Path, service_name: str, environment: str
) -> tuple[str, str]:
    result = subprocess.run(
        [
            terraform,
            "console",
            f"-var=service_name={service_name}",
            f"-var=environment={environment}",
        ],
        cwd=probe,
        input="jsonencode([local.probe_lb, local.probe_tg])\n",
        capture_output=True,
        text=True,
        env=_tf_env(probe),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lb, tg = json.loads(json.loads(result.stdout.strip()))
    return lb, tg


def test_load_balancer_names_are_valid_and_distinct(
    terraform_service: Service, tmp_path: Path
) -> None:
    terraform = require_tool("terraform")
    probe = _name_probe(_terraform(terraform_service), tmp_path / "probe")
    run(
        [terraform, "init", "-backend=false", "-input=false"], probe, env=_tf_env(probe)
    )

    seen: dict[str, tuple[str, str]] = {}
    for service_name in LONG_NAMES + SHORT_NAMES:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", service_name)
        assert len(service_name) <= 40
        for environment in ENVIRONMENTS:
            lb, tg = _names(terraform, probe, service_name, environment)
            for name in (lb, tg):
                where = f"{service_name!r} in {environment}: {name!r}"
                assert LB_NAME.fullmatch(name), where  # <= 32, no "-" at the ends
                assert not name.startswith("internal-"), where
            if (service_name, environment) in DOCUMENTED:
                assert lb == DOCUMENTED[service_name, environment]
            if service_name in SHORT_NAMES:
                # A name that fits is left as it was (renaming replaces the
                # load balancer and changes its DNS name).
                assert lb == f"{service_name}-{environment}"
            assert lb not in seen, (
                f"{lb!r}: {service_name}/{environment} and {seen.get(lb)}"
            )
            seen[lb] = (service_name, environment)


# --- the real terraform: fmt, validate, plan -----------------------------------


def test_terraform_fmt(terraform_service: Service) -> None:
    terraform = require_tool("terraform")
    directory = terraform_service.path / "terraform"
    run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "."],
        directory,
        env=_tf_env(terraform_service.path),
    )
    # fmt does not know .tfbackend files: they hold the same attribute syntax.
    for path in sorted((directory / "environments").glob("*.tfbackend")):
        copy = terraform_service.path / f"{path.stem}.fmtcheck.tfvars"
        shutil.copyfile(path, copy)
        try:
            run(
                [terraform, "fmt", "-check", "-diff", copy.name],
                terraform_service.path,
                env=_tf_env(terraform_service.path),
            )
        finally:
            copy.unlink()


def _provider_mirror() -> tuple[Path, str] | None:
    """A filesystem mirror with hashicorp/aws, and its newest version there."""
    candidates = [os.environ.get("TF_PROVIDER_MIRROR", ""), "/opt/tf-plugins"]
    for candidate in filter(None, candidates):
        aws = Path(candidate) / "registry.terraform.io" / "hashicorp" / "aws"
        versions = sorted(
            (p.name for p in aws.glob("*") if VERSION.fullmatch(p.name)),
            key=_version,
        )
        if versions:
            return Path(candidate), versions[-1]
    return None


FILLED = {
    "aws_account_id": '"111111111111"',
    "vpc_id": '"vpc-0123456789abcdef0"',
    "private_subnet_ids": '["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]',
    "public_subnet_ids": '["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]',
    "certificate_arn": '"arn:aws:acm:us-east-2:111111111111:certificate/0d1e2f"',
    "database_url_secret_arn": (
        '"arn:aws:secretsmanager:us-east-2:111111111111:secret:svc/database-url-AbCdEf"'
    ),
    "jwt_secret_arn": (
        '"arn:aws:secretsmanager:us-east-2:111111111111:secret:svc/jwt-secret-AbCdEf"'
    ),
    "bucket": '"example-org-terraform-state"',
}


def fill_placeholders(text: str) -> str:
    """What a team does first: every REPLACE_ME value replaced by a real one."""

    def replace(match: re.Match[str]) -> str:
        return f"{match.group(1)}{FILLED[match.group(2)]}"

    filled = re.sub(
        r'^((\w+)\s*=\s*)(?:"REPLACE_ME"|\["REPLACE_ME", "REPLACE_ME"\])',
        replace,
        text,
        flags=re.M,
    )
    assert '"REPLACE_ME"' not in filled, filled
    return filled


def test_terraform_validates_and_plans_offline(
    ecs_service: Service, tmp_path: Path
) -> None:
    """validate and plan with a provider from a local filesystem mirror.

    The mirror's provider may be an older major version than the lock file's
    (no registry here): an override pins it for this check only, so the
    schema of every resource and argument, the variables' validations and
    the plan's graph are checked, not the 6.x-only details.
    """
    terraform = require_tool("terraform")
    mirror = _provider_mirror()
    if mirror is None:
        pytest.skip("no filesystem mirror with hashicorp/aws (set TF_PROVIDER_MIRROR)")
    path, version = mirror
    work = tmp_path / "terraform"
    shutil.copytree(ecs_service.path / "terraform", work)
    (work / ".terraform.lock.hcl").unlink(missing_ok=True)
    (work / "offline_override.tf").write_text(
        "terraform {\n"
        "  required_providers {\n"
        f'    aws = {{ source = "hashicorp/aws", version = "{version}" }}\n'
        "  }\n"
        '  backend "local" {}\n'
        "}\n\n"
        'provider "aws" {\n'
        '  access_key                  = "AKIAOFFLINEOFFLINE00"\n'
        '  secret_key                  = "offline"\n'
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "  allowed_account_ids         = null\n"
        "}\n"
    )
    config = tmp_path / "terraformrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{path}"\n  }}\n'
        "}\n"
    )
    env = _tf_env(tmp_path)
    env["TF_CLI_CONFIG_FILE"] = str(config)
    run([terraform, "init", "-input=false"], work, env=env)
    run([terraform, "validate"], work, env=env)

    image = f"-var=image={IMAGE}"
    # The shipped placeholders are refused by the variables' validations.
    refused = subprocess.run(
        [terraform, "plan", "-input=false", "-lock=false", "-no-color", image,
         "-var-file=environments/staging.tfvars"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    for message in ("aws_account_id must be", "vpc_id must be", "certificate_arn"):
        assert message in refused.stderr, refused.stderr

    for environment in ENVIRONMENTS:
        var_file = work / "environments" / f"{environment}.tfvars"
        var_file.write_text(fill_placeholders(var_file.read_text()))
        args = [terraform, "plan", "-input=false", "-lock=false", "-no-color", image]
        args.append(f"-var-file=environments/{environment}.tfvars")
        plan = run(args, work, env=env).stdout
        assert "aws_ecs_service.app will be created" in plan
        if environment != "staging":
            continue  # the targeted plan is the same graph for both
        lb = re.search(r"# aws_lb\.main will be created\n(.*?)\n    }\n", plan, re.S)
        assert lb and re.search(rf'\+ name +?= "billing-api-{environment}"\n', lb[1])
        # deploy.sh's targeted apply: the task definition and everything a
        # task of it needs, nothing that serves traffic.
        targeted = run(
            [*args, *(f"-target={t}" for t in DEPLOY_TARGETS)], work, env=env
        ).stdout
        created = set(re.findall(r"# (\S+) will be created", targeted))
        assert {
            "aws_ecs_task_definition.app",
            "aws_ecs_cluster.main",
            "aws_iam_role_policy_attachment.execution",
            "aws_iam_role_policy.execution_secrets",
            "aws_cloudwatch_log_group.app",
            "aws_vpc_security_group_egress_rule.app_all",
        } <= created, created
        assert not {"aws_ecs_service.app", "aws_lb.main"} & created, created


DEPLOY_TARGETS = (
    "aws_ecs_task_definition.app",
    "aws_ecs_cluster.main",
    "aws_vpc_security_group_egress_rule.app_all",
)


def test_deploy_targets_match_the_plan_test(
    ecs_service: Service, tmp_path: Path
) -> None:
    deploy = run_deploy(ecs_service, tmp_path, "staging")
    assert deploy.returncode == 0, deploy.output
    first = deploy.terraform("apply")[0]
    assert tuple(a.split("=", 1)[1] for a in first if a.startswith("-target=")) == (
        DEPLOY_TARGETS
    )


# --- the Helm branch ------------------------------------------------------------


@pytest.mark.parametrize("helm_version", ["v4.1.1+g5caf004", "v3.17.2+gcc0bbbd"])
def test_helm_deploy_rolls_back_on_failure(
    helm_service: Service, tmp_path: Path, helm_version: str
) -> None:
    deploy = run_deploy(
        helm_service, tmp_path, "staging", env={"FAKE_HELM_VERSION": helm_version}
    )
    if helm_version.startswith("v3"):
        # --rollback-on-failure is Helm 4's: refuse an older Helm up front.
        assert deploy.returncode == 2, deploy.output
        assert "Helm 4" in deploy.stderr
        assert not deploy.helm("upgrade")
        return
    assert deploy.returncode == 0, deploy.output
    (upgrade,) = deploy.helm("upgrade")
    assert "--rollback-on-failure" in upgrade
    assert "--atomic" not in upgrade  # Helm 4's deprecated alias
    assert "--wait" in upgrade or any(a.startswith("--wait=") for a in upgrade)
    assert _option(upgrade, "--timeout") == "10m"
    assert "image.digest=" + IMAGE.split("@", 1)[1] in upgrade


# --- running scripts/deploy.sh against stand-ins ---------------------------------

FAKE_TASK_ARN = "arn:aws:ecs:us-east-2:111111111111:task/billing-api/0123456789abcdef"
FAKE_OUTPUTS = {
    "aws_region": "us-east-2",
    "cluster_name": "billing-api-staging",
    "service_name": "billing-api-staging",
    "task_definition_arn": (
        "arn:aws:ecs:us-east-2:111111111111:task-definition/billing-api-staging:7"
    ),
    "log_group_name": "/ecs/billing-api-staging",
    "load_balancer_dns_name": "billing-api-staging-1.us-east-2.elb.amazonaws.com",
    "migration_network_configuration": json.dumps(
        {
            "awsvpcConfiguration": {
                "subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                "securityGroups": ["sg-0123456789abcdef0"],
                "assignPublicIp": "DISABLED",
            }
        }
    ),
}

# One stand-in for terraform, aws and helm: it records its arguments and
# answers the few queries deploy.sh makes, as the real tools print them with
# `--output text` / `output -raw`.
FAKE_TOOL = r"""
import json, os, sys
tool = os.path.basename(sys.argv[0])
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps([tool, *args]) + "\n")
outputs = json.loads(os.environ["FAKE_OUTPUTS"])
env = os.environ.get

def option(name):
    return args[args.index(name) + 1] if name in args else None

if tool == "terraform":
    if args[:2] == ["output", "-raw"]:
        sys.stdout.write(outputs[args[2]])
    sys.exit(0)
if tool == "helm":
    if args[:1] == ["version"]:
        print(env("FAKE_HELM_VERSION", "v4.1.1+g5caf004"))
    sys.exit(0)
command = " ".join(args[:3] if args[1:2] == ["wait"] else args[:2])
if command == "ecs describe-task-definition":
    print(env("FAKE_IMAGE") or env("FAKE_EXPECTED_IMAGE"))
elif command == "ecs run-task":
    failure = env("FAKE_RUN_TASK_FAILURE")
    print(f"None\t{failure}" if failure else env("FAKE_TASK_ARN") + "\tNone")
elif command == "ecs wait tasks-stopped":
    sys.exit(int(env("FAKE_WAIT_TASK_EXIT", "0")))
elif command == "ecs describe-tasks":
    print(env("FAKE_MIGRATION_EXIT", "0") + "\tEssential container in task exited")
elif command == "ecs describe-services":
    task_definition = env("FAKE_SERVICE_TASK_DEFINITION") or outputs["task_definition_arn"]
    print(f"{task_definition}\tCOMPLETED\t1")
elif command == "logs tail":
    print("INFO  [alembic.runtime.migration] Running upgrade")
"""


@dataclass
class Deploy:
    root: Path
    returncode: int
    stdout: str
    stderr: str
    calls: list[list[str]]

    @property
    def output(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"

    def terraform(self, subcommand: str) -> list[list[str]]:
        return [c[2:] for c in self.calls if c[:2] == ["terraform", subcommand]]

    def helm(self, subcommand: str) -> list[list[str]]:
        return [c[2:] for c in self.calls if c[:2] == ["helm", subcommand]]

    def aws(self, *command: str) -> list[list[str]]:
        found = []
        for call in self.calls:
            if call[0] != "aws":
                continue
            words = [a for a in call[1:] if not a.startswith("-")][: len(command)]
            if tuple(words) == command:
                found.append(call[1:])
        return found

    def steps(self) -> list[str]:
        """Each call as "tool subcommand", a targeted apply as "... -target"."""
        steps = []
        for tool, *args in self.calls:
            if tool == "terraform":
                step = f"terraform {args[0]}"
                if args[0] == "apply" and any(a.startswith("-target") for a in args):
                    step += " -target"
            elif tool == "aws":
                step = "aws " + " ".join(
                    [a for a in args if not a.startswith("-")][:3]
                    if args[:2] == ["ecs", "wait"]
                    else [a for a in args if not a.startswith("-")][:2]
                )
            else:
                step = f"{tool} {args[0]}"
            steps.append(step)
        return steps


def _option(args: Sequence[str], name: str) -> str:
    assert name in args, (name, args)
    return args[list(args).index(name) + 1]


def run_deploy(
    service: Service,
    work: Path,
    environment: str,
    *,
    env: Mapping[str, str] | None = None,
    fill: bool = True,
) -> Deploy:
    """scripts/deploy.sh ENVIRONMENT IMAGE in a copy of the service, tools faked."""
    root = work / "service"
    root.mkdir(parents=True)
    for part in ("scripts", "terraform", "deploy"):
        if (service.path / part).is_dir():
            shutil.copytree(service.path / part, root / part)
    environments = root / "terraform" / "environments"
    if fill and environments.is_dir():
        for path in environments.iterdir():
            path.write_text(fill_placeholders(path.read_text()))
    bin_dir = work / "bin"
    bin_dir.mkdir()
    for tool in ("terraform", "aws", "helm"):
        script = bin_dir / tool
        script.write_text(f"#!{sys.executable}\n{FAKE_TOOL}")
        script.chmod(0o755)
    log = work / "calls.jsonl"
    log.touch()
    environment_vars = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_LOG": str(log),
        "FAKE_OUTPUTS": json.dumps(FAKE_OUTPUTS),
        "FAKE_TASK_ARN": FAKE_TASK_ARN,
        "FAKE_EXPECTED_IMAGE": IMAGE,
        **(env or {}),
    }
    environment_vars.pop("KUBECONFIG_DATA", None)
    result = subprocess.run(
        ["bash", root / "scripts" / "deploy.sh", environment, IMAGE],
        cwd=root,
        env=environment_vars,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return Deploy(root, result.returncode, result.stdout, result.stderr, calls)
