"""The answers the service recorded, given to copier as its last answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from synctool.blueprint import copiererrors, sources
from synctool.blueprint.render.job import Job, Prompts
from synctool.errors import InputError

if TYPE_CHECKING:
    from copier._main import Worker


def recall(worker: Worker, recorded: Mapping[str, Any]) -> bool:
    """Give copier the service's recorded answers as its last answers (what
    `copier update` reads from the answers file); False if copier moved them
    (then they are given as answers given now, and when-false ones stay)."""
    if not recorded:
        return False
    subproject = worker.subproject
    if isinstance(getattr(type(subproject), "last_answers", None), cached_property):
        questions = worker.template.questions_data
        subproject.__dict__["last_answers"] = {
            key: _typed(questions.get(key), value) for key, value in recorded.items()
        }
        return True
    worker.data = {**recorded, **worker.data}
    return False


def missing_error(job: Job, missing: list[str], prompts: Prompts) -> InputError:
    """No answer for ``missing``: a recorded one copier refused says so."""
    refused = [
        name for name in missing if name in job.recorded and name not in job.data
    ]
    if refused:
        return _refused(job, refused[0], None)
    return copiererrors.missing_answers(
        missing, defaults=prompts != "record", operation=job.operation
    )


def _refused(job: Job, key: str, default: Any) -> InputError:
    instead = f" (its default would be {default!r})" if default is not None else ""
    return InputError(
        f"the recorded answer {key}: {job.recorded[key]!r} is not valid for "
        f"blueprint {sources.shown(job.src, job.ref)}{instead}.",
        copiererrors.answer_hint([key], job.operation, "a valid one"),
    )


def _typed(question: object, value: Any) -> Any:
    """A recorded answer as its question's type: copier checks a last answer
    cast but renders it raw, and `.synctool.yml` may say `flag: no` or
    `port: "9000"`. One that does not cast stays as it is (copier drops it)."""
    from copier._tools import cast_to_bool

    kind = question.get("type") if isinstance(question, Mapping) else None
    casts: dict[str, Callable[[Any], Any]] = {
        "bool": cast_to_bool,
        "int": int,
        "float": float,
    }
    cast = casts.get(str(kind))
    if cast is None or isinstance(value, bool) or not isinstance(value, str | int):
        return value
    try:
        return cast(value)
    except (TypeError, ValueError):
        return value


def check_recorded(worker: Worker, job: Job, answers: Mapping[str, Any]) -> None:
    """A recorded answer this version refuses is an error: copier drops it
    from its last answers without a word and takes the default, and the
    service's answer must not change behind its back."""
    last = getattr(getattr(worker, "answers", None), "last", None)
    if not isinstance(last, Mapping):
        return
    questions = worker.template.questions_data
    hidden = set(worker.answers.hidden)
    # On a terminal copier asked for each refused answer: the one typed stands.
    typed_now = getattr(worker.answers, "user", {}) if job.interactive else {}
    for key in job.recorded:
        if key in job.data or key not in questions or key in hidden or key in last:
            continue
        if key in typed_now:
            continue
        raise _refused(job, key, answers.get(key))
