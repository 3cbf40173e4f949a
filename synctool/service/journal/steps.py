"""A hook between the journal's steps, for tests that kill the process there."""

from __future__ import annotations

from collections.abc import Callable

# Tests set this to kill the process between steps; production leaves it None.
step_hook: Callable[[str], None] | None = None


def step(name: str) -> None:
    if step_hook is not None:
        step_hook(name)
