"""Answers given on the command line: --data KEY=VALUE and --data-file FILE."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synctool.errors import InputError
from synctool.service.yamlio import load_safe

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_data(pairs: Sequence[str], data_file: Path | None) -> dict[str, Any]:
    """Merge --data-file and --data (the latter wins); values stay strings.

    copier casts each answer by its question's type, so "8080" becomes an int
    for an int question and stays "8080" for a str one.
    """
    data: dict[str, Any] = {}
    if data_file is not None:
        data.update(_load_file(data_file))
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            raise InputError(
                f"--data {pair!r} is not KEY=VALUE.",
                "Write it as --data service_name=orders.",
            )
        _check_name(key, f"--data {key}")
        data[key] = value
    return data


def _check_name(key: str, where: str) -> None:
    """copier keeps names starting with _ for its settings and its own context."""
    if key.startswith("_"):
        raise InputError(
            f"{where}: names starting with _ are copier's own settings, not questions.",
            "Answer the blueprint's questions only (see its copier.yml).",
        )


def _load_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"--data-file {path}: cannot be read ({exc.strerror})."
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"--data-file {path}: not UTF-8 text (byte {exc.start}).",
            "Save the answers file as UTF-8.",
        ) from None
    loaded = load_safe(text, str(path), hint="Fix the answers file.")
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise InputError(f"{path}: answers must be a YAML mapping of question: answer.")
    for key in loaded:
        _check_name(key, f"--data-file {path}: {key}")
    return loaded
