"""The blueprint itself: its copier config, version and synctool policy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from tests.bundled.conftest import ANSWER_SETS, BLUEPRINT_DIR, render

POLICY_KINDS = {
    "required",
    "forbidden",
    "contains",
    "not-contains",
    "yaml",
    "max-behind",
}


def _copier_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((BLUEPRINT_DIR / "copier.yml").read_text())
    return config


def render_policy(answers: dict[str, Any]) -> dict[str, Any]:
    text = (BLUEPRINT_DIR / "synctool.yml").read_text()
    rendered = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text)
    policy: dict[str, Any] = yaml.safe_load(rendered.render(**answers))
    return policy


def test_version_is_one_semver_line() -> None:
    text = (BLUEPRINT_DIR / "VERSION").read_text()
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", text)


def test_copier_config_runs_no_template_code() -> None:
    config = _copier_config()
    assert config["_subdirectory"] == "template"
    for key in ("_tasks", "_migrations", "_jinja_extensions"):
        assert key not in config


def test_every_question_has_a_default_and_help() -> None:
    questions = {k: v for k, v in _copier_config().items() if not k.startswith("_")}
    for name, spec in questions.items():
        assert "default" in spec, name
        assert "type" in spec, name
        if spec.get("when") is not False:
            assert spec.get("help"), name


def test_answers_file_is_not_rendered() -> None:
    template = BLUEPRINT_DIR / "template"
    assert not [p for p in template.rglob("*") if "answers_file" in p.name]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"service_name": "Bad_Name"}, "lowercase"),
        ({"service_name": "x" * 41}, "40"),
        ({"http_port": 80}, "1024"),
        ({"resource_name": "health"}, "taken"),
        # Python keywords would be imported as modules (`from . import global`).
        ({"resource_name": "global"}, "Python keyword"),
        ({"resource_name": "class"}, "Python keyword"),
        ({"resource_name": "nones", "resource_singular": "none"}, "Python keyword"),
        ({"package_name": "import"}, "Python keyword"),
        ({"service_name": "lambda"}, "Python keyword"),  # its derived package
        ({"aws_region": "moon-1"}, "region"),
        ({"container_registry": "not a registry"}, "registry"),
    ],
)
def test_bad_answers_are_refused(
    answers: dict[str, Any], message: str, tmp_path: Path, blueprint_source: Path
) -> None:
    with pytest.raises(Exception, match=message):
        render(blueprint_source, tmp_path / "out", answers)
    assert not (tmp_path / "out" / "pyproject.toml").exists()


@pytest.mark.parametrize("name", list(ANSWER_SETS))
def test_policy_renders_and_is_well_formed(name: str) -> None:
    answers = {
        "service_name": "example-service",
        "package_name": "example_service",
        "include_helm": True,
        "include_terraform": True,
        "ci_provider": "github",
        **ANSWER_SETS[name],
    }
    if "package_name" not in ANSWER_SETS[name]:
        answers["package_name"] = answers["service_name"].replace("-", "_")
    policy = render_policy(answers)
    assert set(policy) <= {"ownership", "drivers", "identity_keys", "rules", "derived"}
    from synctool.check import policy as synctool_policy

    applied = synctool_policy.from_raw(policy)  # what sync and check will read
    rule = applied.derived_rule("uv.lock")
    assert rule is not None and (rule.sources, rule.command) == (
        ("pyproject.toml",),
        "uv lock",
    )
    assert set(policy["ownership"]) <= {"managed", "seeded", "merged"}
    assert ".github/workflows/**" in policy["ownership"]["managed"]
    assert "Dockerfile" in policy["ownership"]["managed"]
    assert f"src/{answers['package_name']}/api/**" in policy["ownership"]["seeded"]
    ids = [rule["id"] for rule in policy["rules"]]
    assert len(ids) == len(set(ids))
    for rule in policy["rules"]:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", rule["id"])
        assert rule["kind"] in POLICY_KINDS
        for key in ("pattern", "where"):
            if key in rule:
                re.compile(rule[key], re.MULTILINE)
    for rule_id in (
        "dockerfile-non-root-user",
        "dockerfile-healthcheck",
        "dockerfile-from-digest",
        "no-dotenv-committed",
        "no-private-keys-committed",
        "ci-has-lint-job",
        "ci-has-test-job",
        "ci-has-scan-job",
    ):
        assert rule_id in ids
    assert ("k8s-pod-security-context" in ids) == answers["include_helm"]


def test_without_ci_there_are_no_ci_files_or_rules(
    tmp_path: Path, blueprint_source: Path
) -> None:
    from tests.bundled.policy_eval import violations

    dest = tmp_path / "service"
    answers = render(blueprint_source, dest, {"ci_provider": "none"})
    assert not (dest / ".github").exists()
    policy = render_policy(answers)
    assert not [rule for rule in policy["rules"] if rule["id"].startswith("ci-")]
    assert violations(policy, dest) == []


def test_synctool_check_passes_on_a_fresh_service(tmp_path: Path) -> None:
    """The policy as synctool itself applies it: init, then check, is clean."""
    import sys

    from tests.bundled.conftest import run

    run([sys.executable, "-m", "synctool", "init", "service", "--defaults"], tmp_path)
    result = run([sys.executable, "-m", "synctool", "check"], tmp_path / "service")
    assert "0 errors" in result.stdout + result.stderr
