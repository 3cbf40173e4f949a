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

import re
from typing import Literal, NamedTuple

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


BARE = re.compile(r"[^.\[\]\"'\s=]+")
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
    bare = BARE.match(text, pos)
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
