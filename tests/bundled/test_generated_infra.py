"""The generated service's infrastructure: the Helm chart and Terraform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bundled.conftest import Service

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


# Terraform: tests/bundled/test_generated_terraform.py
