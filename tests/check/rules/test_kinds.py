from __future__ import annotations

import time
from collections.abc import Mapping

import pytest

from synctool.check.rules import Finding, OnlineInfo, evaluate

from . import Files, rules

DIGEST = "@sha256:" + "0" * 64


def run(rule_yaml: str, tree: Mapping[str, str | bytes | None]) -> list[Finding]:
    return evaluate(rules(rule_yaml), Files(tree))


def brief(findings: list[Finding]) -> list[tuple[str, str | None, int | None, str]]:
    return [(f.rule, f.path, f.line, f.message) for f in findings]


# -- required ---------------------------------------------------------------

REQUIRED = """
- id: basics
  kind: required
  paths: [/Dockerfile, README.md, "docs/*.md"]
"""


def test_required_passes() -> None:
    tree = {"Dockerfile": "", "sub/README.md": "", "docs/a.md": ""}
    assert run(REQUIRED, tree) == []


def test_required_one_finding_per_missing_pattern() -> None:
    findings = run(REQUIRED, {"sub/Dockerfile": "", "README.md": ""})
    assert findings == [
        Finding(
            "basics", "error", None, None, "Dockerfile is missing", "add Dockerfile"
        ),
        Finding(
            "basics",
            "error",
            None,
            None,
            "no file matches docs/*.md",
            "add a file matching docs/*.md",
        ),
    ]


def test_required_reads_nothing() -> None:
    files = Files({"Dockerfile": "", "README.md": "", "docs/a.md": ""})
    assert evaluate(rules(REQUIRED), files) == []
    assert files.reads == []


# -- forbidden --------------------------------------------------------------

FORBIDDEN = """
- id: no-secrets
  kind: forbidden
  paths: [.env, "*.pem", "id_rsa*", "!tests/fixtures/**"]
  message: Secrets must not be committed.
"""


def test_forbidden_passes() -> None:
    tree = {".env.example": "", "tests/fixtures/key.pem": "", "src/app.py": ""}
    assert run(FORBIDDEN, tree) == []


def test_forbidden_one_finding_per_file() -> None:
    tree = {".env": "", "deploy/tls.pem": "", "id_rsa.pub": "", "src/app.py": ""}
    assert run(FORBIDDEN, tree) == [
        Finding(
            "no-secrets",
            "error",
            ".env",
            None,
            "Secrets must not be committed.",
            "git rm --cached .env, and add it to .gitignore",
        ),
        Finding(
            "no-secrets",
            "error",
            "deploy/tls.pem",
            None,
            "Secrets must not be committed.",
            "git rm --cached deploy/tls.pem, and add it to .gitignore",
        ),
        Finding(
            "no-secrets",
            "error",
            "id_rsa.pub",
            None,
            "Secrets must not be committed.",
            "git rm --cached id_rsa.pub, and add it to .gitignore",
        ),
    ]


def test_forbidden_generated_message() -> None:
    rule = "- {id: f, kind: forbidden, paths: [.env], severity: warning}"
    assert run(rule, {".env": ""}) == [
        Finding(
            "f",
            "warning",
            ".env",
            None,
            "file must not be committed",
            "git rm --cached .env, and add it to .gitignore",
        )
    ]


# -- contains ---------------------------------------------------------------

HEALTHCHECK = r"""
- id: dockerfile-healthcheck
  kind: contains
  paths: [Dockerfile]
  pattern: '^HEALTHCHECK\s'
"""


def test_contains_passes() -> None:
    tree = {"Dockerfile": "FROM x\nHEALTHCHECK CMD true\n"}
    assert run(HEALTHCHECK, tree) == []


def test_contains_fails_per_file() -> None:
    tree = {"Dockerfile": "FROM x\n# HEALTHCHECK CMD true\n", "a/Dockerfile": ""}
    assert run(HEALTHCHECK, tree) == [
        Finding(
            "dockerfile-healthcheck",
            "error",
            "Dockerfile",
            None,
            r"no match of /^HEALTHCHECK\s/",
            r"add a line matching /^HEALTHCHECK\s/",
        ),
        Finding(
            "dockerfile-healthcheck",
            "error",
            "a/Dockerfile",
            None,
            r"no match of /^HEALTHCHECK\s/",
            r"add a line matching /^HEALTHCHECK\s/",
        ),
    ]


