"""The generated Helm chart's behaviour: selectors, shutdown, network, routes.

test_generated_infra.py lints the chart and validates its manifests; these
tests check what the manifests do: which pods each selector picks, what the
NetworkPolicies let through, what the values schema and the templates
refuse.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bundled.conftest import Service
from tests.bundled.test_generated_infra import (
    KUBERNETES_VERSION,
    _chart,
    _import_helm,
    _render,
    _values,
)

pytestmark = pytest.mark.slow

VALUES_FILES = ["default", "production", "staging"]
NAMESPACE = "apps"  # what _render installs the release into
HTTPROUTE_SCHEMA = (
    Path(__file__).parent / "data" / "gateway-api-v1.6.1-httproute-v1.schema.json"
)


def _documents(service: Service, values_name: str) -> list[dict[str, Any]]:
    chart = _chart(service)
    return _render(chart, _values(chart, values_name))


def _kind(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in documents if doc["kind"] == kind]


def _one(documents: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    [document] = _kind(documents, kind)
    return document


def _merged(service: Service, values_name: str, **overrides: Any) -> dict[str, Any]:
    """A values file with top-level sections deep-merged with overrides."""
    values = _values(_chart(service), values_name) or {}

    def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(base)
        for key, value in extra.items():
            if isinstance(value, Mapping) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out

    return merge(values, overrides)


def _lint_errors(service: Service, values: dict[str, Any]) -> list[str]:
    report = _import_helm().lint(
        str(_chart(service)),
        values,
        strict=True,
        kube_version=f"v{KUBERNETES_VERSION}",
    )
    return [m["error"] for m in report["messages"] if m["severity"] >= 2] + list(
        report["errors"]
    )


def _render_error(service: Service, values: dict[str, Any]) -> str:
    """Render with values the chart must refuse; the error's message.

    What JSON Schema cannot say (one value against another) the templates
    check with `fail`: `helm template`, `install` and `upgrade` stop on it
    before anything is applied. `helm lint` renders in lint mode, where
    Helm turns `fail` into a log line, so only rendering shows it.
    """
    helm = _import_helm()
    with helm.Chart.load(str(_chart(service))) as loaded:
        with pytest.raises(helm.HelmError) as raised:
            loaded.render(values=values, name="release", namespace=NAMESPACE)
    return str(raised.value)


# --- label selectors -------------------------------------------------------------


def matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels, matchExpressions) against a pod's labels."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def test_selector_matcher() -> None:
    labels = {"a": "1", "b": "2"}
    assert matches({}, labels)
    assert matches({"matchLabels": {"a": "1"}}, labels)
    assert not matches({"matchLabels": {"a": "1", "c": "3"}}, labels)
    assert matches(
        {"matchExpressions": [{"key": "c", "operator": "DoesNotExist"}]}, labels
    )
    assert not matches(
        {"matchExpressions": [{"key": "b", "operator": "NotIn", "values": ["2"]}]},
        labels,
    )


def _app_selectors(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every selector meant for the app's pods, by the object that holds it."""
    selectors: dict[str, dict[str, Any]] = {}
    deployment = _one(documents, "Deployment")
    selectors["Deployment"] = deployment["spec"]["selector"]
    pod_spec = deployment["spec"]["template"]["spec"]
    for i, constraint in enumerate(pod_spec.get("topologySpreadConstraints") or []):
        selectors[f"topologySpreadConstraints[{i}]"] = constraint["labelSelector"]
    selectors["Service"] = {
        "matchLabels": _one(documents, "Service")["spec"]["selector"]
    }
    for pdb in _kind(documents, "PodDisruptionBudget"):
        selectors["PodDisruptionBudget"] = pdb["spec"]["selector"]
    for policy in _kind(documents, "NetworkPolicy"):
        if not _is_hook(policy):
            selectors[f"NetworkPolicy {policy['metadata']['name']}"] = policy["spec"][
                "podSelector"
            ]
    return selectors


def _is_hook(document: dict[str, Any]) -> bool:
    return "helm.sh/hook" in (document["metadata"].get("annotations") or {})


