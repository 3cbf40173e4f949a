"""Evaluate rules over a set of files: one pass over the paths, then per kind.

Pure: files come through a FileSource (the caller decides what "the files"
are: git's tracked and staged paths), nothing is printed, nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from synctool.check.rules.findings import FileSource, Finding, OnlineInfo, rule_finding
from synctool.check.rules.paths import PathMatcher, compile_paths, union_regex
from synctool.check.rules.patterns import BUDGET_ENV, OutOfTime
from synctool.check.rules.reader import Reader
from synctool.check.rules.schema import BehindCheck, Rule, TextCheck, YamlCheck
from synctool.check.rules.textrules import text_rule
from synctool.check.rules.yamlrules import yaml_file


def evaluate(
    rules: Sequence[Rule], files: FileSource, *, online_info: OnlineInfo | None = None
) -> list[Finding]:
    """Every finding of `rules` over `files`, sorted by path, line and rule."""
    slots: list[PathMatcher] = []  # required rules match pattern by pattern
    owners: list[range] = []
    for rule in rules:
        parts: list[tuple[str, ...]]
        if rule.kind == "required":
            parts = [(pattern,) for pattern in rule.paths]
        else:
            parts = [rule.paths] if rule.paths else []
        owners.append(range(len(slots), len(slots) + len(parts)))
        slots.extend(compile_paths(part) for part in parts)
    hits = _match_paths(slots, files.paths())
    reader = Reader(files)
    findings: list[Finding] = []
    for rule, owned in zip(rules, owners, strict=True):
        matched = [hits[slot] for slot in owned]
        findings.extend(_evaluate_rule(rule, matched, reader, online_info))
    return sorted(
        findings, key=lambda f: (f.path or "", f.line or 0, f.rule, f.message)
    )


def _match_paths(slots: Sequence[PathMatcher], paths: Sequence[str]) -> list[list[str]]:
    hits: list[list[str]] = [[] for _ in slots]
    includes = [m.includes for m in slots]
    joined = (
        None
        if None in includes
        else union_regex([r for slot in includes for r in slot or ()])
    )
    # Most paths of a big repo (the app's own code) match no rule: one C-level
    # regex call rejects them before any per-rule work.
    prefilter = re.compile(joined).match if joined is not None else None
    indexed = list(enumerate(slots))
    for path in paths:
        if prefilter is not None and prefilter(path) is None:
            continue
        for slot, matcher in indexed:
            if matcher(path):
                hits[slot].append(path)
    return hits


def _evaluate_rule(
    rule: Rule, matched: list[list[str]], reader: Reader, online: OnlineInfo | None
) -> Iterator[Finding]:
    check = rule.check
    if rule.kind == "required":
        for pattern, paths in zip(rule.paths, matched, strict=True):
            if not paths:
                yield _missing(rule, pattern)
        return
    if isinstance(check, BehindCheck):
        if online is not None and online.releases_behind > check.releases:
            detail = (
                f"blueprint {online.current} is {online.releases_behind} "
                f"release{'' if online.releases_behind == 1 else 's'} "
                f"behind {online.latest} (at most {check.releases} allowed)"
            )
            yield rule_finding(
                rule, None, None, detail, detail, "run `synctool update`"
            )
        return
    paths = matched[0]
    if rule.kind == "forbidden":
        import shlex  # for a finding's hint only

        for path in paths:
            hint = f"git rm --cached {shlex.quote(path)}, and add it to .gitignore"
            yield rule_finding(
                rule, path, None, None, "file must not be committed", hint
            )
        return
    if getattr(check, "required", False) and not paths:
        yield _nothing_matched(rule)
    for done, path in enumerate(paths):
        try:
            yield from _on_file(rule, path, reader)
        except OutOfTime as exc:
            yield _out_of_time(rule, path, exc, skipped=len(paths) - done - 1)
            return  # a pattern that slow is not tried on the other files


def _on_file(rule: Rule, path: str, reader: Reader) -> list[Finding]:
    check = rule.check
    if isinstance(check, TextCheck):
        text = reader.text(path)
        if text is None:  # unreadable or binary: not a text file
            return []
        return list(text_rule(rule, check, path, text))
    if isinstance(check, YamlCheck):
        return list(yaml_file(rule, check, path, reader))
    return []


def _out_of_time(rule: Rule, path: str, exc: OutOfTime, *, skipped: int) -> Finding:
    rest = f"; not tried on {skipped} more file(s)" if skipped else ""
    return Finding(
        rule.id,
        "error",
        path,
        None,
        f"rule {rule.id}: /{exc.pattern}/ did not finish within {exc.seconds:g} s "
        f"on this file, so the file was not checked{rest}",
        "simplify the pattern (nested repetition such as (a|aa)+ backtracks "
        f"without end), or raise {BUDGET_ENV}",
    )


def _missing(rule: Rule, pattern: str) -> Finding:
    literal = not any(c in pattern for c in "*?[")
    detail = (
        f"{pattern.lstrip('/')} is missing" if literal else f"no file matches {pattern}"
    )
    hint = f"add {pattern.lstrip('/')}" if literal else f"add a file matching {pattern}"
    return rule_finding(rule, None, None, detail, detail, hint)


def _nothing_matched(rule: Rule) -> Finding:
    detail = f"no file matches {', '.join(rule.paths)}"
    return rule_finding(rule, None, None, detail, detail, "add the file, or fix paths")
