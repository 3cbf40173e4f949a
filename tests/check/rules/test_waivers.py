from __future__ import annotations

import datetime as dt

import pytest

from synctool.check.rules import (
    Finding,
    MergedRules,
    RuleError,
    Waiver,
    WaiverResult,
    apply_waivers,
    merge_rules,
    parse_waivers,
)

from . import load, rules

TODAY = dt.date(2026, 6, 1)

WAIVERS = """\
- rule: dockerfile-non-root-user
  paths: [Dockerfile]
  reason: Needs root for the legacy agent until Q3
  expires: 2026-09-30
- rule: no-secrets
  reason: test certificate
  expires: '2026-05-31'
- rule: has-readme
  reason: docs live in the wiki
"""


def waivers(text: str = WAIVERS) -> tuple[Waiver, ...]:
    return parse_waivers(load(text), source=".synctool.yml")


def test_parse_waivers() -> None:
    assert waivers() == (
        Waiver(
            "dockerfile-non-root-user",
            ("Dockerfile",),
            "Needs root for the legacy agent until Q3",
            dt.date(2026, 9, 30),
            ".synctool.yml",
            1,
        ),
        Waiver(
            "no-secrets",
            (),
            "test certificate",
            dt.date(2026, 5, 31),
            ".synctool.yml",
            5,
        ),
        Waiver("has-readme", (), "docs live in the wiki", None, ".synctool.yml", 8),
    )
    assert parse_waivers(None, source=".synctool.yml") == ()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("waivers: x", 1, "'waivers' must be a list"),
        ("- x", 1, "a waiver must be a mapping (rule, reason, ...)"),
        ("- rule: r", 1, "waiver for 'r': 'reason' is required"),
        ("- rule: r\n  reason: '  '", 2, "waiver for 'r': 'reason' is required"),
        ("- reason: x", 1, "waiver: 'rule' must be a rule id"),
        ("- rule: Not An Id\n  reason: x", 1, "waiver: 'rule' must be a rule id"),
        (
            "- rule: waiver-expired\n  reason: x",
            1,
            "waiver: 'waiver-expired' cannot be waived",
        ),
        ("- rule: r\n  reason: x\n  why: y", 3, "waiver: unknown key 'why'"),
        (
            "- rule: r\n  reason: x\n  paths: []",
            3,
            "waiver for 'r': 'paths' must be a non-empty list",
        ),
        (
            "- rule: r\n  reason: x\n  paths: Dockerfile",
            3,
            "waiver for 'r': 'paths' must be a non-empty list",
        ),
        (
            "- rule: r\n  reason: x\n  paths: ['!']",
            3,
            "waiver for 'r': 'paths': Invalid git pattern: '!'",
        ),
        *(
            (
                f"- rule: r\n  reason: x\n  expires: {value}",
                3,
                "waiver for 'r': 'expires' must be a date, YYYY-MM-DD",
            )
            for value in [
                "'2026-02-30'",
                "31/03/2026",
                "'20260331'",
                "2026-03-31T10:00:00",
                "tomorrow",
                "2026",
            ]
        ),
    ],
)
def test_invalid_waivers(text: str, line: int, message: str) -> None:
    with pytest.raises(RuleError) as info:
        waivers(text)
    assert (info.value.file, info.value.line, info.value.message) == (
        ".synctool.yml",
        line,
        message,
    )


def finding(rule: str, path: str | None, line: int | None = None) -> Finding:
    return Finding(rule, "error", path, line, "m")