@pytest.mark.parametrize("values_name", VALUES_FILES)
def test_app_selectors_pick_the_app_pods_and_never_the_migration_job(
    helm_service: Service, values_name: str
) -> None:
    documents = _documents(helm_service, values_name)
    app_pod = _one(documents, "Deployment")["spec"]["template"]["metadata"]["labels"]
    job_pod = _one(documents, "Job")["spec"]["template"]["metadata"]["labels"]

    selectors = _app_selectors(documents)
    for name, selector in selectors.items():
        assert matches(selector, app_pod), f"{name} misses the app's pods"
        assert not matches(selector, job_pod), f"{name} selects the migration Job"
    assert {"Deployment", "Service"} <= selectors.keys()
    assert any(name.startswith("NetworkPolicy") for name in selectors)
    if values_name == "production":
        assert "PodDisruptionBudget" in selectors
        assert "topologySpreadConstraints[0]" in selectors
    assert app_pod["app.kubernetes.io/component"] == "api"
    assert job_pod["app.kubernetes.io/component"] == "migration"

    # The Job's own policy selects its pods, and not the app's.
    [job_policy] = [p for p in _kind(documents, "NetworkPolicy") if _is_hook(p)]
    assert matches(job_policy["spec"]["podSelector"], job_pod)
    assert not matches(job_policy["spec"]["podSelector"], app_pod)


def test_values_cannot_override_the_selector_labels(helm_service: Service) -> None:
    helm = _import_helm()
    with helm.Chart.load(str(_chart(helm_service))) as loaded:
        loaded.validate_schema({"podLabels": {"team": "payments"}})
        with pytest.raises(helm.HelmValuesError):
            loaded.validate_schema(
                {"podLabels": {"app.kubernetes.io/component": "migration"}}
            )


def _guard_chart(service: Service, tmp_path: Path, existing: str) -> Path:
    """The chart plus a template that runs the upgrade guard on `existing`.

    Offline, `lookup` finds nothing; this hands the guard the Deployment a
    live cluster would return.
    """
    chart = tmp_path / "chart"
    shutil.copytree(_chart(service), chart)
    (chart / "templates" / "zz-guard.yaml").write_text(
        '{{- include "app.assertSelectorUpgradable" (dict "existing" '
        f'(fromYaml {json.dumps(existing)}) "context" .) }}}}\n'
    )
    return chart


def test_a_release_deployed_by_blueprint_1_0_stops_with_the_upgrade_steps(
    helm_service: Service, tmp_path: Path
) -> None:
    helm = _import_helm()
    name = helm_service.answers["service_name"]
    deployment = _chart(helm_service) / "templates" / "deployment.yaml"
    # The live Deployment is looked up, by the name the chart gives it.
    assert re.search(
        r'lookup "apps/v1" "Deployment" \.Release\.Namespace \(include "app\.fullname" \.\)',
        deployment.read_text(),
    )
    old = (
        "spec: {selector: {matchLabels: {app.kubernetes.io/name: "
        f"{name}, app.kubernetes.io/instance: release}}}}}}"
    )
    new = (
        "spec: {selector: {matchLabels: {app.kubernetes.io/name: "
        f"{name}, app.kubernetes.io/instance: release, "
        "app.kubernetes.io/component: api}}}"
    )
    # A first install (nothing found) and a 1.1 release pass.
    for i, existing in enumerate(("{}", new)):
        with helm.Chart.load(
            str(_guard_chart(helm_service, tmp_path / str(i), existing))
        ) as loaded:
            loaded.render(name="release", namespace=NAMESPACE, is_upgrade=True)
    # A 1.0 release stops, naming the Deployment and the way out.
    with helm.Chart.load(
        str(_guard_chart(helm_service, tmp_path / "old", old))
    ) as loaded:
        with pytest.raises(helm.HelmError) as raised:
            loaded.render(name="release", namespace=NAMESPACE, is_upgrade=True)
    message = str(raised.value)
    assert f"Deployment {NAMESPACE}/release-{name}" in message
    assert "cannot change a selector in place" in message
    assert f"delete deployment release-{name} --cascade=orphan" in message
    assert "docs/kubernetes.md" in message


