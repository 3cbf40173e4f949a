"""The blueprint's policy: ownership classes, merge drivers, drift rules.

Read from the blueprint's `synctool.yml` (rendered with the answers) at init
and sync time and recorded in the lock, so `check` reads it from the service.
A blueprint without one gets the default: every file merged, drivers by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast, get_args

import pathspec

from synctool.errors import BlueprintError, InputError
from synctool.service.yamlio import load_safe
from synctool.tree import (
    DEFAULT_IDENTITY_KEYS,
    DerivedRule,
    Driver,
    Ownership,
    default_rule,
)

if TYPE_CHECKING:
    from synctool.blueprint.render.result import Rendered

_DRIVERS: tuple[Driver, ...] = get_args(Driver)
_KNOWN_KEYS = {
    "ownership",
    "drivers",
    "identity_keys",
    "rules",
    "version",
    "derived",
}


class Policy(NamedTuple):
    raw: dict[str, Any]  # what is recorded in the lock
    managed: pathspec.PathSpec[Any]
    seeded: pathspec.PathSpec[Any]
    drivers: tuple[tuple[Driver, pathspec.PathSpec[Any]], ...]
    identity_keys: tuple[str, ...]
    merged: pathspec.PathSpec[Any] = pathspec.PathSpec([])  # named explicitly
    # copier's _skip_if_exists: written when missing, never overwritten; the
    # policy's own managed/merged patterns win over it.
    skip_if_exists: pathspec.PathSpec[Any] = pathspec.PathSpec([])
    # files computed from others (`derived:`), before the built-in lock files
    derived: tuple[tuple[pathspec.PathSpec[Any], DerivedRule], ...] = ()

    def ownership(self, path: str) -> Ownership:
        if self.managed.match_file(path):
            return "managed"
        if self.seeded.match_file(path):
            return "seeded"
        if self.merged.match_file(path):
            return "merged"
        if self.skip_if_exists.match_file(path):
            return "seeded"
        return "merged"

    def for_merge(
        self, waivers: object, *, today: dt.date | None = None
    ) -> Callable[[str], Ownership]:
        """The class the merge gives each path: a managed file whose drift the
        service waived (an unexpired `managed-drift` waiver in `.synctool.yml`)
        is the team's to edit, so it is merged three-way like a merged file.
        The lock still records it as managed: the waiver may expire.

        ``waivers``: the raw `waivers:` list of `.synctool.yml` (None: none).
        """
        waived = _waived(waivers, MANAGED_DRIFT, today or dt.date.today())
        if waived is None:
            return self.ownership

        def ownership(path: str) -> Ownership:
            own = self.ownership(path)
            return "merged" if own == "managed" and waived(path) else own

        return ownership

    def with_skip_if_exists(self, patterns: Sequence[str]) -> Policy:
        """The policy with the template's copier ``_skip_if_exists`` patterns."""
        return self._replace(skip_if_exists=_spec(patterns)) if patterns else self

    def derived_rule(self, path: str) -> DerivedRule | None:
        """How ``path`` is computed from other files (a lock), or None."""
        for spec, rule in self.derived:
            if spec.match_file(path):
                return rule
        return default_rule(path)

    def driver(self, path: str, data: bytes) -> Driver | None:
        """The driver the policy names for ``path``; None: use the default."""
        for name, spec in self.drivers:
            if spec.match_file(path):
                return name
        return None


MANAGED_DRIFT = (
    "managed-drift"  # the drift rule of a managed file (synctool.check.drift)
)


def _waived(raw: object, rule: str, today: dt.date) -> Callable[[str], bool] | None:
    """Whether an unexpired waiver of ``rule`` covers a path; None: none does."""
    from synctool.check.rules.paths import compile_paths
    from synctool.check.rules.schema import RuleError
    from synctool.check.rules.waivers import parse_waivers
    from synctool.service.names import DECLARED

    try:
        waivers = parse_waivers(raw, source=DECLARED)
    except RuleError as exc:
        raise InputError(str(exc) + ".", "Fix the waiver and run again.") from None
    valid = [
        w
        for w in waivers
        if w.rule == rule and (w.expires is None or today <= w.expires)
    ]
    if not valid:
        return None
    if any(not w.paths for w in valid):
        return lambda path: True  # a waiver without paths covers every file
    matchers = [compile_paths(w.paths) for w in valid]
    return lambda path: any(match(path) for match in matchers)


def _spec(patterns: Sequence[str]) -> pathspec.PathSpec[Any]:
    return pathspec.PathSpec.from_lines("gitignore", patterns)


