"""The service's overrides in `.synctool.yml`: local rules, `disable`, waivers.

A waiver is a dated, reasoned exception. It must not outlive its reason, so
an expired waiver is an error of its own, and one that covers nothing any
more is a warning: both keep `.synctool.yml` honest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple

from synctool.check.rules.findings import Finding
from synctool.check.rules.paths import PathMatcher, compile_paths
from synctool.check.rules.schema import RESERVED_IDS, RULE_ID, Rule, RuleError, Severity
from synctool.check.rules.yamlvalues import key_line, node_line
from synctool.service.names import DECLARED

_WAIVER_KEYS = frozenset({"rule", "paths", "reason", "expires"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class MergedRules(NamedTuple):
    rules: tuple[Rule, ...]
    stale: tuple[Finding, ...]  # warnings: `disable` entries naming no rule


def merge_rules(
    blueprint: Sequence[Rule],
    local: Sequence[Rule],
    disabled: Collection[str],
    *,
    source: str = DECLARED,
) -> MergedRules:
    """Blueprint rules, each replaced in place by a local rule of the same id,
    then the other local rules; ids in `disabled` removed.

    A `disable` entry naming no rule is a warning, not an error: the blueprint
    may have dropped the rule in a release, and that must not fail every
    pre-commit run of every service that had turned it off.
    """
    by_id = {rule.id: rule for rule in local}
    merged = [by_id.pop(rule.id, rule) for rule in blueprint]
    merged.extend(rule for rule in local if rule.id in by_id)
    known = {rule.id for rule in merged}
    stale = tuple(
        Finding(
            "disable-unknown",
            "warning",
            source,
            key_line(disabled, index) if isinstance(disabled, Sequence) else None,
            f"disable: no rule {rule_id!r} (the blueprint may have removed it)",
            f"remove {rule_id!r} from disable",
        )
        for index, rule_id in enumerate(disabled)
        if rule_id not in known
    )
    rules = tuple(rule for rule in merged if rule.id not in disabled)
    return MergedRules(rules, stale)


class Waiver(NamedTuple):
    rule: str
    paths: tuple[str, ...]  # gitignore-style; () waives every path
    reason: str
    expires: dt.date | None  # last day the waiver holds
    source: str = DECLARED
    line: int | None = None

    def finding(self, rule: str, severity: Severity, what: str, hint: str) -> Finding:
        """A finding about the waiver itself, where the policy declares it."""
        message = f"waiver for {self.rule!r} {what}"
        return Finding(rule, severity, self.source, self.line, message, hint)


def parse_waivers(raw: object, *, source: str) -> tuple[Waiver, ...]:
    """Validate a `waivers:` list (None means no waivers)."""
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        raise RuleError("'waivers' must be a list", file=source, line=node_line(raw))
    return tuple(
        _waiver(item, source, key_line(raw, index)) for index, item in enumerate(raw)
    )


def _waiver(raw: object, source: str, line: int | None) -> Waiver:
    if not isinstance(raw, Mapping):
        raise RuleError(
            "a waiver must be a mapping (rule, reason, ...)", file=source, line=line
        )
    line = node_line(raw) or line

    def error(message: str, key: str) -> RuleError:
        return RuleError(message, file=source, line=key_line(raw, key) or line)

    for key in raw:
        if key not in _WAIVER_KEYS:
            raise error(f"waiver: unknown key {key!r}", str(key))
    rule = raw.get("rule")
    if not isinstance(rule, str) or not RULE_ID.fullmatch(rule):
        raise error("waiver: 'rule' must be a rule id", "rule")
    if rule in RESERVED_IDS:
        raise error(f"waiver: {rule!r} cannot be waived", "rule")
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise error(f"waiver for {rule!r}: 'reason' is required", "reason")
    paths: tuple[str, ...] = ()
    if "paths" in raw:
        items = raw["paths"]
        if (
            not isinstance(items, Sequence)
            or isinstance(items, str)
            or not items
            or not all(isinstance(p, str) and p.strip() for p in items)
        ):
            raise error(
                f"waiver for {rule!r}: 'paths' must be a non-empty list", "paths"
            )
        paths = tuple(str(p) for p in items)
        try:
            compile_paths(paths)
        except ValueError as exc:
            raise error(f"waiver for {rule!r}: 'paths': {exc}", "paths") from None
    try:
        expires = _date(raw.get("expires"))
    except ValueError:
        raise error(
            f"waiver for {rule!r}: 'expires' must be a date, YYYY-MM-DD", "expires"
        ) from None
    return Waiver(rule, paths, str(reason), expires, source, line)


def _date(value: object) -> dt.date | None:
    """The date YAML gave: a date, or a string in ISO form (quoted in YAML)."""
    if value is None:
        return None
    # A timestamp (`2027-03-31T12:00`) is rejected: a waiver lasts whole days.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)  # ValueError for 2027-02-30
    raise ValueError(value)


class WaiverResult(NamedTuple):
    active: list[Finding]  # findings no valid waiver covers
    waived: list[Finding]  # findings a valid waiver covers
    expired: list[Finding]  # one "waiver-expired" error per expired waiver
    stale: list[Finding]  # one "waiver-stale" warning per waiver covering nothing

    @property
    def reported(self) -> list[Finding]:
        """Everything to show (and to count for the exit code)."""
        return [*self.active, *self.expired, *self.stale]


def apply_waivers(
    findings: Sequence[Finding],
    waivers: Sequence[Waiver],
    *,
    today: dt.date,
    unevaluated: Collection[str] = (),
) -> WaiverResult:
    """Split findings into active and waived. An expired waiver waives nothing
    (its findings stay active) and is reported itself; so is a waiver that
    covers no finding, which usually means the problem was fixed.

    `unevaluated`: ids of rules this run did not evaluate (`max-behind`
    offline); their waivers cannot be judged stale."""
    valid = [w for w in waivers if w.expires is None or today <= w.expires]
    matchers = {w: _matcher(w.paths) for w in waivers}
    used: set[Waiver] = set()
    active: list[Finding] = []
    waived: list[Finding] = []
    for finding in findings:
        covering = [w for w in valid if _covers(w, matchers[w], finding)]
        used.update(covering)
        (waived if covering else active).append(finding)
    expired = [_expired(w) for w in waivers if w not in valid]
    stale = [_stale(w) for w in valid if w not in used and w.rule not in unevaluated]
    return WaiverResult(active, waived, expired, stale)


def _matcher(paths: tuple[str, ...]) -> PathMatcher | None:
    return compile_paths(paths) if paths else None


def _covers(waiver: Waiver, matcher: PathMatcher | None, finding: Finding) -> bool:
    if waiver.rule != finding.rule:
        return False
    if matcher is None:
        return True
    return finding.path is not None and matcher(finding.path)


def _expired(waiver: Waiver) -> Finding:
    return waiver.finding(
        "waiver-expired",
        "error",
        f"expired on {waiver.expires} ({waiver.reason})",
        "fix the findings and remove the waiver, or agree on a new expiry date",
    )


def _stale(waiver: Waiver) -> Finding:
    return waiver.finding(
        "waiver-stale",
        "warning",
        "matches no finding",
        "remove the waiver: the rule passes without it",
    )
