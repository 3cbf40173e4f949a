"""What synctool swaps into copier for one run: its prompt, its
``_copier_operation``, its stderr."""

from __future__ import annotations

import contextvars
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from synctool.blueprint.render.job import Operation, Prompts


@contextmanager
def record_prompts(missing: list[str], mode: Prompts) -> Iterator[None]:
    """Off a TTY, record each question copier would ask instead of asking it.

    Recording all of them (answering with the default meanwhile) lets the
    error list every missing answer at once rather than one per attempt.
    In "default-or-record" mode a question with a default (or a recorded
    answer) takes it, as copier's --defaults does, and only the others count.
    """
    if mode == "ask":
        yield
        return
    import copier._main as copier_main
    from copier._types import MISSING

    def record(
        questions: list[dict[str, Any]], answers: dict[str, Any]
    ) -> dict[str, Any]:
        question = questions[0]
        name = str(question["name"])
        default = answers.get(name, MISSING)
        if mode == "default-or-record" and default is not MISSING:
            return {name: default}
        when = question.get("when", True)
        if callable(when):  # copier hands questionary a function of the answers
            when = when(answers)
        if when is not False:
            missing.append(name)
        return {name: default}

    # copier asks through this module-level name; swapping it is the narrowest
    # hook there is (copier has no "fail on missing answers" switch).
    original = getattr(copier_main, "unsafe_prompt")  # noqa: B009
    setattr(copier_main, "unsafe_prompt", record)  # noqa: B010
    try:
        yield
    finally:
        setattr(copier_main, "unsafe_prompt", original)  # noqa: B010


@contextmanager
def set_operation(operation: Operation) -> Iterator[None]:
    """Set what templates see as ``_copier_operation`` (copier's own
    decorator keeps a value already set)."""
    import copier._main as copier_main

    var = getattr(copier_main, "_operation", None)
    if not isinstance(var, contextvars.ContextVar):
        yield  # copier moved it: every render is a "copy" then
        return
    token = var.set(operation)
    try:
        yield
    finally:
        var.reset(token)


@contextmanager
def quiet_copier() -> Iterator[None]:
    """copier prints to stderr on its own; synctool's ui owns the terminal."""
    saved = sys.stderr
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - closed below
    try:
        yield
    finally:
        sys.stderr.close()
        sys.stderr = saved
