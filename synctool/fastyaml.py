"""Fast, plain YAML loading for the read-only paths (`check`'s lock and rules).

ruamel.yaml (pure Python here) keeps comments and positions, which `sync`
needs to rewrite files and `check` needs to name a line; it costs ~40 ms for
a lock. PyYAML's libyaml loader reads the same in ~3 ms. Its resolver is
narrowed to YAML 1.2 booleans, as ruamel reads them, so a workflow's `on:`
key stays the string "on" and `yes` stays "yes".
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"


class _Loader(_Base):  # type: ignore[misc]
    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        # YAML forbids duplicate keys; PyYAML keeps the last one silently,
        # ruamel refuses. Refuse too, so both loaders agree on what is valid.
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class FastYAMLError(ValueError):
    """Malformed YAML; ``line`` is 1-based when known."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def _error(exc: Exception, text: str) -> FastYAMLError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:  # a reader error: a character YAML forbids, by position
        return FastYAMLError(*reader_error(exc, text))
    why = getattr(exc, "problem", None) or getattr(exc, "context", None) or exc
    return FastYAMLError(str(why).splitlines()[0], mark.line + 1)


def reader_error(exc: Exception, text: str) -> tuple[str, int | None]:
    """A YAML reader error (a character YAML forbids) as (problem, 1-based line)."""
    position = getattr(exc, "position", None)
    character = getattr(exc, "character", None)
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
    what = (
        f"character {ord(character):#06x} is not allowed in YAML"
        if isinstance(character, str) and len(character) == 1
        else str(exc).splitlines()[0]
    )
    return what, line


def load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError) as exc:
        raise _error(exc, text) from None


def load_all(text: str) -> list[Any]:
    try:
        return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except (yaml.YAMLError, ValueError) as exc:
        raise _error(exc, text) from None