def test_contains_pattern_may_span_lines() -> None:
    rule = r"- {id: c, kind: contains, paths: [f], pattern: 'a\nb'}"
    assert run(rule, {"f": "a\nb\n"}) == []


def test_no_matching_file_passes_unless_required() -> None:
    assert run(HEALTHCHECK, {"README.md": ""}) == []
    assert brief(run(HEALTHCHECK + "  required: true\n", {"README.md": ""})) == [
        ("dockerfile-healthcheck", None, None, "no file matches Dockerfile")
    ]


PINNED = r"""
- id: dockerfile-pinned-base
  kind: contains
  paths: [Dockerfile]
  where: '^FROM\s'
  all: true
  pattern: '@sha256:[0-9a-f]{64}'
  message: Base images must be pinned by @sha256 digest.
"""


def test_contains_all_passes() -> None:
    tree = {"Dockerfile": f"FROM python{DIGEST} AS build\nFROM scratch{DIGEST}\n"}
    assert run(PINNED, tree) == []
    assert run(PINNED, {"Dockerfile": "# no FROM at all\n"}) == []


def test_contains_all_reports_each_failing_line() -> None:
    tree = {
        "Dockerfile": (
            f"FROM python{DIGEST} AS build\n"
            "RUN make\n"
            "FROM python:3.12-slim\n"
            "FROM   debian:12 AS extra\n"
        )
    }
    assert run(PINNED, tree) == [
        Finding(
            "dockerfile-pinned-base",
            "error",
            "Dockerfile",
            3,
            "Base images must be pinned by @sha256 digest: FROM python:3.12-slim",
            "make it match /@sha256:[0-9a-f]{64}/",
        ),
        Finding(
            "dockerfile-pinned-base",
            "error",
            "Dockerfile",
            4,
            "Base images must be pinned by @sha256 digest: FROM   debian:12 AS extra",
            "make it match /@sha256:[0-9a-f]{64}/",
        ),
    ]


NON_ROOT = r"""
- id: dockerfile-non-root-user
  kind: contains
  paths: [Dockerfile]
  where: '^USER\b'
  last: true
  pattern: '^USER\s+[1-9][0-9]*(:[0-9]+)?\s*$'
  hint: Add `USER 10001` after the last build step.
"""


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM x\nUSER 10001\n",
        "FROM x\nUSER root\nRUN apt-get install\nUSER 10001:10001\n",
        "FROM x\r\nUSER 10001\r\n",  # CRLF checkout
    ],
)
def test_contains_last_passes(dockerfile: str) -> None:
    assert run(NON_ROOT, {"Dockerfile": dockerfile}) == []


def test_contains_last_fails_on_the_last_chosen_line() -> None:
    tree = {"Dockerfile": "FROM x\nUSER 10001\nRUN x\nUSER root\nCMD run\n"}
    assert run(NON_ROOT, tree) == [
        Finding(
            "dockerfile-non-root-user",
            "error",
            "Dockerfile",
            4,
            r"USER root does not match /^USER\s+[1-9][0-9]*(:[0-9]+)?\s*$/ "
            r"(last line matching /^USER\b/)",
            "Add `USER 10001` after the last build step.",
        )
    ]


def test_contains_last_fails_without_a_chosen_line() -> None:
    assert brief(run(NON_ROOT, {"Dockerfile": "FROM x\nUSERNAME=1\n"})) == [
        ("dockerfile-non-root-user", "Dockerfile", None, r"no line matches /^USER\b/")
    ]


def test_contains_where_without_all_needs_one_matching_line() -> None:
    rule = r"- {id: c, kind: contains, paths: [f], where: '^port', pattern: '8080'}"
    assert run(rule, {"f": "port 80\nport 8080\n"}) == []
    assert brief(run(rule, {"f": "port 80\nport 443\n"})) == [
        ("c", "f", None, "no line matching /^port/ matches /8080/")
    ]
    assert brief(run(rule, {"f": "nothing\n"})) == [
        ("c", "f", None, "no line matches /^port/")
    ]


# -- not-contains -----------------------------------------------------------

NO_DEBUG = r"""
- id: no-breakpoints
  kind: not-contains
  paths: ["*.py"]
  pattern: 'breakpoint\(\)|pdb\.set_trace'
"""


def test_not_contains_passes() -> None:
    assert (
        run(NO_DEBUG, {"app.py": "print('breakpoint')\n", "notes.md": "pdb.set_trace"})
        == []
    )


