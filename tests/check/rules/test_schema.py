from __future__ import annotations

import pytest

from synctool.check.rules import (
    BehindCheck,
    Rule,
    RuleError,
    TextCheck,
    YamlCheck,
    parse_path,
    parse_rules,
)

from . import load, rules

POLICY = r"""
- id: dockerfile-non-root-user
  kind: contains
  paths: [/Dockerfile]
  where: '^USER\b'
  last: true
  pattern: '^USER\s+[1-9][0-9]*(:[0-9]+)?\s*$'
  message: The image must run as a numeric non-root user.
  hint: Add `USER 10001` after the last build step.
- id: dockerfile-pinned-base
  kind: contains
  paths: [/Dockerfile]
  where: '^FROM\s'
  all: true
  pattern: '@sha256:'
  severity: warning
- id: no-secrets
  kind: forbidden
  paths: [.env, "*.pem", "id_rsa*"]
- id: has-readme
  kind: required
  paths: [README.md]
- id: no-debug
  kind: not-contains
  paths: ["src/**/*.py"]
  pattern: 'breakpoint\('
  required: true
- id: k8s-non-root
  kind: yaml
  paths: ["k8s/**/*.yaml", "!k8s/chart/templates/**"]
  where: {kind: Deployment}
  select: spec.template.spec.containers[*].securityContext.runAsNonRoot
  equals: true
- id: fresh
  kind: max-behind
  releases: 3
"""


def test_parse_every_kind() -> None:
    assert rules(POLICY) == (
        Rule(
            "dockerfile-non-root-user",
            "contains",
            "error",
            ("/Dockerfile",),
            TextCheck(r"^USER\s+[1-9][0-9]*(:[0-9]+)?\s*$", r"^USER\b", "last"),
            "The image must run as a numeric non-root user.",
            "Add `USER 10001` after the last build step.",
            "synctool.yml",
            2,
        ),
        Rule(
            "dockerfile-pinned-base",
            "contains",
            "warning",
            ("/Dockerfile",),
            TextCheck("@sha256:", r"^FROM\s", "all"),
            source="synctool.yml",
            line=10,
        ),
        Rule(
            "no-secrets",
            "forbidden",
            "error",
            (".env", "*.pem", "id_rsa*"),
            None,
            source="synctool.yml",
            line=17,
        ),
        Rule(
            "has-readme",
            "required",
            "error",
            ("README.md",),
            None,
            source="synctool.yml",
            line=20,
        ),
        Rule(
            "no-debug",
            "not-contains",
            "error",
            ("src/**/*.py",),
            TextCheck(r"breakpoint\(", required=True),
            source="synctool.yml",
            line=23,
        ),
        Rule(
            "k8s-non-root",
            "yaml",
            "error",
            ("k8s/**/*.yaml", "!k8s/chart/templates/**"),
            YamlCheck(
                parse_path(
                    "spec.template.spec.containers[*].securityContext.runAsNonRoot"
                ),
                "equals",
                True,
                ((parse_path("kind"), "Deployment"),),
            ),
            source="synctool.yml",
            line=28,
        ),
        Rule(
            "fresh",
            "max-behind",
            "error",
            (),
            BehindCheck(3),
            source="synctool.yml",
            line=34,
        ),
    )


def test_yaml_assertions_and_values() -> None:
    parsed = rules(
        """
- {id: a, kind: yaml, paths: [x.yml], select: a, exists: true}
- {id: b, kind: yaml, paths: [x.yml], select: a, absent: true}
- {id: c, kind: yaml, paths: [x.yml], select: a, matches: '^v[0-9]+'}
- {id: d, kind: yaml, paths: [x.yml], select: a, includes: {name: Lint}}
- {id: e, kind: yaml, paths: [x.yml], select: a, equals: [1, 2]}
- {id: f, kind: yaml, paths: [x.yml], select: a, equals: 1, allow-missing: true}
"""
    )
    assert [r.check.allow_missing for r in parsed] == [False] * 5 + [True]  # type: ignore[union-attr]
    assert [(r.check.assertion, r.check.value) for r in parsed] == [  # type: ignore[union-attr]
        ("exists", True),
        ("absent", True),
        ("matches", "^v[0-9]+"),
        ("includes", {"name": "Lint"}),
        ("equals", [1, 2]),
        ("equals", 1),
    ]


def test_no_rules() -> None:
    assert parse_rules(None, source="synctool.yml") == ()
    assert parse_rules(load("[]"), source="synctool.yml") == ()


def test_plain_data_parses_without_lines() -> None:
    raw = [{"id": "r", "kind": "forbidden", "paths": [".env"]}]
    assert parse_rules(raw, source="lock") == (
        Rule("r", "forbidden", "error", (".env",), None, source="lock"),
    )
    with pytest.raises(RuleError) as info:
        parse_rules([{"id": "r", "kind": "nope"}], source="lock")
    assert str(info.value) == (
        "lock: rule 'r': kind 'nope' is not one of required, forbidden, contains, "
        "not-contains, yaml, max-behind"
    )


