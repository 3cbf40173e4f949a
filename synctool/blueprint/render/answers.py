"""The answers given now, checked against the questions, and the answers a
render ends with: what the service records, and the secret values it must not.

(Parsing --data and --data-file is synctool.blueprint.answers.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from synctool.errors import InputError

if TYPE_CHECKING:
    from copier._main import Worker

_CASTS: dict[str, Callable[[str], object]] = {"int": int, "float": float}


def check_types(questions: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Name an answer to no question (copier ignores it: a typo would be
    lost without a word) or of the wrong type (copier's error doesn't)."""
    for key in data:
        if key not in questions:
            import difflib

            near = difflib.get_close_matches(key, [str(q) for q in questions], n=1)
            raise InputError(
                f"--data {key}: the blueprint has no question {key!r}"
                + (f" (did you mean {near[0]!r}?)." if near else "."),
                "Its questions: " + (", ".join(map(str, questions)) or "none") + ".",
            )
    for key, value in data.items():
        kind = str((questions.get(key) or {}).get("type", "str"))
        cast = _CASTS.get(kind)
        if cast is None or not isinstance(value, str):
            continue
        try:
            cast(value)
        except ValueError:
            raise InputError(
                f"answer {key}={value!r} is not a valid {kind}.",
                f"Pass a number: --data {key}=...",
            ) from None


def answers_to_record(worker: Worker) -> dict[str, Any]:
    hidden = set(worker.answers.hidden) | set(worker.template.secret_questions)
    questions = worker.template.questions_data
    return {
        str(key): value
        for key, value in worker.answers.combined.items()
        if key in questions and key not in hidden and not str(key).startswith("_")
    }


def secret_values(worker: Worker) -> tuple[str, ...]:
    """The values of the answers to `secret: true` questions, as text."""
    secret = set(worker.template.secret_questions)
    values = {
        str(value)
        for key, value in worker.answers.combined.items()
        if key in secret and value is not None and not isinstance(value, bool)
    }
    return tuple(sorted(v for v in values if v))
