"""The blueprint repository's own update bot (blueprint/renovate.json).

Pins in blueprint-managed files (the workflow, the Dockerfile, pre-commit)
move in the blueprint and reach services as a release: a service's own
Dependabot leaves them alone (tests/bundled/test_generated_ci.py). So the
repository `synctool blueprint new` creates must carry a Renovate
configuration that reads the Jinja templates, and that configuration must
actually find every managed pin in them.

The regex managers are applied here as Renovate applies them (JavaScript
named groups translated to Python's); `renovate-config-validator`, when it
is installed, validates the file against Renovate's own schema.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, git, run_cli

BLUEPRINT = REPO / "blueprint"
TEMPLATE = BLUEPRINT / "template"
CONFIG_PATH = BLUEPRINT / "renovate.json"
WORKFLOWS = sorted(
    p
    for p in TEMPLATE.glob("*.github*/workflows/*")
    if p.name.endswith((".yml.jinja", ".yaml.jinja"))
)
# Env keys in the workflow that are settings, not tool pins.
NOT_PINS = {"PYTHON_VERSION", "KUBERNETES_VERSION", "IMAGE", "SYNCTOOL_SPEC"}


def _config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads(CONFIG_PATH.read_text())
    return config


def _js_regex(pattern: str) -> re.Pattern[str]:
    """A Renovate pattern: /regex/ (file patterns) or a bare regex (matchStrings)."""
    if pattern.startswith("/") and pattern.rstrip("i").endswith("/"):
        pattern = pattern[1 : pattern.rstrip("i").rfind("/")]
    return re.compile(
        pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
    )


def _template_files() -> list[str]:
    return sorted(
        p.relative_to(BLUEPRINT).as_posix() for p in TEMPLATE.rglob("*") if p.is_file()
    )


def _manager_files(patterns: list[str]) -> list[str]:
    compiled = [_js_regex(p) for p in patterns]
    return [f for f in _template_files() if any(c.search(f) for c in compiled)]


def _custom(description_start: str) -> dict[str, Any]:
    managers: list[dict[str, Any]] = [
        m
        for m in _config()["customManagers"]
        if m["description"].startswith(description_start)
    ]
    assert len(managers) == 1, description_start
    return managers[0]


def _extract(manager: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """What a regex manager captures, file by file."""
    found: dict[str, list[dict[str, str]]] = {}
    for name in _manager_files(manager["managerFilePatterns"]):
        text = (BLUEPRINT / name).read_text()
        for pattern in manager["matchStrings"]:
            for match in _js_regex(pattern).finditer(text):
                groups = {k: v for k, v in match.groupdict().items() if v is not None}
                found.setdefault(name, []).append(groups)
    return found


def test_blueprint_new_ships_the_update_bot_config(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    result = run_cli(capsys, "blueprint", "new", "platform-blueprint")
    assert result.code == 0, result.err
    repo = workdir / "platform-blueprint"
    assert (repo / "renovate.json").read_bytes() == CONFIG_PATH.read_bytes()
    assert "renovate.json" in git(repo, "ls-files").split()
    # The blueprint's config stays in the blueprint: services never get it.
    assert not list(TEMPLATE.rglob("renovate.json*"))


def test_renovate_config_is_valid() -> None:
    config = _config()
    assert config["$schema"] == "https://docs.renovatebot.com/renovate-schema.json"
    assert "fileMatch" not in json.dumps(config), (
        "Renovate 41+ reads managerFilePatterns"
    )
    for manager in config["customManagers"]:
        assert manager["customType"] == "regex"
        for pattern in manager["matchStrings"]:
            assert _js_regex(pattern).groupindex.keys() >= {"currentValue"}
    validator = shutil.which("renovate-config-validator")
    if validator is None:
        pytest.skip(
            "renovate-config-validator is not installed (npm install renovate, Node 24)"
        )
    result = subprocess.run(
        [validator, "--strict", "--no-global", str(CONFIG_PATH)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_renovate_reads_the_workflow_templates_actions() -> None:
    patterns = _config()["github-actions"]["managerFilePatterns"]
    assert WORKFLOWS
    assert _manager_files(patterns) == [
        p.relative_to(BLUEPRINT).as_posix() for p in WORKFLOWS
    ]
    for workflow in WORKFLOWS:
        for line in workflow.read_text().splitlines():
            if "uses:" in line:
                # The form Renovate's github-actions manager updates in place:
                # the SHA and the release in the comment move together.
                assert re.fullmatch(
                    r"\s*(-\s+)?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v?\d+\.\d+\.\d+",
                    line,
                ), line


def test_renovate_reads_every_tool_version_in_the_workflow() -> None:
    captured = _extract(_custom("Tool versions"))
    for workflow in WORKFLOWS:
        name = workflow.relative_to(BLUEPRINT).as_posix()
        text = workflow.read_text()
        block = text[text.index("\nenv:\n") : text.index("\njobs:\n")]
        env = re.findall(r"^  ([A-Z][A-Z0-9_]*):", block, re.MULTILINE)
        pins = {key for key in env if key not in NOT_PINS}
        deps = {m["depName"]: m for m in captured.get(name, [])}
        assert pins, name
        assert len(deps) == len(pins), (sorted(deps), sorted(pins))
        for dep in deps.values():
            assert dep["datasource"] in {"pypi", "github-releases"}, dep
            if dep["datasource"] == "pypi" and dep["depName"] != "uv":
                # The pin Renovate bumps is the one the job installs (uv
                # itself comes from setup-uv's version input).
                assert f'"{dep["depName"]}==$' in text, dep
        assert {"uv", "aquasecurity/trivy", "zizmor", "pip-audit"} <= set(deps)


def test_renovate_reads_every_image_digest_in_the_templates() -> None:
    captured = _extract(_custom("Container images"))
    pinned = re.compile(r"[a-z0-9][a-z0-9._/-]*:[\w.-]+@sha256:[a-f0-9]{64}")
    for name in _template_files():
        if name.endswith("uv.lock.jinja"):
            continue
        literal = pinned.findall((BLUEPRINT / name).read_text())
        found = [
            f"{m['depName']}:{m['currentValue']}@{m['currentDigest']}"
            for m in captured.get(name, [])
        ]
        assert sorted(found) == sorted(literal), name
    assert any("workflows" in name for name in captured)
    assert "template/docker-compose.yml.jinja" in captured


def test_renovate_reads_the_python_digest_table_for_every_choice() -> None:
    manager = _custom("The Python base-image digest table")
    captured = _extract(manager)
    copier = yaml.safe_load((BLUEPRINT / "copier.yml").read_text())
    choices = set(copier["python_version"]["choices"])
    dockerfile = "template/Dockerfile.jinja"
    assert {m["currentValue"] for m in captured[dockerfile]} == choices
    # The image the table pins is python:<choice><suffix>@<digest>: the tag
    # Renovate looks the digest up for must be that tag.
    text = (BLUEPRINT / dockerfile).read_text()
    line = re.search(r'"python:" ~ python_version ~ "([^"@]*)@" ~ python_digests', text)
    assert line, "the python_image line changed: update renovate.json"
    assert manager["currentValueTemplate"] == "{{{currentValue}}}" + line[1]
    assert manager["autoReplaceStringTemplate"].count(line[1]) == 1
    # Every template with the same table keeps in step with the Dockerfile's.
    for name, matches in captured.items():
        assert {m["currentValue"] for m in matches} == choices, name
    digests = {n: sorted(m["currentDigest"] for m in ms) for n, ms in captured.items()}
    assert len({tuple(d) for d in digests.values()}) == 1, digests
