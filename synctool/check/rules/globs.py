"""Plain gitignore-style patterns as regexes, without pathspec.

Most rule paths are plain (`Dockerfile`, `*.pem`, `.github/workflows/*.yml`,
`!.env.example`, `docs/**`), and pathspec's import is a large part of a
`check`'s start-up on every commit. A pattern made of names, `*`, `?` and
`**` is translated here, by git's rules (gitignore(5)); any other (a `[...]`
class, a backslash, a space, a comment) is left to pathspec
(synctool.check.rules.paths). tests/check/rules/test_globs.py holds the two
to the same answers.
"""

from __future__ import annotations

import re

# What a plain pattern is made of; `!` may only lead, `#` may not lead.
_PLAIN = re.compile(r"!?[A-Za-z0-9._\-/*?+@=,~%:][A-Za-z0-9._\-/*?+@=,~%:#]*")
FLOATING = "(?:.+/)?"  # how a pattern that may sit in any folder starts
_ANY = "."  # any path (matched from the start)
_BELOW_TOP = "(?s:.*)/"  # any path in a folder (git allows a newline in a name)


def glob_regex(pattern: str) -> tuple[bool, str] | None:
    """(whether it includes, a regex whose `match` says if ``pattern``
    selects a path), or None when it is not plain. A pattern that selects a
    folder selects every file below it, as in git."""
    if not _PLAIN.fullmatch(pattern):
        return None
    include = not pattern.startswith("!")
    parts = _normalized(pattern.removeprefix("!"))
    if parts is None:
        return None
    # Three that select (nearly) everything need no walk over the parts.
    if parts in (["**"], ["**", "*"]):
        return include, _BELOW_TOP if pattern.endswith("/") else _ANY
    if parts == ["**", "*", "**"]:
        return include, _BELOW_TOP
    return include, "".join(_pieces(parts))


def _normalized(body: str) -> list[str] | None:
    """The pattern's parts: a leading `**` where it floats (one name, no
    leading slash), a trailing `**` where it ends in a slash; None if odd."""
    parts = body.split("/")
    if parts[0] == "":  # `/x`: anchored at the top
        parts = parts[1:]
    elif parts[1:] in ([], [""]) and parts[0] != "**":  # `x`, `x/`: anywhere
        parts = ["**", *parts]
    if not parts or parts == [""]:
        return None
    if parts[-1] == "":  # `x/`: what is below the folder x
        parts[-1] = "**"
    if "" in parts:  # `a//b`: left to pathspec
        return None
    return [
        p for i, p in enumerate(parts) if not (p == "**" and parts[i - 1 : i] == ["**"])
    ]


def _pieces(parts: list[str]) -> list[str]:
    last = len(parts) - 1
    pieces: list[str] = []
    for index, part in enumerate(parts):
        if part == "**":
            # first: any folders before; inner: any between; last: anything below
            pieces.append(
                FLOATING if index == 0 else "(?:/.+)?" if index < last else "/"
            )
            continue
        if pieces and pieces[-1] != FLOATING:
            pieces.append("/")
        pieces.append("[^/]+" if part == "*" else "".join(map(_char, part)))
        if index == last:
            # `a/*` selects a's entries themselves, `a/b` also what is below b.
            pieces.append("/?$" if part == "*" else "(?:/|$)")
    return pieces


def _char(c: str) -> str:
    if c == "*":
        return "[^/]*"
    if c == "?":
        return "[^/]"
    return re.escape(c)
