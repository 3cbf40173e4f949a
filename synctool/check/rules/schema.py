"""Rule definitions: parse and validate YAML into frozen records.

Input is what ruamel.yaml (typ="rt") loaded, so every error can name the file
and the line of the offending key; plain dicts and lists work too (no lines).
Everything a rule needs at evaluation time is validated here (regexes compile,
path patterns compile, path expressions parse), so `evaluate` cannot fail on a
rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple, get_args

from synctool.check.rules.paths import compile_paths
from synctool.check.rules.patterns import PatternError, compile_pattern
from synctool.check.rules.yamlpath import PathError, YamlPath, parse_path
from synctool.check.rules.yamlvalues import key_line, node_line, to_plain

Kind = Literal[
    "required", "forbidden", "contains", "not-contains", "yaml", "max-behind"
]
Severity = Literal["error", "warning"]
TextMode = Literal["any", "all", "last"]
Assertion = Literal["exists", "absent", "equals", "matches", "includes"]

KINDS: tuple[Kind, ...] = get_args(Kind)
ASSERTIONS: tuple[Assertion, ...] = get_args(Assertion)
# Ids of findings the engine itself produces; a rule may not take them.
RESERVED_IDS = frozenset({"waiver-expired", "waiver-stale", "disable-unknown"})

RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_COMMON = frozenset({"id", "kind", "severity", "message", "hint"})
_KEYS: dict[Kind, frozenset[str]] = {
    "required": _COMMON | {"paths"},
    "forbidden": _COMMON | {"paths"},
    "contains": _COMMON | {"paths", "pattern", "where", "all", "last", "required"},
    "not-contains": _COMMON | {"paths", "pattern", "required"},
    "yaml": _COMMON
    | {"paths", "select", "where", "required", "allow-missing", *ASSERTIONS},
    "max-behind": _COMMON | {"releases"},
}


class RuleError(Exception):
    """A rule or waiver that cannot be used; the CLI maps it to exit 2."""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class TextCheck(NamedTuple):
    """`contains` / `not-contains`: a regex over a file's text (MULTILINE)."""

    pattern: str
    where: str | None = None  # contains: a regex choosing the lines to check
    mode: TextMode = "any"  # with `where`: any / all / the last chosen line
    required: bool = False  # no file matching `paths` is itself a finding


class YamlCheck(NamedTuple):
    """`yaml`: an assertion on the nodes `select` picks in each document."""

    select: YamlPath
    assertion: Assertion
    value: object = None  # equals / includes: plain data; matches: a regex
    where: tuple[tuple[YamlPath, object], ...] = ()  # documents to check
    required: bool = False
    allow_missing: bool = False  # equals/matches: a miss of `select` is no finding


class BehindCheck(NamedTuple):
    """`max-behind`: at most `releases` blueprint releases behind (online only)."""

    releases: int


class Rule(NamedTuple):
    id: str
    kind: Kind
    severity: Severity
    paths: tuple[str, ...]  # gitignore-style patterns; () for max-behind
    check: TextCheck | YamlCheck | BehindCheck | None  # None: required/forbidden
    message: str | None = None  # None: generated from the check
    hint: str | None = None
    source: str = ""  # file the rule came from, for messages
    line: int | None = None


def parse_rules(raw: object, *, source: str) -> tuple[Rule, ...]:
    """Validate a `rules:` list (None means no rules)."""
    items = _sequence(raw, "rules", source, node_line(raw))
    rules: list[Rule] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(items):
        rule = _rule(item, source, key_line(raw, index))
        if rule.id in seen:
            first = seen[rule.id]
            also = f" (first defined on line {first})" if first else ""
            raise RuleError(
                f"duplicate rule id {rule.id!r}{also}", file=source, line=rule.line
            )
        seen[rule.id] = rule.line
        rules.append(rule)
    return tuple(rules)


