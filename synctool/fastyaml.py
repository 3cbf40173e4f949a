"""Fast, plain YAML loading for the read-only paths (`check`'s lock and rules).

ruamel.yaml (pure Python here) keeps comments and positions, which `sync`
needs to rewrite files and `check` needs to name a line; it costs ~40 ms for
a lock. PyYAML's libyaml loader reads the same in ~3 ms. Its resolver is
narrowed to YAML 1.2 booleans, as ruamel reads them, so a workflow's `on:`
key stays the string "on" and `yes` stays "yes".

Aliases are bounded: a document whose aliases expand to more than
``MAX_EXPANDED`` nodes ("billion laughs"), or that refers to itself, is
refused before anything walks it (:class:`AliasBombError`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"


# Nodes a file's aliases may expand to in all: far beyond any real config
# (a CI file's anchors reuse a few steps), far below what hangs a walk over it.
MAX_EXPANDED = 200_000


def may_alias(text: str) -> bool:
    """Whether ``text`` may hold an alias (`*name` after a space or a line
    break of any kind YAML knows, `[`, `{`, `,` or `:` as in `{"k":*a}`):
    without one (a lock, most files) nothing is counted. A false hit (a `*`
    in a quoted string) only costs time."""
    at = text.find("*")
    while at != -1:
        before = text[at - 1] if at else " "
        after = text[at + 1 : at + 2]
        if (
            (before.isspace() or before in "[{,:\ufeff")
            and after
            and not after.isspace()
        ):
            return True
        at = text.find("*", at + 1)
    return False


class Loader(_Base):  # type: ignore[misc]
    """libyaml's safe loader with duplicate keys refused: what others build on."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        # YAML forbids duplicate keys; PyYAML keeps the last one silently,
        # ruamel refuses. Refuse too, so both loaders agree on what is valid.
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults`: merged keys may be overridden
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


class _GuardedLoader(Loader):
    """For text with aliases: every document's expanded size is counted
    before it is built (built, a bomb is small, as aliases share objects; but
    anything walking it would never end)."""

    def construct_document(self, node: Any) -> Any:
        self.count_expanded(node)
        return super().construct_document(node)

    def count_expanded(self, node: Any) -> None:
        """Add a document's expanded size to the file's (AliasBombError past
        MAX_EXPANDED in all)."""
        done = getattr(self, "_expanded", 0)
        self._expanded = done + expanded_size(node, MAX_EXPANDED - done)


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class FastYAMLError(ValueError):
    """Malformed YAML; ``line`` is 1-based when known."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


TOO_DEEP = "nested too deep to read (thousands of levels)"


class AliasBombError(FastYAMLError):
    """Aliases that expand without bound: refused, never walked."""


def expanded_size(root: Any, limit: int) -> int:
    """The number of nodes of a composed YAML node graph with every alias
    expanded, counted without expanding it (each distinct node once).

    Raises AliasBombError past ``limit``, or for an alias inside its own anchor.
    """
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            entered.discard(key)
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > limit:
                raise AliasBombError(
                    f"aliases expand to more than {MAX_EXPANDED} values "
                    "(an alias bomb?); synctool does not expand them",
                    node.start_mark.line + 1,
                )
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in entered:
            raise AliasBombError(
                "an alias refers to the node that contains it (a recursive alias); "
                "synctool does not expand it",
                node.start_mark.line + 1,
            )
        entered.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_aliases(text: str) -> None:
    """Refuse ``text`` if its aliases expand without bound (AliasBombError);
    for a file another loader reads. Malformed YAML is left to that loader."""
    if not may_alias(text):
        return
    loader = _GuardedLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                loader.count_expanded(node)
    except AliasBombError:
        raise
    except (yaml.YAMLError, ValueError):
        pass  # the file's own loader reports it, naming the line
    finally:
        loader.dispose()


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
    if may_alias(text):
        return _read(text, lambda: yaml.load(text, Loader=_GuardedLoader))
    return _read(text, lambda: _built_documents(text, single=True)[0])


def load_all(text: str) -> list[Any]:
    def documents() -> list[Any]:
        if may_alias(text):
            return list(yaml.load_all(text, Loader=_GuardedLoader))
        return _built_documents(text, single=False)

    found: list[Any] = _read(text, lambda: [d for d in documents() if d is not None])
    return found


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


def _built_documents(text: str, *, single: bool) -> list[Any]:
    """The documents of ``text`` (which has no aliases) composed by libyaml
    and built here: a lock's thousands of nodes without PyYAML's per-node
    generators, several times faster. What is not a plain mapping, list or
    string is built by PyYAML's own constructors."""
    loader = Loader(text)
    try:
        if single:
            node = loader.get_single_node()
            return [None if node is None else _built(loader, node)]
        found = []
        while loader.check_node():
            found.append(_built(loader, loader.get_node()))
        return found
    finally:
        loader.dispose()


def _built(loader: Loader, node: Any) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _SEQ:
        return [_built(loader, item) for item in node.value]
    if tag != _MAP:
        return loader.construct_object(node, deep=True)
    seen: set[str] = set()
    for key_node, _value in node.value:  # its own keys first, as PyYAML checks
        if key_node.tag != _STR:  # a number, a merge (`<<`), a mapping as key
            return loader.construct_object(node, deep=True)
        if key_node.value in seen:  # as Loader.construct_mapping says it
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key_node.value!r}",
                key_node.start_mark,
            )
        seen.add(key_node.value)
    return {key.value: _built(loader, value) for key, value in node.value}


def _read(text: str, read: Callable[[], Any]) -> Any:
    """``read()`` of ``text``, its errors as FastYAMLError (with the line)."""
    try:
        return read()
    except AliasBombError:
        raise
    except (yaml.YAMLError, ValueError) as exc:
        raise _error(exc, text) from None
    except RecursionError:
        raise FastYAMLError(TOO_DEEP, None) from None
