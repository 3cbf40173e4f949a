"""The merged document written, with the blank lines before tables put back."""

from __future__ import annotations

import re
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from synctool.merge.toml.io import reads_as
from synctool.merge.union import Undecided

_HEADER = re.compile(r"^\s*\[\[?[^\]]+\]\]?\s*(#.*)?$")


def _tidy_blank_lines(out: str, ours: str, theirs: str) -> str:
    """Put back the blank line before a table header that had one.

    tomlkit keeps the blank line before a table as the trailing whitespace of
    the table above it, so inserting a table there moves the blank line to
    the wrong side of the new one. Headers that had a blank line before them
    in ours or theirs get it back (one, unless a side has runs of two), and
    the file ends as ours does.
    """
    spaced: set[str] = set()
    for text in (ours, theirs):
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if i and _HEADER.match(line) and not lines[i - 1].strip():
                spaced.add(line.strip())
    # Moving tables can leave two blank lines where either side had one.
    doubled = any("\n\n\n" in text for text in (ours, theirs))
    result: list[str] = []
    for line in out.splitlines():
        if _HEADER.match(line):
            while not doubled and result[-2:] == ["", ""]:
                result.pop()
            if line.strip() in spaced and result and result[-1].strip():
                result.append("")
        result.append(line)
    while result and not result[-1].strip():
        result.pop()
    trailing = len(ours) - len(ours.rstrip("\n"))
    return "\n".join(result) + "\n" * max(trailing, 1 if result else 0)


def write(merged: Any, ours: str, theirs: str, want: Any) -> str:
    try:
        out = tomlkit.dumps(merged)
    except TOMLKitError as exc:
        raise Undecided(f"tomlkit cannot write the merge: {exc}") from exc
    out = _tidy_blank_lines(out, ours, theirs)
    if not reads_as(out, want):
        raise Undecided("the merged document does not write back faithfully")
    return out
