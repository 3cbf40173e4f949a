"""`pattern` rules: a regular expression a text file must (or must not) match."""

from __future__ import annotations

from collections.abc import Iterator

from synctool.check.rules.findings import Finding, rule_finding
from synctool.check.rules.patterns import Clock
from synctool.check.rules.schema import Rule, TextCheck
from synctool.check.rules.yamlvalues import to_plain


def text_rule(rule: Rule, check: TextCheck, path: str, text: str) -> Iterator[Finding]:
    """The findings of one `pattern` rule on one file; raises
    `patterns.OutOfTime` when its regexes exceed the rule's budget."""
    clock, pattern, where = Clock(), check.pattern, check.where
    shown = f"/{check.pattern}/"
    if rule.kind == "not-contains":
        lineno, pos = 1, 0
        for match in clock.finditer(pattern, text):
            lineno += text.count("\n", pos, match.start())
            pos = match.start()
            snippet = _snippet(text, pos)
            yield rule_finding(
                rule, path, lineno, snippet, f"{snippet} matches {shown}", "remove it"
            )
        return
    if where is None:
        if clock.search(pattern, text) is None:
            hint = f"add a line matching {shown}"
            yield rule_finding(rule, path, None, None, f"no match of {shown}", hint)
        return
    lines = enumerate(text.split("\n"), 1)
    chosen = [(n, line) for n, line in lines if clock.search(where, line)]
    failing = [(n, line) for n, line in chosen if clock.search(pattern, line) is None]
    hint = f"make it match {shown}"
    if not chosen and check.mode != "all":
        detail = f"no line matches /{check.where}/"
        yield rule_finding(rule, path, None, detail, detail, hint)
    elif check.mode == "any" and len(failing) == len(chosen) and chosen:
        detail = f"no line matching /{check.where}/ matches {shown}"
        yield rule_finding(rule, path, None, detail, detail, hint)
    elif check.mode == "last" and failing and failing[-1] == chosen[-1]:
        n, line = chosen[-1]
        generated = (
            f"{clip(line)} does not match {shown} (last line matching /{check.where}/)"
        )
        yield rule_finding(rule, path, n, clip(line), generated, hint)
    elif check.mode == "all":
        for n, line in failing:
            generated = f"{clip(line)} does not match {shown}"
            yield rule_finding(rule, path, n, clip(line), generated, hint)


def _snippet(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return clip(text[start : end if end >= 0 else len(text)])


def clip(text: str, width: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 3] + "..."


def show(value: object) -> str:
    import json  # for a finding's message only

    return clip(json.dumps(to_plain(value), ensure_ascii=False, default=str), 60)