class _Fields:
    """One rule mapping being read: each error names the key's line."""

    def __init__(
        self, raw: Mapping[object, object], source: str, line: int | None
    ) -> None:
        self.raw, self.source, self.line = raw, source, line
        self.rule_id = ""  # known once `id` is read; prefixes later errors

    def error(self, message: str, key: str | None = None) -> RuleError:
        line = key_line(self.raw, key) if key is not None else None
        prefix = f"rule {self.rule_id!r}: " if self.rule_id else ""
        return RuleError(prefix + message, file=self.source, line=line or self.line)

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise self.error(f"{key!r} is required", key)
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{key!r} must be a non-empty string", key)
        return str(value)

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            raise self.error(f"{key!r} must be true or false", key)
        return value

    def regex(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None:
            try:
                compile_pattern(value)
            except PatternError as exc:
                raise self.error(f"{key!r} is not a valid regex: {exc}", key) from None
        return value

    def path_expr(self, key: str, text: str) -> YamlPath:
        try:
            return parse_path(text)
        except PathError as exc:
            raise self.error(f"{key!r}: {exc}", key) from None

    def patterns(self, key: str) -> tuple[str, ...]:
        items = self.raw.get(key)
        if items is None:
            raise self.error(f"{key!r} is required (a list of path patterns)", key)
        if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
            raise self.error(f"{key!r} must be a list", key)
        if not items or not all(isinstance(p, str) and p.strip() for p in items):
            raise self.error(f"{key!r} must be a non-empty list of path patterns", key)
        patterns = tuple(str(p) for p in items)
        try:
            compile_paths(patterns)
        except ValueError as exc:
            raise self.error(f"{key!r}: {exc}", key) from None
        return patterns


def _sequence(
    raw: object, what: str, source: str, line: int | None
) -> Sequence[object]:
    if raw is None:
        return ()
    if isinstance(raw, Sequence) and not isinstance(raw, (str, bytes)):
        return raw
    raise RuleError(f"{what!r} must be a list", file=source, line=line)


def _rule(raw: object, source: str, line: int | None) -> Rule:
    if not isinstance(raw, Mapping):
        raise RuleError(
            "a rule must be a mapping (id: ..., kind: ...)", file=source, line=line
        )
    fields = _Fields(raw, source, node_line(raw) or line)
    rule_id = fields.text("id", required=True) or ""
    if not RULE_ID.fullmatch(rule_id):
        raise fields.error(f"rule id {rule_id!r} must match [a-z0-9][a-z0-9-]*", "id")
    if rule_id in RESERVED_IDS:
        raise fields.error(
            f"rule id {rule_id!r} is reserved for synctool's own findings", "id"
        )
    fields.rule_id = rule_id
    kind = raw.get("kind")
    if kind not in KINDS:
        raise fields.error(f"kind {kind!r} is not one of {', '.join(KINDS)}", "kind")
    for key in raw:
        if key not in _KEYS[kind]:
            raise fields.error(f"unknown key {key!r} for kind {kind}", str(key))
    severity = raw.get("severity", "error")
    if severity not in ("error", "warning"):
        raise fields.error("severity must be error or warning", "severity")
    paths = fields.patterns("paths") if kind != "max-behind" else ()
    if kind == "required" and any(p.startswith("!") for p in paths):
        raise fields.error("required paths cannot be negated", "paths")
    return Rule(
        id=rule_id,
        kind=kind,
        severity=severity,
        paths=paths,
        check=_check(kind, fields),
        message=fields.text("message"),
        hint=fields.text("hint"),
        source=source,
        line=fields.line,
    )


def _check(kind: Kind, fields: _Fields) -> TextCheck | YamlCheck | BehindCheck | None:
    if kind in ("contains", "not-contains"):
        pattern = fields.regex("pattern", required=True) or ""
        where = fields.regex("where")
        every, last = fields.flag("all"), fields.flag("last")
        if (every or last) and where is None:
            raise fields.error(
                "'all' and 'last' need 'where' (the lines to check)",
                "all" if every else "last",
            )
        if every and last:
            raise fields.error("use either 'all' or 'last', not both", "last")
        mode: TextMode = "all" if every else "last" if last else "any"
        return TextCheck(pattern, where, mode, fields.flag("required"))
    if kind == "yaml":
        return _yaml_check(fields)
    if kind == "max-behind":
        releases = fields.raw.get("releases")
        if isinstance(releases, bool) or not isinstance(releases, int) or releases < 0:
            raise fields.error("'releases' must be a whole number >= 0", "releases")
        return BehindCheck(int(releases))
    return None


def _yaml_check(fields: _Fields) -> YamlCheck:
    select = fields.path_expr("select", fields.text("select", required=True) or "")
    given = [a for a in ASSERTIONS if a in fields.raw]
    if len(given) != 1:
        names = ", ".join(ASSERTIONS)
        raise fields.error(
            f"a yaml rule needs exactly one of {names}", given[1] if given else None
        )
    assertion = given[0]
    value: object = to_plain(fields.raw[assertion])
    if assertion in ("exists", "absent") and value is not True:
        raise fields.error(f"{assertion!r} must be true", assertion)
    if assertion == "matches":
        value = fields.regex("matches")
    raw_where = fields.raw.get("where")
    if raw_where is not None and not isinstance(raw_where, Mapping):
        raise fields.error(
            "'where' must be a mapping of path expression to value", "where"
        )
    where = tuple(
        (fields.path_expr("where", str(key)), to_plain(val))
        for key, val in (raw_where or {}).items()
    )
    allow_missing = fields.flag("allow-missing")
    if allow_missing and assertion not in ("equals", "matches"):
        raise fields.error(
            "'allow-missing' applies to equals and matches only", "allow-missing"
        )
    return YamlCheck(
        select, assertion, value, where, fields.flag("required"), allow_missing
    )
