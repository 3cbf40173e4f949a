"""Values read from YAML: made plain, or refused with a sentence saying why."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synctool.errors import InputError

_DATE = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")
_LONG_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{4000,}")


def invalid_value(path: Path, text: str, exc: ValueError) -> InputError:
    """A value YAML reads but Python cannot build: each kind its own sentence."""
    for number, line in enumerate(text.splitlines(), start=1):
        if _LONG_NUMBER.search(line):
            return InputError(
                f"{path.name}:{number}: a number with thousands of digits, too "
                "long to read.",
                "Quote it if it is text, or shorten it.",
            )
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DATE.finditer(line):
            try:
                dt.date.fromisoformat(match.group(0))
            except ValueError:
                return InputError(
                    f"{path.name}:{number}: {match.group(0)} is not a date.",
                    "Fix the date (YYYY-MM-DD), or quote it if it is text.",
                )
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputError(
        f"{path.name}: a value cannot be read ({reason}).",
        "Fix the value, or quote it if it is text.",
    )


def anchored_bool(value: object) -> bool:
    """ruamel's ScalarBoolean (an anchored bool: `&x true`), an int that is
    no bool. Only round-trip data holds one, and then ruamel is loaded: the
    fast path never imports it."""
    module = sys.modules.get("ruamel.yaml.scalarbool")
    return module is not None and isinstance(value, module.ScalarBoolean)


def plain(value: Any) -> Any:
    """Round-trip YAML types -> plain dicts (keys as text), lists and scalars:
    answers as they are recorded and compared. (check/rules/yamlvalues.py's
    ``to_plain`` keeps keys' own types and dates, for a rule's values.)"""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or anchored_bool(value):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value
