"""The generated service's infrastructure: the Helm chart and Terraform."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.blueprint.conftest import Service

pytestmark = pytest.mark.slow

KUBERNETES_VERSION = "1.31.0"


# --- Helm ----------------------------------------------------------------------


def _chart(service: Service) -> Path:
    assert service.answers["include_helm"]
    return service.path / "deploy" / "helm" / service.answers["service_name"]


def _values(chart: Path, name: str) -> dict[str, Any] | None:
    if name == "default":
        return None
    values: dict[str, Any] = yaml.safe_load((chart / f"values-{name}.yaml").read_text())
    return values


def _render(chart: Path, values: dict[str, Any] | None) -> list[dict[str, Any]]:
    helm = _import_helm()
    with helm.Chart.load(str(chart)) as loaded:
        loaded.validate_schema(values)
        rendered = loaded.render(
            values=values, name="release", namespace="apps", is_install=True
        )
    documents = []
    for name, text in sorted(rendered.items()):
        if name.endswith(".yaml"):
            documents.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return documents


def _import_helm() -> Any:
    try:
        import helm_python
    except ImportError:  # CI installs it: a missing tool is a failure
        pytest.fail("helm-python-sdk is not installed (.ci/blueprint-requirements.txt)")
    return helm_python


@pytest.mark.parametrize("values_name", ["default", "production", "staging"])
def test_helm_lint(helm_service: Service, values_name: str) -> None:
    chart = _chart(helm_service)
    report = _import_helm().lint(
        str(chart),
        _values(chart, values_name),
        strict=True,
        kube_version=f"v{KUBERNETES_VERSION}",
    )
    errors = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    assert errors == []


@pytest.mark.parametrize("values_name", ["default", "production", "staging"])
def test_helm_manifests_validate(helm_service: Service, values_name: str) -> None:
    import kubernetes_validate

    chart = _chart(helm_service)
    documents = _render(chart, _values(chart, values_name))
    for document in documents:
        if document["apiVersion"].startswith("gateway.networking.k8s.io/"):
            # A CRD kubernetes-validate has no schema for: test_generated_helm
            # validates it against the Gateway API's own CRD schema.
            continue
        # Raises on an invalid object, on unknown fields (strict) and on a
        # kind/apiVersion it has no schema for (SchemaNotFoundError).
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    kinds = {doc["kind"] for doc in documents}
    assert {
        "Deployment",
        "Service",
        "ConfigMap",
        "ServiceAccount",
        "Job",
        "NetworkPolicy",
    } <= kinds
    if values_name == "production":
        assert {"HTTPRoute", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
        assert "Ingress" not in kinds


def _one(documents: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    [document] = [doc for doc in documents if doc["kind"] == kind]
    return document


def test_helm_workloads_are_hardened(helm_service: Service) -> None:
    chart = _chart(helm_service)
    documents = _render(chart, _values(chart, "production"))
    deployment = _one(documents, "Deployment")
    pod = deployment["spec"]["template"]
    spec = pod["spec"]
    assert "checksum/config" in pod["metadata"]["annotations"]
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [container] = spec["containers"]
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert container["startupProbe"]["httpGet"]["path"] == "/health/live"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["resources"]["requests"].keys() >= {"cpu", "memory"}
    assert "memory" in container["resources"]["limits"]
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert any(v["name"] == "tmp" and "emptyDir" in v for v in spec["volumes"])

    job = _one(documents, "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    job_spec = job["spec"]["template"]["spec"]
    assert job_spec["securityContext"]["runAsNonRoot"] is True
    assert job_spec["containers"][0]["command"] == ["alembic", "upgrade", "head"]

    assert _one(documents, "HorizontalPodAutoscaler")["apiVersion"] == "autoscaling/v2"


def test_helm_schema_refuses_weakened_values(helm_service: Service) -> None:
    helm = _import_helm()
    chart = _chart(helm_service)
    with helm.Chart.load(str(chart)) as loaded:
        with pytest.raises(helm.HelmValuesError):
            loaded.validate_schema(
                {"securityContext": {"readOnlyRootFilesystem": False}}
            )
        with pytest.raises(helm.HelmValuesError):
            loaded.validate_schema({"env": {"JWT_SECRET": "in-values"}})


# --- Terraform -----------------------------------------------------------------

REFERENCE = re.compile(
    r"(?<![\w.])(?:(var|local)\.([A-Za-z_]\w*)|data\.([A-Za-z]\w*)\.([A-Za-z_]\w*)"
    r"|(aws_\w+)\.([A-Za-z_]\w*))"
)


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
    try:
        import hcl2
    except ImportError:
        pytest.fail("python-hcl2 is not installed (.ci/blueprint-requirements.txt)")
    parsed = {}
    files = sorted((service.path / "terraform").glob("*.tf"))
    assert files
    for path in files:
        with path.open() as handle:
            parsed[path.name] = hcl2.load(handle)  # raises on a syntax error
    return parsed


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


def test_terraform_parses_and_references_resolve(terraform_service: Service) -> None:
    parsed = _terraform(terraform_service)
    assert undeclared_references(parsed) == set()
    declared = _declarations(parsed)
    assert len(declared["resource"]) >= 15
    # The checker itself finds a dangling reference.
    broken = {**parsed, "broken.tf": {"output": [{'"x"': {"value": "${var.nope}"}}]}}
    assert undeclared_references(broken) == {"var.nope"}


def test_terraform_deploys_safely(terraform_service: Service) -> None:
    _terraform(terraform_service)
    terraform = terraform_service.path / "terraform"
    text = "\n".join(p.read_text() for p in sorted(terraform.glob("*.tf")))
    assert 'backend "s3"' in text and "use_lockfile = true" in text
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
    assert (terraform / "variables.tf").is_file() and (
        terraform / "outputs.tf"
    ).is_file()
