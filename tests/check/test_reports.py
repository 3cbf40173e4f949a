"""synctool.check.reports: check results as JSON, GitHub annotations and SARIF."""

from __future__ import annotations

import os

from synctool import __version__
from synctool.check.reports import CheckResult, as_github, as_json, as_sarif
from synctool.check.rules import Finding

EDITED = Finding(
    "drift", "error", "ci/build.yml", 4, "edited by hand", "waive it or revert"
)
PINNED = Finding("python-pin", "warning", "pyproject.toml", None, "not pinned")
REPO = Finding("max-behind", "error", None, None, "3 releases behind", "update")


def _result(reported: list[Finding], waived: list[Finding] = ()) -> CheckResult:
    return CheckResult("svc", "gh:acme/bp", "1.2.0", reported, list(waived))


def test_the_summary_counts_with_plurals() -> None:
    assert _result([EDITED, REPO, PINNED], [PINNED]).summary() == (
        "2 errors, 1 warning, 1 waived"
    )
    assert _result([]).summary() == "0 errors, 0 warnings, 0 waived"


def test_the_json_document() -> None:
    assert as_json(_result([EDITED], [PINNED])) == {
        "schema_version": 1,
        "synctool_version": __version__,
        "service": "svc",
        "blueprint": {"source": "gh:acme/bp", "version": "1.2.0"},
        "summary": {"errors": 1, "warnings": 0, "waived": 1},
        "findings": [
            {
                "rule": "drift",
                "severity": "error",
                "path": "ci/build.yml",
                "line": 4,
                "message": "edited by hand",
                "hint": "waive it or revert",
            }
        ],
        "waived": [
            {
                "rule": "python-pin",
                "severity": "warning",
                "path": "pyproject.toml",
                "line": None,
                "message": "not pinned",
                "hint": None,
            }
        ],
    }


def test_github_annotations_escape_what_would_end_a_command() -> None:
    odd = Finding("r,1", "error", "a:b,c.txt", 2, "50% done\nnext line", "fix\r")
    assert as_github([EDITED, PINNED, REPO, odd]) == [
        "::error file=ci/build.yml,line=4,title=drift::edited by hand "
        "(waive it or revert)",
        "::warning file=pyproject.toml,title=python-pin::not pinned",
        "::error title=max-behind::3 releases behind (update)",
        "::error file=a%3Ab%2Cc.txt,line=2,title=r%2C1::50%25 done%0Anext line "
        "(fix%0D)",
    ]


def test_sarif_results_point_at_their_rules_and_files() -> None:
    sarif = as_sarif(_result([PINNED, EDITED, REPO]))
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert run["tool"]["driver"]["version"] == __version__
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["drift", "max-behind", "python-pin"]
    assert rules[0]["help"] == {"text": "waive it or revert"}
    assert rules[2]["help"] == {"text": "python-pin"}  # no hint: the id
    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("python-pin", 2, "warning"),
        ("drift", 0, "error"),
        ("max-behind", 1, "error"),
    ]
    assert results[1]["message"] == {"text": "edited by hand (waive it or revert)"}
    assert results[1]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "ci/build.yml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 4},
            }
        }
    ]
    # a finding about the repository points at its .synctool.yml, with no line
    assert results[2]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": ".synctool.yml", "uriBaseId": "%SRCROOT%"}
    }


def test_a_sarif_uri_keeps_a_name_that_is_not_utf8() -> None:
    name = os.fsdecode(b"caf\xe9 menu.txt")
    sarif = as_sarif(_result([Finding("drift", "error", name, None, "edited")]))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "caf%E9%20menu.txt"