def test_not_contains_one_finding_per_match_with_its_line() -> None:
    tree = {
        "\ufeffapp.py": "",
        "src/app.py": (
            "\ufeffimport pdb\r\n"  # a BOM and CRLF must not shift lines
            "def f():\r\n"
            "    breakpoint(); pdb.set_trace()\r\n"
            "    return 1\r\n"
            "breakpoint()"
        ),
    }
    assert run(NO_DEBUG, tree) == [
        Finding(
            "no-breakpoints",
            "error",
            "src/app.py",
            3,
            r"breakpoint(); pdb.set_trace() matches /breakpoint\(\)|pdb\.set_trace/",
            "remove it",
        ),
        Finding(
            "no-breakpoints",
            "error",
            "src/app.py",
            3,
            r"breakpoint(); pdb.set_trace() matches /breakpoint\(\)|pdb\.set_trace/",
            "remove it",
        ),
        Finding(
            "no-breakpoints",
            "error",
            "src/app.py",
            5,
            r"breakpoint() matches /breakpoint\(\)|pdb\.set_trace/",
            "remove it",
        ),
    ]


def test_not_contains_with_message_and_long_line() -> None:
    rule = (
        "- {id: n, kind: not-contains, paths: [f], pattern: TODO, message: No TODOs.}"
    )
    line = "x = 1  # TODO " + "y" * 100
    assert brief(run(rule, {"f": "ok\n" + line})) == [
        ("n", "f", 2, "No TODOs: x = 1  # TODO " + "y" * 63 + "...")
    ]


def test_regex_kinds_skip_binary_and_unreadable_files() -> None:
    tree: dict[str, str | bytes | None] = {
        "a.py": b"\xff\xfebreakpoint()",
        "b.py": None,
    }
    assert run(NO_DEBUG, tree) == []
    assert run(HEALTHCHECK, {"Dockerfile": b"\x89PNG\xff"}) == []


# -- yaml -------------------------------------------------------------------

CI_LINT = """
- id: ci-lints
  kind: yaml
  paths: [.github/workflows/ci.yml]
  select: jobs.*.steps[*].name
  includes: Lint
"""

WORKFLOW = """\
name: ci
jobs:
  build:
    steps:
      - uses: actions/checkout@v4
      - name: {step}
  test:
    steps:
      - name: Test
"""


def test_yaml_includes_passes() -> None:
    tree = {".github/workflows/ci.yml": WORKFLOW.format(step="Lint")}
    assert run(CI_LINT, tree) == []


def test_yaml_includes_fails_once_per_document() -> None:
    tree = {".github/workflows/ci.yml": WORKFLOW.format(step="Build")}
    assert run(CI_LINT, tree) == [
        Finding(
            "ci-lints",
            "error",
            ".github/workflows/ci.yml",
            1,
            'jobs.*.steps[*].name does not include "Lint" (found: "Build", "Test")',
            'add "Lint" to jobs.*.steps[*].name',
        )
    ]


def test_yaml_includes_flattens_sequences() -> None:
    rule = "- {id: i, kind: yaml, paths: [c.yml], select: on.push.branches, includes: main}"
    assert run(rule, {"c.yml": "on:\n  push:\n    branches: [dev, main]\n"}) == []
    assert brief(run(rule, {"c.yml": "on: {push: {branches: [dev]}}\n"})) == [
        ("i", "c.yml", 1, 'on.push.branches does not include "main" (found: "dev")')
    ]


NON_ROOT_K8S = """
- id: k8s-non-root
  kind: yaml
  paths: ["k8s/**/*.yaml", "!k8s/chart/templates/**"]
  where: {kind: Deployment}
  select: spec.template.spec.containers[*].securityContext.runAsNonRoot
  equals: true
"""

DEPLOYMENT = """\
kind: Service
metadata: {{name: web}}
---
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: app
          securityContext:
            runAsNonRoot: {app}
        - name: sidecar
          securityContext:
            runAsNonRoot: true
"""


def test_yaml_equals_passes_and_skips_other_documents() -> None:
    tree = {
        "k8s/web.yaml": DEPLOYMENT.format(app="true"),
        "k8s/chart/templates/deploy.yaml": "{{- if .Values.x }}\nkind: Deployment\n",
        "k8s/empty.yaml": "---\n",
    }
    assert run(NON_ROOT_K8S, tree) == []


