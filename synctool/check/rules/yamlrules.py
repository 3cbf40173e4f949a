"""`yaml` rules: an assertion on the values a YAML path selects."""

from __future__ import annotations

from collections.abc import Iterator

from synctool.check.rules.findings import Finding, parse_error, rule_finding
from synctool.check.rules.patterns import Clock
from synctool.check.rules.reader import Reader
from synctool.check.rules.schema import Rule, YamlCheck
from synctool.check.rules.textrules import show
from synctool.check.rules.yamlpath import Node
from synctool.check.rules.yamlselect import select
from synctool.check.rules.yamlvalues import node_line, same_value, scalar_text, to_plain


def yaml_file(
    rule: Rule, check: YamlCheck, path: str, reader: Reader
) -> Iterator[Finding]:
    docs = reader.yaml(path)
    if isinstance(docs, Finding):
        docs = reader.yaml(path, lines=True)  # the round-trip loader names the line
        if isinstance(docs, Finding):
            yield docs._replace(rule=rule.id, severity=rule.severity)
            return
    if docs is None:
        return
    clock = Clock()  # a `matches` regex's budget on this file
    try:
        if not any(
            next(_yaml_rule(rule, check, path, doc, clock), None) for doc in docs
        ):
            return
        # Something failed: evaluate again on round-trip nodes, which know lines.
        exact = reader.yaml(path, lines=True)
        found = [
            f
            for doc in (exact if isinstance(exact, list) else docs)
            for f in _yaml_rule(rule, check, path, doc, clock)
        ]
    except RecursionError:  # a document thousands of levels deep
        from synctool.fastyaml import TOO_DEEP

        yield parse_error(path, None, TOO_DEEP)._replace(
            rule=rule.id, severity=rule.severity
        )
        return
    yield from found


def _yaml_rule(
    rule: Rule, check: YamlCheck, path: str, doc: object, clock: Clock
) -> Iterator[Finding]:
    for where_path, wanted in check.where:
        found = select(doc, where_path).nodes
        if not any(same_value(to_plain(n.value), wanted) for n in found):
            return  # not a document this rule is about (e.g. not a Deployment)
    selection = select(doc, check.select)
    expr, value = check.select.text, check.value
    if check.assertion == "includes":
        flat = [v for n in selection.nodes for v in _flatten(n.value)]
        if not any(same_value(v, value) for v in flat):
            seen = ", ".join(show(v) for v in flat[:5]) or "nothing"
            detail = f"{expr} does not include {show(value)} (found: {seen})"
            hint = f"add {show(value)} to {expr}"
            yield rule_finding(rule, path, node_line(doc), detail, detail, hint)
        return
    if check.assertion == "absent":
        for node in selection.nodes:
            detail = f"{node.where} is present"
            yield rule_finding(
                rule, path, node.line, detail, detail, f"remove {node.where}"
            )
        return
    for miss in () if check.allow_missing else selection.misses:
        want, hint = _want(check)  # worded only for a finding
        detail = f"{miss.where} {miss.reason}"
        generated = detail if check.assertion == "exists" else f"{detail}, {want}"
        yield rule_finding(rule, path, miss.line, detail, generated, hint)
    if check.assertion == "exists" and not selection.nodes and not selection.misses:
        detail = f"{expr} selects nothing"
        yield rule_finding(rule, path, node_line(doc), detail, detail, _want(check)[1])
    for node in selection.nodes:
        problem = _node_problem(check, node, clock)
        if problem is not None:
            want, hint = _want(check)
            yield rule_finding(
                rule, path, node.line, problem, f"{problem}, {want}", hint
            )


def _want(check: YamlCheck) -> tuple[str, str]:
    """What the assertion expects, and a hint to get there."""
    if check.assertion == "matches":
        return f"expected to match /{check.value}/", f"make it match /{check.value}/"
    if check.assertion == "equals":
        return f"expected {show(check.value)}", f"set it to {show(check.value)}"
    return "expected it to exist", f"set {check.select.text}"


def _node_problem(check: YamlCheck, node: Node, clock: Clock) -> str | None:
    """Why `node` fails an equals / matches assertion (None: it passes)."""
    if check.assertion == "equals":
        if same_value(to_plain(node.value), check.value):
            return None
        return f"{node.where} is {show(node.value)}"
    if check.assertion == "matches":
        text = scalar_text(node.value)
        if text is None:
            return f"{node.where} is not a scalar"
        if clock.search(str(check.value), text):
            return None
        return f"{node.where} is {show(node.value)}"
    return None


def _flatten(value: object) -> list[object]:
    plain = to_plain(value)
    return list(plain) if isinstance(plain, list) else [plain]
