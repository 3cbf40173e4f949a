"""Pick a content-merge driver for a file, and run one on three versions."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from synctool.merge import eol
from synctool.merge.text import merge_text
from synctool.merge.tomlmerge import merge_toml
from synctool.merge.types import DEFAULT_IDENTITY_KEYS, ContentMerge, Driver, Labels
from synctool.merge.union import merge_union
from synctool.merge.yamlmerge import merge_yaml

_IGNORE_FILE = re.compile(r"\.[^/]*ignore")
_Merge = Callable[[bytes, bytes, bytes, Labels, Sequence[str]], ContentMerge]

_DRIVERS: dict[Driver, _Merge] = {
    "text": lambda b, o, t, labels, keys: merge_text(b, o, t, labels),
    "union": lambda b, o, t, labels, keys: merge_union(b, o, t),
    "yaml": merge_yaml,
    "toml": merge_toml,
}


def is_binary(data: bytes) -> bool:
    """A NUL byte or bytes that are not UTF-8, as git and editors judge it."""
    if b"\0" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def default_driver(path: str, data: bytes) -> Driver:
    """The driver for a file when the policy names none.

    Binary content wins over the name: a ``.yml`` holding NUL bytes is not
    YAML, and merging it line by line could corrupt it.
    """
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if is_binary(data):
        return "binary"
    if lower.endswith((".yml", ".yaml")):
        return "yaml"
    if lower.endswith(".toml"):
        return "toml"
    if _IGNORE_FILE.fullmatch(name):
        return "union"
    return "text"


def _merge_binary(base: bytes, ours: bytes, theirs: bytes) -> ContentMerge:
    """Whole-file choice; both changed means ours stays and theirs goes beside it."""
    if ours == base:
        return ContentMerge(theirs, 0, "binary")
    if theirs in (base, ours):
        return ContentMerge(ours, 0, "binary")
    return ContentMerge(ours, 1, "binary", "binary: changed on both sides")


def merge_content(
    driver: Driver,
    base: bytes | None,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
) -> ContentMerge:
    """Merge one file's three versions with ``driver``.

    ``base`` None means both sides added the file: it merges against an
    empty base, as git does. Text-ish drivers merge on LF and the result
    takes ours' line endings, so a CRLF checkout is not one big conflict.
    """
    if base is None:
        base = b""
    if driver == "binary":
        return _merge_binary(base, ours, theirs)
    # Settled without looking inside; also keeps every driver's laws exact.
    if theirs in (base, ours):
        return ContentMerge(ours, 0, driver)
    if ours == base:
        return ContentMerge(theirs, 0, driver)
    if eol.CRLF not in base + ours + theirs:
        return _DRIVERS[driver](base, ours, theirs, labels, identity_keys)
    newline = eol.choose_newline(ours, theirs, base)
    merged = _DRIVERS[driver](
        eol.to_lf(base), eol.to_lf(ours), eol.to_lf(theirs), labels, identity_keys
    )
    return merged._replace(data=eol.to_newline(merged.data, newline))