def test_yaml_equals_fails_on_the_offending_node() -> None:
    tree = {"k8s/web.yaml": DEPLOYMENT.format(app="1")}  # 1 is not true
    assert run(NON_ROOT_K8S, tree) == [
        Finding(
            "k8s-non-root",
            "error",
            "k8s/web.yaml",
            11,
            "spec.template.spec.containers[0].securityContext.runAsNonRoot is 1, "
            "expected true",
            "set it to true",
        )
    ]


def test_yaml_equals_fails_where_the_value_is_missing() -> None:
    text = (
        "kind: Deployment\n"
        "spec:\n"
        "  template:\n"
        "    spec:\n"
        "      containers:\n"
        "        - name: app\n"
        "          securityContext: {runAsNonRoot: true}\n"
        "        - name: sidecar\n"
        "          image: x\n"
    )
    assert brief(run(NON_ROOT_K8S, {"k8s/web.yaml": text})) == [
        (
            "k8s-non-root",
            "k8s/web.yaml",
            8,
            "spec.template.spec.containers[1].securityContext.runAsNonRoot is missing, "
            "expected true",
        )
    ]
    no_template = "kind: Deployment\nspec: {replicas: 1}\n"
    assert brief(run(NON_ROOT_K8S, {"k8s/web.yaml": no_template})) == [
        (
            "k8s-non-root",
            "k8s/web.yaml",
            2,
            "spec.template.spec.containers[*].securityContext.runAsNonRoot is missing, "
            "expected true",
        )
    ]


def test_yaml_parse_error_is_a_finding() -> None:
    tree = {"k8s/bad.yaml": "kind: Deployment\nspec: [1\nx: 2\n"}
    assert run(NON_ROOT_K8S, tree) == [
        Finding(
            "k8s-non-root",
            "error",
            "k8s/bad.yaml",
            3,
            "could not parse YAML: expected ',' or ']', but got ':'",
            "fix the YAML, or exclude the file from the rule's paths "
            "(Helm templates are not YAML)",
        )
    ]
    assert brief(run(NON_ROOT_K8S, {"k8s/bin.yaml": b"\xff\xfe"})) == [
        ("k8s-non-root", "k8s/bin.yaml", None, "could not parse YAML: not valid UTF-8")
    ]
    bad_date = "kind: Deployment\nsince: 2026-02-30\n"
    assert brief(run(NON_ROOT_K8S, {"k8s/date.yaml": bad_date})) == [
        (
            "k8s-non-root",
            "k8s/date.yaml",
            None,
            "could not parse YAML: day is out of range for month",
        )
    ]
    dup = "a: 1\na: 2\n"
    assert brief(run(NON_ROOT_K8S, {"k8s/dup.yaml": dup})) == [
        (
            "k8s-non-root",
            "k8s/dup.yaml",
            2,
            'could not parse YAML: found duplicate key "a" with value "2" '
            '(original value: "1")',
        )
    ]


YAML_RULES = """
- {id: has-timeout, kind: yaml, paths: [c.yml], select: 'jobs.*.timeout-minutes', exists: true}
- {id: no-debug, kind: yaml, paths: [c.yml], select: env.DEBUG, absent: true}
- id: pinned
  kind: yaml
  paths: [c.yml]
  select: jobs.*.steps[*].uses
  matches: '@[0-9a-f]{40}$'
  allow-missing: true   # a `run:` step has no `uses`
- {id: has-env, kind: yaml, paths: [c.yml], select: env.CI, equals: "1"}
"""


def test_yaml_exists_absent_matches_pass() -> None:
    text = (
        "env: {CI: '1'}\n"
        "jobs:\n"
        "  build:\n"
        "    timeout-minutes: 10\n"
        "    steps:\n"
        f"      - uses: actions/checkout@{'a' * 40}\n"
        "      - run: make\n"
    )
    assert run(YAML_RULES, {"c.yml": text}) == []


def test_yaml_exists_absent_matches_fail() -> None:
    text = (
        "env:\n"
        "  DEBUG: 1\n"
        "jobs:\n"
        "  build:\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: {nested: map}\n"
        "  test: {timeout-minutes: 5}\n"
    )
    assert brief(run(YAML_RULES, {"c.yml": text})) == [
        ("has-env", "c.yml", 1, 'env.CI is missing, expected "1"'),
        ("no-debug", "c.yml", 2, "env.DEBUG is present"),
        ("has-timeout", "c.yml", 4, "jobs.build.timeout-minutes is missing"),
        (
            "pinned",
            "c.yml",
            6,
            'jobs.build.steps[0].uses is "actions/checkout@v4", '
            "expected to match /@[0-9a-f]{40}$/",
        ),
        (
            "pinned",
            "c.yml",
            7,
            "jobs.build.steps[1].uses is not a scalar, expected to match /@[0-9a-f]{40}$/",
        ),
    ]


