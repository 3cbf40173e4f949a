"""The path expression language of `yaml` rules, and what it selects.

`jobs.*.steps[*].name`: `key` one key, `*` every value of a mapping, `[*]`
every item of a sequence, `[N]` one item (negative counts from the end),
`["a.b"]` / `"a.b"` a key that needs quoting, `[?key=value]` a filter.

Selecting walks ruamel.yaml round-trip data and keeps, for every node, its
concrete location (`jobs.build.steps[2].name`) and line, so findings can name
the exact node. A concrete step that finds nothing under a node (a missing key,
an index out of range, a mapping where a sequence was expected) is a *miss*,
not silence: "every container sets runAsNonRoot" must fail for the container
that lacks it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from ruamel.yaml.scalarbool import ScalarBoolean

Op = Literal["key", "index", "any-key", "any-item", "filter"]


class PathError(ValueError):
    """A malformed path expression; the message names the column."""


class Step(NamedTuple):
    op: Op
    key: str = ""  # key / filter key
    position: int = 0  # index
    value: str = ""  # filter value, compared as text


class YamlPath(NamedTuple):
    text: str
    steps: tuple[Step, ...]


class Node(NamedTuple):
    value: object
    where: str  # concrete location, e.g. "spec.containers[0].image"
    line: int | None  # 1-based


class Miss(NamedTuple):
    where: str  # the location that could not be reached
    line: int | None  # line of the closest node that exists
    reason: str  # "is missing", "is not a sequence", ...


class Selection(NamedTuple):
    nodes: tuple[Node, ...]
    misses: tuple[Miss, ...]


_BARE = re.compile(r"[^.\[\]\"'\s=]+")
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_INT = re.compile(r"-?[0-9]+")


def parse_path(text: str) -> YamlPath:
    """Parse a path expression; raise PathError naming the column at fault."""
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "[":
            step, pos = _bracket(text, pos)
        else:
            if steps:
                if text[pos] != ".":
                    raise _error(text, pos, "expected '.' or '['")
                pos += 1
            step, pos = _segment(text, pos)
        steps.append(step)
    if not steps:
        raise PathError("empty path expression")
    return YamlPath(text, tuple(steps))


def _error(text: str, pos: int, what: str) -> PathError:
    return PathError(f"{what} at column {pos + 1} of {text!r}")


def _segment(text: str, pos: int) -> tuple[Step, int]:
    quoted = _QUOTED.match(text, pos)
    if quoted:
        return Step("key", key=quoted.group(1) or quoted.group(2) or ""), quoted.end()
    bare = _BARE.match(text, pos)
    if not bare:
        raise _error(text, pos, "expected a key")
    name = bare.group()
    if name == "*":
        return Step("any-key"), bare.end()
    if "*" in name:
        raise _error(text, pos, "'*' must be a whole key (no partial wildcards)")
    return Step("key", key=name), bare.end()


def _bracket(text: str, pos: int) -> tuple[Step, int]:
    close = text.find("]", pos)
    if close < 0:
        raise _error(text, pos, "unclosed '['")
    inner = text[pos + 1 : close]
    end = close + 1
    if inner == "*":
        return Step("any-item"), end
    if _INT.fullmatch(inner):
        return Step("index", position=int(inner)), end
    quoted = _QUOTED.fullmatch(inner)
    if quoted:
        return Step("key", key=quoted.group(1) or quoted.group(2) or ""), end
    if inner.startswith("?") and "=" in inner:
        key, _, value = inner[1:].partition("=")
        key, value = _unquote(key.strip()), _unquote(value.strip())
        if key:
            return Step("filter", key=key, value=value), end
    raise _error(text, pos, 'expected [*], [N], ["key"] or [?key=value]')


def _unquote(text: str) -> str:
    quoted = _QUOTED.fullmatch(text)
    return (quoted.group(1) or quoted.group(2) or "") if quoted else text


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
    lines = _lc_data(seq)
    return [
        Node(item, f"{node.where}[{i}]", _line(lines, i, item, node.line))
        for i, item in enumerate(seq)
    ]


def _child(node: Node, key: object, value: object) -> Node:
    line = _line(_lc_data(node.value), key, value, node.line)
    return Node(value, _join(node.where, scalar_text(key) or str(key)), line)


def _line(
    lines: dict[Any, Any] | None, key: object, value: object, default: int | None
) -> int | None:
    if lines is not None and key in lines:
        return int(lines[key][0]) + 1
    return node_line(value) or default


def _lc_data(container: object) -> dict[Any, Any] | None:
    lc = getattr(container, "lc", None)
    data = getattr(lc, "data", None)
    return data if isinstance(data, dict) else None


def node_line(node: object) -> int | None:
    """1-based line where a round-trip mapping or sequence starts, else None."""
    line = getattr(getattr(node, "lc", None), "line", None)
    return line + 1 if isinstance(line, int) else None


def key_line(container: object, key: object) -> int | None:
    """1-based line of a key (or item index) of a round-trip container."""
    return _line(_lc_data(container), key, None, node_line(container))


def _join(where: str, key: str) -> str:
    return f"{where}.{_quote(key)}" if where else _quote(key)


def _quote(key: str) -> str:
    return key if _BARE.fullmatch(key) and key != "*" else f'"{key}"'


def scalar_text(value: object) -> str | None:
    """A scalar as YAML spells it (`true`, `null`, `3`); None for collections."""
    if isinstance(value, (bool, ScalarBoolean)):  # ScalarBoolean: an anchored bool
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (str, int, float, dt.date)):
        return str(value)
    return None


def to_plain(value: object) -> object:
    """Round-trip data as plain dict / list / scalars, for comparing and showing."""
    if isinstance(value, Mapping):
        # A complex key (`? [a, b]`) stays as loaded: a list is not hashable.
        return {
            (to_plain(k) if scalar_text(k) is not None else k): to_plain(v)
            for k, v in value.items()
        }
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [to_plain(v) for v in value]
    if isinstance(value, ScalarBoolean):
        return bool(value)
    if isinstance(value, bool) or value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def same_value(a: object, b: object) -> bool:
    """Equality where `true` is not `1`: YAML users mean the type they wrote."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_value, a, b))
    return a == b
