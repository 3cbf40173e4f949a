"""Tests of the drift rules engine; helpers shared by its test modules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ruamel.yaml import YAML

from synctool.check.rules import Rule, parse_rules


def load(text: str) -> object:
    """YAML as the CLI loads it (round-trip: with line numbers)."""
    return YAML(typ="rt").load(text)


def rules(text: str) -> tuple[Rule, ...]:
    """Rules from the YAML text of a `rules:` list."""
    return parse_rules(load(text), source="synctool.yml")


class Files:
    """A FileSource over a dict; records what was read."""

    def __init__(self, tree: Mapping[str, str | bytes | None]) -> None:
        self.tree = dict(tree)
        self.reads: list[str] = []

    def paths(self) -> Sequence[str]:
        return list(self.tree)

    def read(self, path: str) -> bytes | None:
        self.reads.append(path)
        data = self.tree[path]
        return data.encode() if isinstance(data, str) else data