def test_yaml_exists_on_an_empty_selection() -> None:
    assert brief(run(YAML_RULES, {"c.yml": "env: {CI: '1'}\njobs: {}\n"})) == [
        ("has-timeout", "c.yml", 1, "jobs.*.timeout-minutes selects nothing")
    ]


def test_yaml_rule_with_message_keeps_the_concrete_detail() -> None:
    rule = (
        "- {id: m, kind: yaml, paths: [a.yml], select: replicas, equals: 2,"
        " message: Run two replicas.}"
    )
    assert brief(run(rule, {"a.yml": "replicas: 1\n"})) == [
        ("m", "a.yml", 1, "Run two replicas: replicas is 1")
    ]


def test_yaml_files_are_parsed_once_for_many_rules() -> None:
    files = Files({"c.yml": "jobs: [\n", "other.txt": "x"})
    assert len(evaluate(rules(YAML_RULES), files)) == 4  # a parse error per rule
    assert files.reads == ["c.yml"]


# -- max-behind -------------------------------------------------------------

BEHIND = "- {id: fresh, kind: max-behind, releases: 2, severity: warning}\n"


def test_max_behind_needs_online_info() -> None:
    assert run(BEHIND, {}) == []


def test_max_behind() -> None:
    parsed = rules(BEHIND)
    within = OnlineInfo("1.4.0", "1.6.0", 2)
    assert evaluate(parsed, Files({}), online_info=within) == []
    behind = OnlineInfo("1.3.0", "1.6.0", 3)
    assert evaluate(parsed, Files({}), online_info=behind) == [
        Finding(
            "fresh",
            "warning",
            None,
            None,
            "blueprint 1.3.0 is 3 releases behind 1.6.0 (at most 2 allowed)",
            "run `synctool update`",
        )
    ]


# -- the whole pass ---------------------------------------------------------


def test_findings_are_sorted_and_only_matched_files_are_read() -> None:
    policy = REQUIRED + FORBIDDEN + PINNED + NO_DEBUG
    files = Files(
        {
            "Dockerfile": "FROM a\n",
            "b.py": "breakpoint()\n",
            ".env": "",
            "README.md": "",
            "docs/x.md": "",
            "src/big.txt": "not read",
        }
    )
    assert brief(evaluate(rules(policy), files)) == [
        ("no-secrets", ".env", None, "Secrets must not be committed."),
        (
            "dockerfile-pinned-base",
            "Dockerfile",
            1,
            "Base images must be pinned by @sha256 digest: FROM a",
        ),
        (
            "no-breakpoints",
            "b.py",
            1,
            r"breakpoint() matches /breakpoint\(\)|pdb\.set_trace/",
        ),
    ]
    assert sorted(files.reads) == ["Dockerfile", "b.py"]


def test_ten_thousand_paths_fifteen_rules_under_50ms() -> None:
    policy = (
        REQUIRED
        + FORBIDDEN
        + HEALTHCHECK
        + PINNED
        + NON_ROOT
        + NO_DEBUG.replace('"*.py"', '"src/**/settings.py"')
        + CI_LINT
        + NON_ROOT_K8S
        + BEHIND
        + "".join(
            f"- {{id: extra-{i}, kind: forbidden, paths: ['*.{i}', 'tmp{i}/**']}}\n"
            for i in range(6)
        )
    )
    parsed = rules(policy)
    assert len(parsed) == 15
    dirs = ["src/app", "src/app/api", "tests", "docs/guide", "k8s", "scripts/a/b/c"]
    exts = ["py", "md", "yml", "txt", "json", "toml"]
    paths = [f"{dirs[i % 6]}/file{i}.{exts[i % 5]}" for i in range(10_000)]

    class NoReads:
        def paths(self) -> list[str]:
            return paths

        def read(self, path: str) -> bytes | None:
            return None  # file reads are not what this measures

    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        evaluate(parsed, NoReads())
        best = min(best, time.perf_counter() - start)
    assert best < 0.050