def of_render(rendered: Rendered, blueprint: str) -> Policy:
    """The policy a render applies: its `synctool.yml` (named in an error as
    in ``blueprint``) with copier's `_skip_if_exists` patterns."""
    raw = parse_policy_text(rendered.policy_text, source=f"{blueprint}/synctool.yml")
    return from_raw(raw).with_skip_if_exists(rendered.skip_if_exists)


def parse_policy_text(text: str | None, *, source: str) -> dict[str, Any]:
    """Parse a rendered `synctool.yml` into plain data (validated by from_raw)."""
    if text is None or not text.strip():
        return {}
    data = load_safe(
        text,
        source,
        what="malformed YAML in the blueprint policy",
        hint="Fix the blueprint's synctool.yml.",
        kind=BlueprintError,
    )
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BlueprintError(f"{source}: the blueprint policy must be a mapping.")
    from_raw(
        data, source=source
    )  # validate now: a bad policy is an error before writing
    return data


def from_raw(raw: Mapping[str, Any], *, source: str = "policy") -> Policy:
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise BlueprintError(
            f"{source}: unknown key(s) {', '.join(sorted(unknown))} in the blueprint policy.",
            f"Known keys: {', '.join(sorted(_KNOWN_KEYS))}.",
        )
    ownership = raw.get("ownership") or {}
    if not isinstance(ownership, Mapping) or set(ownership) - {
        "managed",
        "seeded",
        "merged",
    }:
        raise BlueprintError(
            f"{source}: `ownership` maps managed/seeded/merged to lists of patterns."
        )
    drivers_raw = raw.get("drivers") or {}
    if not isinstance(drivers_raw, Mapping):
        raise BlueprintError(
            f"{source}: `drivers` maps a driver name to a list of patterns."
        )
    drivers: list[tuple[Driver, pathspec.PathSpec[Any]]] = []
    for name, patterns in drivers_raw.items():
        if name not in _DRIVERS:
            raise BlueprintError(
                f"{source}: unknown merge driver {name!r}.",
                f"Use one of: {', '.join(_DRIVERS)}.",
            )
        drivers.append(
            (cast(Driver, name), _spec(_patterns(patterns, source, f"drivers.{name}")))
        )
    keys = raw.get("identity_keys") or list(DEFAULT_IDENTITY_KEYS)
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise BlueprintError(f"{source}: `identity_keys` must be a list of key names.")
    _check_rules(raw.get("rules"), source)
    return Policy(
        derived=_derived(raw.get("derived"), source),
        raw=dict(raw),
        managed=_spec(_patterns(ownership.get("managed"), source, "ownership.managed")),
        seeded=_spec(_patterns(ownership.get("seeded"), source, "ownership.seeded")),
        drivers=tuple(drivers),
        identity_keys=tuple(keys),
        merged=_spec(_patterns(ownership.get("merged"), source, "ownership.merged")),
    )


def _derived(
    raw: Any, source: str
) -> tuple[tuple[pathspec.PathSpec[Any], DerivedRule], ...]:
    """`derived:` maps a pattern to `{from: [file names beside it], command: ...}`."""
    if raw is None:
        return ()
    shape = f"{source}: `derived` maps a file pattern to {{from: [file names], command: text}}"
    if not isinstance(raw, Mapping):
        raise BlueprintError(shape + ".")
    out = []
    for pattern, spec in raw.items():
        if not isinstance(spec, Mapping) or set(spec) != {"from", "command"}:
            raise BlueprintError(shape + f" (see {pattern!r}).")
        names = _patterns(spec["from"], source, f"derived.{pattern}.from")
        command = spec["command"]
        if not names or not isinstance(command, str) or not command.strip():
            raise BlueprintError(shape + f" (see {pattern!r}).")
        rule = DerivedRule(tuple(names), command.strip())
        out.append((_spec([str(pattern)]), rule))
    return tuple(out)


def _check_rules(raw: Any, source: str) -> None:
    """The drift rules, as `check` will read them from the lock: a rule it
    could never use is the blueprint's error, refused before anything is
    written, not every later commit's."""
    from synctool.check.rules.schema import RuleError, parse_rules

    try:
        parse_rules(raw, source=source)
    except RuleError as exc:
        raise BlueprintError(
            f"the blueprint policy's rules: {exc}.",
            "Fix the blueprint's synctool.yml and release a new version; nothing was written.",
        ) from None


def _patterns(value: Any, source: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BlueprintError(
            f"{source}: `{where}` must be a list of gitignore-style patterns."
        )
    return list(value)


DEFAULT = from_raw({})