def error_of(text: str) -> tuple[int | None, str]:
    with pytest.raises(RuleError) as info:
        rules(text)
    assert info.value.file == "synctool.yml"
    assert str(info.value) == f"synctool.yml:{info.value.line}: {info.value.message}"
    return info.value.line, info.value.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1", 1, "'rules' must be a list"),
        ("- just a string", 1, "a rule must be a mapping (id: ..., kind: ...)"),
        ("- kind: forbidden\n  paths: [x]", 1, "'id' is required"),
        ("- id: 3\n  kind: forbidden", 1, "'id' must be a non-empty string"),
        (
            "- id: Bad_Id\n  kind: forbidden",
            1,
            "rule id 'Bad_Id' must match [a-z0-9][a-z0-9-]*",
        ),
        (
            "- id: waiver-stale\n  kind: forbidden",
            1,
            "rule id 'waiver-stale' is reserved for synctool's own findings",
        ),
        (
            "- id: r\n  paths: [x]\n  kind: nope",
            3,
            "rule 'r': kind 'nope' is not one of required, forbidden, contains, "
            "not-contains, yaml, max-behind",
        ),
        (
            "- id: r\n  kind: forbidden\n  paths: [x]\n  pattern: y",
            4,
            "rule 'r': unknown key 'pattern' for kind forbidden",
        ),
        (
            "- id: r\n  kind: forbidden\n  paths: [x]\n  severity: fatal",
            4,
            "rule 'r': severity must be error or warning",
        ),
        (
            "- id: r\n  kind: forbidden",
            1,
            "rule 'r': 'paths' is required (a list of path patterns)",
        ),
        (
            "- id: r\n  kind: forbidden\n  paths: []",
            3,
            "rule 'r': 'paths' must be a non-empty list of path patterns",
        ),
        (
            "- id: r\n  kind: forbidden\n  paths: .env",
            3,
            "rule 'r': 'paths' must be a list",
        ),
        (
            "- id: r\n  kind: forbidden\n  paths: ['#x']",
            3,
            "rule 'r': 'paths': '#x' is not a path pattern (a comment?)",
        ),
        (
            "- id: r\n  kind: forbidden\n  paths: ['!']",
            3,
            "rule 'r': 'paths': Invalid git pattern: '!'",
        ),
        (
            "- id: r\n  kind: required\n  paths: [a, '!b']",
            3,
            "rule 'r': required paths cannot be negated",
        ),
        (
            "- id: r\n  kind: contains\n  paths: [x]",
            1,
            "rule 'r': 'pattern' is required",
        ),
        (
            "- id: r\n  kind: contains\n  paths: [x]\n  pattern: '(unclosed'",
            4,
            "rule 'r': 'pattern' is not a valid regex: "
            "missing ), unterminated subpattern at position 0",
        ),
        (
            "- id: r\n  kind: contains\n  paths: [x]\n  pattern: y\n  all: true",
            5,
            "rule 'r': 'all' and 'last' need 'where' (the lines to check)",
        ),
        (
            "- id: r\n  kind: contains\n  paths: [x]\n  pattern: y\n  where: z\n"
            "  all: true\n  last: true",
            7,
            "rule 'r': use either 'all' or 'last', not both",
        ),
        (
            "- id: r\n  kind: contains\n  paths: [x]\n  pattern: y\n  last: yes",
            5,
            "rule 'r': 'last' must be true or false",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: a",
            1,
            "rule 'r': a yaml rule needs exactly one of "
            "exists, absent, equals, matches, includes",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: a\n  exists: true\n"
            "  equals: 1",
            6,
            "rule 'r': a yaml rule needs exactly one of "
            "exists, absent, equals, matches, includes",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: a\n  exists: false",
            5,
            "rule 'r': 'exists' must be true",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: 'a[x]'\n  exists: true",
            4,
            "rule 'r': 'select': expected [*], [N], [\"key\"] or [?key=value] "
            "at column 2 of 'a[x]'",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: a\n  matches: '['",
            5,
            "rule 'r': 'matches' is not a valid regex: "
            "unterminated character set at position 0",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: a\n  exists: true\n"
            "  where: Deployment",
            6,
            "rule 'r': 'where' must be a mapping of path expression to value",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: a\n  exists: true\n"
            "  where: {'a..b': 1}",
            6,
            "rule 'r': 'where': expected a key at column 3 of 'a..b'",
        ),
        (
            "- id: r\n  kind: yaml\n  paths: [x]\n  select: a\n  exists: true\n"
            "  allow-missing: true",
            6,
            "rule 'r': 'allow-missing' applies to equals and matches only",
        ),
        (
            "- id: r\n  kind: max-behind\n  releases: -1",
            3,
            "rule 'r': 'releases' must be a whole number >= 0",
        ),
        (
            "- id: r\n  kind: max-behind\n  releases: true",
            3,
            "rule 'r': 'releases' must be a whole number >= 0",
        ),
        (
            "- id: r\n  kind: max-behind\n  releases: 1\n  paths: [x]",
            4,
            "rule 'r': unknown key 'paths' for kind max-behind",
        ),
        (
            "- id: r\n  kind: forbidden\n  paths: [x]\n  message: ''",
            4,
            "rule 'r': 'message' must be a non-empty string",
        ),
    ],
)
def test_invalid_rules(text: str, line: int, message: str) -> None:
    assert error_of(text) == (line, message)


def test_duplicate_id_names_both_lines() -> None:
    text = (
        "- {id: r, kind: forbidden, paths: [a]}\n"
        "- {id: s, kind: forbidden, paths: [b]}\n"
        "- {id: r, kind: forbidden, paths: [c]}\n"
    )
    assert error_of(text) == (3, "duplicate rule id 'r' (first defined on line 1)")


def test_error_in_a_later_rule_names_its_line() -> None:
    text = POLICY + "- id: late\n  kind: contains\n  paths: [x]\n  pattern: '*'\n"
    line, message = error_of(text)
    assert line == 40
    assert message.startswith("rule 'late': 'pattern' is not a valid regex: ")
