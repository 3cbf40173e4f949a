"""`synctool fleet update|check|plan`: one command over many service repos.

The per-repo work lives in synctool.fleet. Here, selection.py checks the
options and picks the repos (bad input is exit 2 before any repo is
touched), running.py runs them through the mapper with live progress, and
check.py, update.py and plan.py print each command's summary and write its
report. Exit 0 when every repo is fine, 1 when some have conflicts,
findings or failed (130 on Ctrl-C, as every command).
"""

from __future__ import annotations

from synctool.commands.fleet.check import run_check
from synctool.commands.fleet.plan import run_plan
from synctool.commands.fleet.selection import Selection
from synctool.commands.fleet.update import run_update
from synctool.fleet.update import UpdateOptions

__all__ = ["Selection", "UpdateOptions", "run_check", "run_plan", "run_update"]