def test_apply_waivers() -> None:
    findings = [
        finding("dockerfile-non-root-user", "Dockerfile", 9),
        finding("dockerfile-non-root-user", "worker/Dockerfile", 3),
        finding("no-secrets", "tls.pem"),
        finding("other", "x"),
    ]
    result = apply_waivers(findings, waivers(), today=TODAY)
    assert result == WaiverResult(
        active=[findings[2], findings[3]],  # no-secrets' waiver has expired
        waived=[findings[0], findings[1]],  # gitignore-style: Dockerfile at any depth
        expired=[
            Finding(
                "waiver-expired",
                "error",
                ".synctool.yml",
                5,
                "waiver for 'no-secrets' expired on 2026-05-31 (test certificate)",
                "fix the findings and remove the waiver, or agree on a new expiry date",
            )
        ],
        stale=[
            Finding(
                "waiver-stale",
                "warning",
                ".synctool.yml",
                8,
                "waiver for 'has-readme' matches no finding",
                "remove the waiver: the rule passes without it",
            )
        ],
    )
    assert result.reported == [*result.active, *result.expired, *result.stale]


def test_waiver_holds_through_its_expiry_day() -> None:
    found = [finding("no-secrets", "tls.pem")]
    (_, secrets, _) = waivers()
    assert apply_waivers(found, [secrets], today=dt.date(2026, 5, 31)) == (
        [],
        found,
        [],
        [],
    )
    expired = apply_waivers(found, [secrets], today=dt.date(2026, 6, 1))
    assert (expired.active, expired.waived, len(expired.expired)) == (found, [], 1)


def test_waivers_of_unevaluated_rules_are_not_stale() -> None:
    offline = waivers("- {rule: fresh, reason: pinned to 1.x until the migration}")
    assert apply_waivers([], offline, today=TODAY).stale != []
    assert apply_waivers([], offline, today=TODAY, unevaluated={"fresh"}).stale == []


def test_waiver_paths_and_repository_findings() -> None:
    pathed = waivers("- {rule: has-readme, reason: r, paths: [README.md]}")
    everywhere = waivers("- {rule: has-readme, reason: r}")
    repo_level = [finding("has-readme", None)]
    assert apply_waivers(repo_level, pathed, today=TODAY).active == repo_level
    assert apply_waivers(repo_level, everywhere, today=TODAY).waived == repo_level


def test_waiver_paths_with_negation() -> None:
    only = waivers("- {rule: r, reason: x, paths: ['*.pem', '!prod/**']}")
    found = [finding("r", "dev/a.pem"), finding("r", "prod/a.pem")]
    result = apply_waivers(found, only, today=TODAY)
    assert (result.waived, result.active) == ([found[0]], [found[1]])


def test_one_finding_many_waivers() -> None:
    both = waivers(
        "- {rule: r, reason: x}\n"
        "- {rule: r, reason: y, paths: [a]}\n"
        "- {rule: r, reason: z, paths: [b], expires: 2020-01-01}\n"
    )
    result = apply_waivers([finding("r", "a")], both, today=TODAY)
    assert (len(result.waived), result.stale, [f.line for f in result.expired]) == (
        1,
        [],
        [3],
    )


def test_merge_rules() -> None:
    blueprint = rules(
        "- {id: a, kind: forbidden, paths: [.env]}\n"
        "- {id: b, kind: forbidden, paths: [b]}\n"
        "- {id: c, kind: forbidden, paths: [c]}\n"
    )
    local = rules(
        "- {id: b, kind: forbidden, paths: [local-b], severity: warning}\n"
        "- {id: d, kind: required, paths: [d]}\n"
    )
    disabled = load("- c\n- gone\n")
    assert isinstance(disabled, list)
    merged = merge_rules(blueprint, local, disabled)
    assert merged == MergedRules(
        (blueprint[0], local[0], local[1]),
        (
            Finding(
                "disable-unknown",
                "warning",
                ".synctool.yml",
                2,
                "disable: no rule 'gone' (the blueprint may have removed it)",
                "remove 'gone' from disable",
            ),
        ),
    )
    assert merge_rules(blueprint, (), {"a", "b"}).rules == (blueprint[2],)
    assert merge_rules(blueprint, local, ["d"]).rules == (
        blueprint[0],
        local[0],
        blueprint[2],
    )
