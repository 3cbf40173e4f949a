"""Reading and writing YAML with ruamel.yaml's round-trip loader."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML

from synctool.merge.union import Undecided
from synctool.merge.yaml.canon import canon

Layout = tuple[int, int, int]  # mapping indent, sequence indent, dash offset


def make_yaml(layout: Layout = (2, 2, 0), explicit_start: bool = False) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 16  # never re-wrap a long line of ours
    y.indent(mapping=layout[0], sequence=layout[1], offset=layout[2])
    y.explicit_start = explicit_start
    return y


def _anchored(docs: list[Any]) -> bool:
    stack = list(docs)
    while stack:
        node = stack.pop()
        if getattr(getattr(node, "anchor", None), "value", None):
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def load(text: str, side: str) -> list[Any]:
    try:
        docs = list(make_yaml().load_all(text))
    except Exception as exc:  # ruamel raises many kinds; all mean "unusable"
        raise Undecided(f"{side} does not parse as YAML") from exc
    # An anchor's node is shared by its aliases (and ``<<`` merge keys);
    # merging each place on its own could split or break them.
    if _anchored(docs):
        raise Undecided(f"{side} uses anchors or aliases")
    return docs


def dump(docs: Sequence[Any], y: YAML) -> str:
    out = io.StringIO()
    y.dump_all(docs, out)
    return out.getvalue()


_KEY_LINE = re.compile(r"^(?P<lead>[ -]*)(?P<key>[^\s#-][^#]*?):\s*(?:#.*)?$")


def guess_layout(text: str) -> Layout:
    """The indentation ours uses, from each ``key:`` line and the line under it."""
    maps: Counter[int] = Counter()
    seqs: Counter[tuple[int, int]] = Counter()
    key_col: int | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        col = len(line) - len(stripped)
        if key_col is not None:
            if stripped.startswith("- "):
                content = col + 2 + len(stripped[2:]) - len(stripped[2:].lstrip(" "))
                if col >= key_col:
                    seqs[(content - key_col, col - key_col)] += 1
            elif col > key_col:
                maps[col - key_col] += 1
        match = _KEY_LINE.match(line)
        key_col = len(match["lead"]) if match else None
    mapping = maps.most_common(1)[0][0] if maps else 2
    sequence, offset = seqs.most_common(1)[0][0] if seqs else (mapping, 0)
    return mapping, max(sequence, offset + 2), offset


def reads_as(text: str, want: Any) -> bool:
    try:
        return bool(canon(list(make_yaml().load_all(text))) == want)
    except Exception:  # unparsable text means "no"
        return False


def valid(text: str) -> bool:
    """Whether ``text`` parses as YAML, with no key twice in a mapping."""
    try:
        list(make_yaml().load_all(text))
    except Exception:  # ruamel raises many kinds; all mean "no"
        return False
    return True