# --- graceful shutdown -----------------------------------------------------------


def _shutdown_budget(documents: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(preStop pause, app drain, grace period) as rendered."""
    pod = _one(documents, "Deployment")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    pre_stop = container["lifecycle"]["preStop"]
    if "sleep" in pre_stop:
        pause = int(pre_stop["sleep"]["seconds"])
    else:
        command = pre_stop["exec"]["command"]
        assert command[0] == "/bin/sleep" and len(command) == 2, command
        pause = int(command[1])
    drain = int(
        _one(documents, "ConfigMap")["data"]["GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS"]
    )
    return pause, drain, int(pod["terminationGracePeriodSeconds"])


@pytest.mark.parametrize("values_name", VALUES_FILES)
def test_pods_pause_then_drain_within_the_grace_period(
    helm_service: Service, values_name: str
) -> None:
    pause, drain, grace = _shutdown_budget(_documents(helm_service, values_name))
    assert pause >= 5
    assert drain >= 1
    assert grace > pause + drain


def test_the_app_reads_the_drain_setting_the_chart_sets(helm_service: Service) -> None:
    # pydantic-settings reads a field from its upper-cased name.
    config = (
        helm_service.path / "src" / helm_service.package / "config.py"
    ).read_text()
    assert re.search(r"^\s+graceful_shutdown_timeout_seconds:\s*int\b", config, re.M)
    sources = "\n".join(
        p.read_text()
        for p in (helm_service.path / "src" / helm_service.package).glob("*.py")
    )
    assert re.search(
        r"timeout_graceful_shutdown[\"']?\s*[:=]\s*settings\.graceful_shutdown_timeout_seconds",
        sources,
    )


def test_native_sleep_action_is_offered_and_valid(helm_service: Service) -> None:
    import kubernetes_validate

    chart = _chart(helm_service)
    values = _merged(helm_service, "production", shutdown={"preStopHook": "sleep"})
    documents = _render(chart, values)
    deployment = _one(documents, "Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["lifecycle"]["preStop"] == {"sleep": {"seconds": 10}}
    kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_a_grace_period_shorter_than_pause_and_drain_is_refused(
    helm_service: Service,
) -> None:
    values = _merged(
        helm_service,
        "default",
        shutdown={
            "preStopSleepSeconds": 10,
            "gracefulShutdownSeconds": 20,
            "terminationGracePeriodSeconds": 30,
        },
    )
    message = _render_error(helm_service, values)
    assert "shutdown.terminationGracePeriodSeconds (30) must be larger" in message


def test_env_cannot_shadow_what_the_chart_sets(helm_service: Service) -> None:
    values = _merged(
        helm_service, "default", env={"GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS": "99"}
    )
    assert "remove it from env" in _render_error(helm_service, values)


# --- NetworkPolicy ---------------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """One end of a connection: a pod (namespace and labels) or an address."""

    namespace: str | None = None  # None: outside the cluster
    labels: Mapping[str, str] | None = None
    ip: str = "10.244.1.7"

    @property
    def namespace_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace or ""}


def _peer_matches(rule_peer: Mapping[str, Any], peer: Peer, own_namespace: str) -> bool:
    if "ipBlock" in rule_peer:
        block = rule_peer["ipBlock"]
        address = ipaddress.ip_address(peer.ip)
        if address not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(
            address in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    if peer.namespace is None:  # selectors only pick pods
        return False
    if "namespaceSelector" in rule_peer:
        if not matches(rule_peer["namespaceSelector"], peer.namespace_labels):
            return False
    elif peer.namespace != own_namespace:
        return False
    return "podSelector" not in rule_peer or matches(
        rule_peer["podSelector"], peer.labels or {}
    )


def _port_matches(
    rule_ports: Iterable[Mapping[str, Any]] | None, port: int, protocol: str
) -> bool:
    if not rule_ports:
        return True
    for rule_port in rule_ports:
        if rule_port.get("protocol", "TCP") != protocol:
            continue
        if "port" not in rule_port:
            return True
        low = int(rule_port["port"])
        if low <= port <= int(rule_port.get("endPort", low)):
            return True
    return False


def allowed(
    policies: list[dict[str, Any]],
    pod_labels: Mapping[str, str],
    direction: str,
    peer: Peer,
    port: int,
    protocol: str = "TCP",
) -> bool:
    """Whether NetworkPolicies allow a connection to (Ingress) or from (Egress) a pod."""
    field, peers_key = (
        ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    )
    selecting = [
        p
        for p in policies
        if direction in p["spec"]["policyTypes"]
        and matches(p["spec"]["podSelector"], pod_labels)
    ]
    if not selecting:
        return True  # not isolated
    for policy in selecting:
        for rule in policy["spec"].get(field) or []:
            peers = rule.get(peers_key)
            if peers and not any(_peer_matches(p, peer, NAMESPACE) for p in peers):
                continue
            if _port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def test_policy_evaluator() -> None:
    policy = {
        "spec": {
            "podSelector": {"matchLabels": {"app": "x"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 80}]}],
        }
    }
    pod = {"app": "x"}
    assert allowed([policy], pod, "Ingress", Peer(NAMESPACE, {}), 80)
    assert not allowed([policy], pod, "Ingress", Peer(NAMESPACE, {}), 81)
    assert not allowed([policy], pod, "Ingress", Peer("other", {}), 80)
    assert not allowed([policy], pod, "Ingress", Peer(None, ip="1.2.3.4"), 80)
    assert allowed([policy], pod, "Egress", Peer(None, ip="1.2.3.4"), 443)
    assert allowed([policy], {"app": "y"}, "Ingress", Peer("other", {}), 80)
    empty = {"spec": {**policy["spec"], "ingress": [{}]}}
    assert allowed([empty], pod, "Ingress", Peer(None, ip="1.2.3.4"), 9)


def _policies(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _kind(documents, "NetworkPolicy")


DNS_POD = Peer("kube-system", {"k8s-app": "kube-dns"}, ip="10.96.0.10")
GATEWAY_POD = Peer("gateway-system", {"app": "envoy"})
OTHER_NAMESPACE_POD = Peer("other-team", {"app": "client"})
SAME_NAMESPACE_POD = Peer(NAMESPACE, {"app": "client"})
DATABASE = Peer(None, ip="10.20.30.40")
INTERNET = Peer(None, ip="93.184.215.14")


@pytest.mark.parametrize("values_name", VALUES_FILES)
def test_network_policy_denies_by_default_and_lets_the_app_work(
    helm_service: Service, values_name: str
) -> None:
    documents = _documents(helm_service, values_name)
    policies = _policies(documents)
    port = int(_chart_values(helm_service)["containerPort"])
    app = _one(documents, "Deployment")["spec"]["template"]["metadata"]["labels"]
    job = _one(documents, "Job")["spec"]["template"]["metadata"]["labels"]

    for policy in policies:
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}

    # In: the http port, from the namespace and the Gateway; nothing else.
    assert allowed(policies, app, "Ingress", GATEWAY_POD, port)
    assert allowed(policies, app, "Ingress", SAME_NAMESPACE_POD, port)
    assert not allowed(policies, app, "Ingress", OTHER_NAMESPACE_POD, port)
    assert not allowed(policies, app, "Ingress", Peer(None, ip="10.0.0.9"), port)
    assert not allowed(policies, app, "Ingress", GATEWAY_POD, port + 1)
    assert not allowed(policies, app, "Ingress", GATEWAY_POD, port, "UDP")
    # Out: DNS and PostgreSQL; not the internet, not other database ports.
    for pod in (app, job):
        assert allowed(policies, pod, "Egress", DNS_POD, 53, "UDP")
        assert allowed(policies, pod, "Egress", DNS_POD, 53, "TCP")
        assert not allowed(policies, pod, "Egress", OTHER_NAMESPACE_POD, 53, "UDP")
        assert allowed(policies, pod, "Egress", DATABASE, 5432)
        assert not allowed(policies, pod, "Egress", DATABASE, 5433)
        assert not allowed(policies, pod, "Egress", INTERNET, 5432)
        assert not allowed(policies, pod, "Egress", INTERNET, 443)
    # The migration Job serves nothing.
    assert not allowed(policies, job, "Ingress", SAME_NAMESPACE_POD, port)
    assert not allowed(policies, job, "Ingress", GATEWAY_POD, port)


def _chart_values(service: Service) -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load(
        (_chart(service) / "values.yaml").read_text()
    )
    return values


def test_the_job_policy_exists_before_the_job_and_goes_with_it(
    helm_service: Service,
) -> None:
    documents = _documents(helm_service, "production")
    job = _one(documents, "Job")["metadata"]["annotations"]
    [policy] = [p for p in _policies(documents) if _is_hook(p)]
    annotations = policy["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == job["helm.sh/hook"]
    assert int(annotations["helm.sh/hook-weight"]) < int(job["helm.sh/hook-weight"])
    assert set(annotations["helm.sh/hook-delete-policy"].split(",")) == {
        "before-hook-creation",
        "hook-succeeded",
    }


@pytest.mark.parametrize("length", [40, 55, 56, 63])
def test_every_name_is_a_dns_label_with_the_longest_fullname_override(
    helm_service: Service, length: int
) -> None:
    """1.2.0: the `-migrate` names (the Job, its NetworkPolicy) stay within 63
    characters when fullnameOverride is long; short names are unchanged."""
    override = ("a" * (length - 2)) + "-b"
    for values_name in VALUES_FILES:
        values = _merged(helm_service, values_name, fullnameOverride=override)
        documents = _render(_chart(helm_service), values)
        names = {(d["kind"], d["metadata"]["name"]) for d in documents}
        for kind, name in names:
            assert len(name) <= 63, (kind, name)
            assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name), (kind, name)
        job = _one(documents, "Job")["metadata"]["name"]
        expected = override[:55].rstrip("-") + "-migrate"
        assert job == expected, job
        assert ("NetworkPolicy", expected) in names
        if length <= 55:
            assert job == f"{override}-migrate"


def test_network_policy_is_configurable(helm_service: Service) -> None:
    import kubernetes_validate

    values = _merged(
        helm_service,
        "production",
        networkPolicy={
            "ingress": {
                "sameNamespace": False,
                "namespaces": ["envoy-gateway-system"],
                "from": [{"ipBlock": {"cidr": "35.191.0.0/16"}}],
            },
            "egress": {
                "database": {
                    "port": 6432,
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {
                                    "kubernetes.io/metadata.name": "databases"
                                }
                            },
                            "podSelector": {"matchLabels": {"cnpg.io/cluster": "main"}},
                        }
                    ],
                },
                "extra": [
                    {
                        "to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
                        "ports": [{"port": 443}],
                    }
                ],
            },
        },
    )
    documents = _render(_chart(helm_service), values)
    policies = _policies(documents)
    for policy in policies:
        kubernetes_validate.validate(policy, KUBERNETES_VERSION, strict=True)
    port = int(_chart_values(helm_service)["containerPort"])
    app = _one(documents, "Deployment")["spec"]["template"]["metadata"]["labels"]
    job = _one(documents, "Job")["spec"]["template"]["metadata"]["labels"]
    postgres = Peer("databases", {"cnpg.io/cluster": "main"})

    assert allowed(policies, app, "Ingress", Peer("envoy-gateway-system", {}), port)
    assert allowed(policies, app, "Ingress", Peer(None, ip="35.191.4.5"), port)
    assert not allowed(policies, app, "Ingress", GATEWAY_POD, port)
    assert not allowed(policies, app, "Ingress", SAME_NAMESPACE_POD, port)
    for pod in (app, job):
        assert allowed(policies, pod, "Egress", postgres, 6432)
        assert not allowed(policies, pod, "Egress", postgres, 5432)
        assert not allowed(policies, pod, "Egress", DATABASE, 6432)
    assert allowed(policies, app, "Egress", Peer(None, ip="203.0.113.9"), 443)
    assert not allowed(policies, job, "Egress", Peer(None, ip="203.0.113.9"), 443)

    off = _merged(helm_service, "production", networkPolicy={"enabled": False})
    assert not _policies(_render(_chart(helm_service), off))


def test_network_policy_values_that_would_open_everything_are_refused(
    helm_service: Service,
) -> None:
    helm = _import_helm()
    with helm.Chart.load(str(_chart(helm_service))) as loaded:
        with pytest.raises(helm.HelmValuesError):  # a rule without peers: any host
            loaded.validate_schema(
                {"networkPolicy": {"egress": {"database": {"to": []}}}}
            )
        with pytest.raises(helm.HelmValuesError):
            loaded.validate_schema(
                {"networkPolicy": {"ingress": {"from": [{"ipBlock": {}}]}}}
            )
        with pytest.raises(helm.HelmValuesError):
            loaded.validate_schema({"networkPolicy": {"ingress": {"from": [{}]}}})


def test_no_other_namespace_may_reach_the_app_when_none_is_listed(
    helm_service: Service,
) -> None:
    values = _merged(
        helm_service,
        "default",
        networkPolicy={
            "ingress": {"sameNamespace": False, "namespaces": [], "from": []}
        },
    )
    documents = _render(_chart(helm_service), values)
    policies = _policies(documents)
    app = _one(documents, "Deployment")["spec"]["template"]["metadata"]["labels"]
    port = int(_chart_values(helm_service)["containerPort"])
    for peer in (SAME_NAMESPACE_POD, GATEWAY_POD, Peer(None, ip="10.1.1.1")):
        assert not allowed(policies, app, "Ingress", peer, port)


# --- values schema: hardening and autoscaling ----------------------------------


WEAKENED = {
    "privileged": {"securityContext": {"privileged": True}},
    "added capability": {"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}},
    "privilege escalation": {"securityContext": {"allowPrivilegeEscalation": True}},
    "container root": {"securityContext": {"runAsNonRoot": False}},
    "pod root": {"podSecurityContext": {"runAsNonRoot": False}},
    "uid 0": {"securityContext": {"runAsUser": 0}},
    "unmasked proc": {"securityContext": {"procMount": "Unmasked"}},
    "container unconfined": {
        "securityContext": {"seccompProfile": {"type": "Unconfined"}}
    },
    "no drop ALL": {"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
}


@pytest.mark.parametrize("weakening", list(WEAKENED))
def test_schema_refuses_weakened_security_contexts(
    helm_service: Service, weakening: str
) -> None:
    helm = _import_helm()
    values = WEAKENED[weakening]
    with helm.Chart.load(str(_chart(helm_service))) as loaded:
        with pytest.raises(helm.HelmValuesError):
            loaded.validate_schema(values)
    assert _lint_errors(helm_service, values), weakening


def test_schema_accepts_the_shipped_security_contexts(helm_service: Service) -> None:
    helm = _import_helm()
    with helm.Chart.load(str(_chart(helm_service))) as loaded:
        loaded.validate_schema({"securityContext": {"capabilities": {"add": []}}})
        loaded.validate_schema({"securityContext": {"privileged": False}})


@pytest.mark.parametrize("values_name", ["default", "production"])
def test_autoscaling_min_above_max_is_refused(
    helm_service: Service, values_name: str
) -> None:
    values = _merged(
        helm_service,
        values_name,
        autoscaling={"enabled": True, "minReplicas": 5, "maxReplicas": 3},
    )
    message = _render_error(helm_service, values)
    assert (
        "autoscaling.minReplicas (5) must not be larger than autoscaling.maxReplicas (3)"
        in message
    )
    equal = _merged(
        helm_service,
        values_name,
        autoscaling={"enabled": True, "minReplicas": 3, "maxReplicas": 3},
    )
    hpa = _one(_render(_chart(helm_service), equal), "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] == hpa["spec"]["maxReplicas"] == 3


# --- Gateway API -----------------------------------------------------------------


def _validate_httproute(route: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads(HTTPROUTE_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(route)
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["kind"] == "HTTPRoute"
    metadata = route["metadata"]
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", metadata["name"])
    assert len(metadata["name"]) <= 63
    assert all(isinstance(v, str) for v in metadata.get("labels", {}).values())


def test_httproute_schema_is_strict() -> None:
    import jsonschema

    schema = json.loads(HTTPROUTE_SCHEMA.read_text())
    good = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "r"},
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "rules": [{"backendRefs": [{"name": "svc", "port": 80}]}],
        },
    }
    jsonschema.Draft7Validator(schema).validate(good)
    for bad in (
        {"parentRefs": [{"name": "gw", "sectionname": "https"}]},  # unknown field
        {"parentRefs": [{}]},  # no name
        {"rules": [{"matches": [{"path": {"type": "Glob", "value": "/"}}]}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft7Validator(schema).validate(
                {**good, "spec": {**good["spec"], **bad}}
            )


def test_production_routes_through_the_gateway_api(helm_service: Service) -> None:
    name = helm_service.answers["service_name"]
    chart = _chart(helm_service)
    production = _values(chart, "production")
    assert production is not None
    assert production["ingress"]["enabled"] is False
    assert not production["ingress"].get("className")  # no retired nginx class
    assert production["httpRoute"]["enabled"] is True

    documents = _render(chart, production)
    assert not _kind(documents, "Ingress")
    route = _one(documents, "HTTPRoute")
    _validate_httproute(route)
    assert route["spec"]["parentRefs"] == production["httpRoute"]["parentRefs"]
    assert route["spec"]["hostnames"] == [f"{name}.example.com"]
    service = _one(documents, "Service")
    [rule] = route["spec"]["rules"]
    assert rule["backendRefs"] == [
        {
            "name": service["metadata"]["name"],
            "port": service["spec"]["ports"][0]["port"],
        }
    ]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]


def test_httproute_follows_its_values(helm_service: Service) -> None:
    values = _merged(
        helm_service,
        "default",
        httpRoute={
            "enabled": True,
            "annotations": {"team": "payments"},
            "parentRefs": [
                {
                    "name": "edge",
                    "namespace": "infra",
                    "sectionName": "https",
                    "port": 443,
                }
            ],
            "hostnames": ["api.example.org", "*.api.example.org"],
            "matches": [
                {"path": {"type": "PathPrefix", "value": "/v1"}},
                {"path": {"type": "Exact", "value": "/health/ready"}, "method": "GET"},
            ],
            "timeouts": {"request": "30s"},
        },
    )
    documents = _render(_chart(helm_service), values)
    route = _one(documents, "HTTPRoute")
    _validate_httproute(route)
    assert route["metadata"]["annotations"] == {"team": "payments"}
    assert route["spec"]["parentRefs"][0]["name"] == "edge"
    assert route["spec"]["hostnames"] == ["api.example.org", "*.api.example.org"]
    assert route["spec"]["rules"][0]["timeouts"] == {"request": "30s"}
    assert len(route["spec"]["rules"][0]["matches"]) == 2

    helm = _import_helm()
    with helm.Chart.load(str(_chart(helm_service))) as loaded:
        with pytest.raises(helm.HelmValuesError):  # enabled without a Gateway
            loaded.validate_schema({"httpRoute": {"enabled": True, "parentRefs": []}})


def test_default_and_staging_have_no_route(helm_service: Service) -> None:
    for values_name in ("default", "staging"):
        documents = _documents(helm_service, values_name)
        assert not _kind(documents, "HTTPRoute")
        assert not _kind(documents, "Ingress")


# --- the doc ---------------------------------------------------------------------


def test_kubernetes_doc_ships_with_the_chart_only(service: Service) -> None:
    doc = service.path / "docs" / "kubernetes.md"
    assert doc.is_file() == bool(service.answers["include_helm"])
    if not doc.is_file():
        return
    text = doc.read_text()
    name = service.answers["service_name"]
    assert f"delete deployment {name} --cascade=orphan" in text
    assert 'label pods -l "$old" app.kubernetes.io/component=api' in text
    assert "{{" not in text and "{%" not in text
    # The upgrade steps name the 1.0 pods by the labels 1.0 gave them.
    assert (
        f"app.kubernetes.io/name={name},app.kubernetes.io/instance={name},"
        "!app.kubernetes.io/component"
    ) in text
