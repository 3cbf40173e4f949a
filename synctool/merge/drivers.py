"""Pick a content-merge driver for a file, and run one on three versions."""

from __future__ import annotations

import json
import re
import tomllib
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from synctool.merge import eol
from synctool.merge.structural import structural_merge
from synctool.merge.text import conflict_region, merge_text
from synctool.merge.toml import TOML_FORMAT
from synctool.merge.types import ContentMerge, Labels
from synctool.merge.union import merge_union
from synctool.merge.yaml import YAML_FORMAT
from synctool.merge.yaml.large import is_large
from synctool.merge.yaml.large import problem as large_problem
from synctool.tree import DEFAULT_IDENTITY_KEYS, Driver

_IGNORE_FILE = re.compile(r"\.[^/]*ignore")
_Merge = Callable[[bytes, bytes, bytes, Labels, Sequence[str]], ContentMerge]

_DRIVERS: dict[Driver, _Merge] = {
    "text": lambda b, o, t, labels, keys: merge_text(b, o, t, labels),
    "union": lambda b, o, t, labels, keys: merge_union(b, o, t),
    "yaml": partial(structural_merge, YAML_FORMAT),
    "toml": partial(structural_merge, TOML_FORMAT),
    # JSON: merged line by line, then parsed again (`_checked`): a key both
    # sides added, or a comma the lines lost, is a conflict, not a clean file
    # whose parsers keep the last duplicate.
    "json": lambda b, o, t, labels, keys: merge_text(b, o, t, labels)._replace(
        driver="json"
    ),
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
    if lower.endswith(".json"):
        return "json"
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


def run_driver(
    driver: Driver,
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
) -> ContentMerge:
    """The driver's own merge: none of ``merge_content``'s shortcuts, checks
    or line-ending handling (the laws of each driver are tested on this)."""
    if driver == "binary":
        return _merge_binary(base, ours, theirs)
    return _DRIVERS[driver](base, ours, theirs, labels, identity_keys)


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
    if _BOM in (base[:3], ours[:3], theirs[:3]):
        # A byte-order mark is no content: merged without it, ours' kept.
        merged = merge_content(
            driver, _no_bom(base), _no_bom(ours), _no_bom(theirs), labels, identity_keys
        )
        had, mine, new = (x.startswith(_BOM) for x in (base, ours, theirs))
        keep = new if mine == had else mine  # the mark merges as one value
        return merged._replace(data=_BOM + merged.data) if keep else merged
    # Settled without looking inside; also keeps every driver's laws exact.
    if theirs in (base, ours):
        return ContentMerge(ours, 0, driver)
    if ours == base:
        return ContentMerge(theirs, 0, driver)
    if eol.CRLF not in base + ours + theirs:
        merged = _DRIVERS[driver](base, ours, theirs, labels, identity_keys)
        return _checked(driver, base, ours, theirs, merged, labels)
    lf = eol.to_lf(base), eol.to_lf(ours), eol.to_lf(theirs)
    merged = _DRIVERS[driver](*lf, labels, identity_keys)
    merged = _checked(driver, *lf, merged, labels)
    return merged._replace(data=eol.restore(merged.data, base, ours, theirs))


_BOM = b"\xef\xbb\xbf"  # UTF-8's byte-order mark


def _no_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(_BOM) else data


def _checked(
    driver: Driver,
    base: bytes,
    ours: bytes,
    theirs: bytes,
    merged: ContentMerge,
    labels: Labels,
) -> ContentMerge:
    """``merged``, or a conflict if it is a YAML/TOML file the merge broke.

    Lines merged cleanly can still make a file that does not parse: both
    sides added the same key in different places, say. When ours and theirs
    both parse, such a result is not clean: the user gets both versions (and
    the base) in one conflict, with the parser's complaint as the reason.
    A file that was never valid (a Helm template) is not the merge's doing.
    """
    if merged.conflicts or driver not in _PARSERS:
        return merged
    parse = _PARSERS[driver]
    problem = parse(merged.data)
    if problem is None or parse(ours) is not None or parse(theirs) is not None:
        return merged
    data = conflict_region(base, ours, theirs, labels)
    why = f"{driver}: the merged file does not parse ({problem}): both versions shown"
    return ContentMerge(data, 1, merged.driver, why)


def _yaml_problem(data: bytes) -> str | None:
    """Why ``data`` is not YAML (a duplicate key, a syntax error), or None."""
    if is_large(data):  # libyaml's reading: ruamel's takes ~10 s per MB
        return large_problem(data)
    try:
        with warnings.catch_warnings():  # ruamel warns of reused anchors on stderr
            warnings.simplefilter("ignore")
            for _ in YAML(typ="rt").load_all(data):
                pass
    except MarkedYAMLError as exc:
        where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        return f"{exc.problem or exc.context}{where}"
    except (YAMLError, ValueError) as exc:  # ValueError: a date like 2024-13-45
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    except (KeyError, AssertionError, RecursionError, TypeError) as exc:
        # ruamel's constructors fail so on `!!bool maybe`, a repeated `!!omap`
        # key, brackets nested too deep: none of it is a document.
        return f"{type(exc).__name__}: {exc}"
    return None


def _toml_problem(data: bytes) -> str | None:
    try:
        tomllib.loads(data.decode())
    except UnicodeDecodeError:
        return "not UTF-8"
    except tomllib.TOMLDecodeError as exc:
        return str(exc)
    return None


def _json_problem(data: bytes) -> str | None:
    """Why ``data`` is not JSON (a repeated key included), or None."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise ValueError(f"key {key!r} appears twice in one object")
            seen.add(key)
        return dict(pairs)

    try:
        json.loads(data.decode("utf-8-sig"), object_pairs_hook=unique)
    except UnicodeDecodeError:
        return "not UTF-8"
    except RecursionError:
        return "nested too deep"
    except ValueError as exc:  # json.JSONDecodeError is one
        return str(exc)
    return None


_PARSERS: dict[Driver, Callable[[bytes], str | None]] = {
    "yaml": _yaml_problem,
    "toml": _toml_problem,
    "json": _json_problem,
}
