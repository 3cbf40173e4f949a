"""Output for machines: JSON, annotations and documents, never styled, even when -q."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from synctool.ui.console import shown


def emit_json(payload: Any) -> None:
    """Machine-readable output: plain JSON on stdout, never styled, never quiet."""
    import json  # not for check's text output, on every commit

    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    sys.stdout.flush()


def raw_lines(texts: Iterable[str]) -> None:
    """Lines for a machine (GitHub annotations): unstyled, even when -q."""
    for text in texts:
        sys.stdout.write(shown(text) + "\n")
    sys.stdout.flush()


def emit_json_line(payload: Any) -> None:
    """Compact JSON on one line (for $GITHUB_OUTPUT), never styled, never quiet."""
    import json

    sys.stdout.write(json.dumps(payload, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def emit_text(text: str) -> None:
    """A document for a machine or a file (Markdown, HTML): as is, even when -q."""
    text = shown(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
