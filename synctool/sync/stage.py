"""Where a sync is, for the line a Ctrl-C prints (what state it leaves)."""

from __future__ import annotations


class Stage:
    def __init__(self) -> None:
        self.state = "interrupted: nothing was written."
        self.hint = ""

    def now(self, state: str, hint: str = "") -> None:
        self.state, self.hint = state, hint
