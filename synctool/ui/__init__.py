"""The only package that prints: results to stdout, diagnostics to stderr.

Commands call these functions; none of them knows about rich. ``-q`` silences
everything but errors and machine-readable output; ``--no-color`` and the
``NO_COLOR`` environment variable turn colour off.
"""

from synctool.ui.console import configure, escape, is_verbose, shown
from synctool.ui.fleet import ProgressFn, fleet_progress, fleet_table
from synctool.ui.machine import emit_json, emit_json_line, emit_text, raw_lines
from synctool.ui.messages import (
    action,
    crash,
    debug,
    error,
    heading,
    info,
    lines,
    warning,
)
from synctool.ui.results import FindingRow, findings, plan_table, unified_diff

__all__ = [
    "FindingRow",
    "ProgressFn",
    "action",
    "configure",
    "crash",
    "debug",
    "emit_json",
    "emit_json_line",
    "emit_text",
    "error",
    "escape",
    "findings",
    "fleet_progress",
    "fleet_table",
    "heading",
    "info",
    "is_verbose",
    "lines",
    "plan_table",
    "raw_lines",
    "shown",
    "unified_diff",
    "warning",
]
