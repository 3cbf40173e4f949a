"""A YAML file nested thousands of levels deep under a `yaml` rule is a
finding that names the file, not a crash."""

from __future__ import annotations

import pytest

from synctool.check.rules import evaluate

from . import Files, rules

RULE = """
- id: deployments-only
  kind: yaml
  paths: ["*.yaml"]
  select: kind
  equals: Deployment
"""


@pytest.mark.parametrize(
    "deep",
    [
        "kind: Deployment\nx: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "kind: Deployment\nx: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
        "kind: Deployment\n"
        + "".join("  " * n + "a:\n" for n in range(3_000))
        + "  " * 3_000
        + "b: 1\n",
    ],
    ids=["flow-sequences", "flow-mappings", "block-mappings"],
)
def test_a_deeply_nested_file_is_a_finding(deep: str) -> None:
    found = evaluate(rules(RULE), Files({"deep.yaml": deep}))
    assert [(f.rule, f.path, f.severity, f.message) for f in found] == [
        (
            "deployments-only",
            "deep.yaml",
            "error",
            "could not parse YAML: nested too deep to read (thousands of levels)",
        )
    ]
