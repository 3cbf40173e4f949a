"""What a path expression selects in a document: nodes with their concrete
location and line, and misses where a concrete step finds nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from synctool.check.rules.yamlpath import BARE, Miss, Node, Selection, Step, YamlPath
from synctool.check.rules.yamlvalues import lc_data, line_of, node_line, scalar_text


def select(document: object, path: YamlPath) -> Selection:
    """Every node `path` selects in `document`, and every place it missed."""
    nodes = [Node(document, "", node_line(document))]
    misses: list[Miss] = []
    for index, step in enumerate(path.steps):
        reached: list[Node] = []
        missed: list[Miss] = []
        for node in nodes:
            _apply(step, node, reached, missed)
        # Name what is missing in full (`...securityContext.runAsNonRoot is
        # missing`), not just the first step that failed.
        rest = "".join(map(_render, path.steps[index + 1 :]))
        misses.extend(
            m._replace(where=m.where + rest) if m.reason == "is missing" else m
            for m in missed
        )
        nodes = reached
    return Selection(tuple(nodes), tuple(misses))


def _render(step: Step) -> str:
    if step.op == "key":
        return "." + _quote(step.key)
    return {
        "any-key": ".*",
        "any-item": "[*]",
        "index": f"[{step.position}]",
        "filter": f"[?{step.key}={step.value}]",
    }[step.op]


def _apply(step: Step, node: Node, out: list[Node], misses: list[Miss]) -> None:
    value = node.value
    if step.op == "filter":
        if isinstance(value, Mapping):
            if _passes(value, step):
                out.append(node)
        elif _is_sequence(value):
            out.extend(n for n in _items(node) if _passes(n.value, step))
        return  # a filter narrows; a scalar simply doesn't pass
    if step.op in ("key", "any-key"):
        if not isinstance(value, Mapping):
            misses.append(
                Miss(node.where or "<document>", node.line, "is not a mapping")
            )
        elif step.op == "any-key":
            out.extend(_child(node, k, value[k]) for k in value)
        else:
            key = _find_key(value, step.key)
            if key is _NO_KEY:
                where = _join(node.where, step.key)
                misses.append(Miss(where, node.line, "is missing"))
            else:
                out.append(_child(node, key, value[key]))
        return
    if not _is_sequence(value):
        misses.append(Miss(node.where or "<document>", node.line, "is not a sequence"))
    elif step.op == "any-item":
        out.extend(_items(node))
    else:
        items = _items(node)
        try:
            out.append(items[step.position])
        except IndexError:
            where = f"{node.where}[{step.position}]"
            misses.append(Miss(where, node.line, "is missing"))


_NO_KEY = object()


def _find_key(mapping: Mapping[Any, Any], name: str) -> object:
    if name in mapping:
        return name
    # YAML keys may be ints or booleans (`200:` in an OpenAPI `responses`).
    for key in mapping:
        if not isinstance(key, str) and scalar_text(key) == name:
            return key
    return _NO_KEY


def _passes(item: object, step: Step) -> bool:
    if not isinstance(item, Mapping):
        return False
    key = _find_key(item, step.key)
    return key is not _NO_KEY and scalar_text(item[key]) == step.value


def _is_sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _items(node: Node) -> list[Node]:
    seq: Sequence[object] = node.value  # type: ignore[assignment]
    lines = lc_data(seq)
    return [
        Node(item, f"{node.where}[{i}]", line_of(lines, i, item, node.line))
        for i, item in enumerate(seq)
    ]


def _child(node: Node, key: object, value: object) -> Node:
    line = line_of(lc_data(node.value), key, value, node.line)
    return Node(value, _join(node.where, scalar_text(key) or str(key)), line)


def _join(where: str, key: str) -> str:
    return f"{where}.{_quote(key)}" if where else _quote(key)


def _quote(key: str) -> str:
    return key if BARE.fullmatch(key) and key != "*" else f'"{key}"'
