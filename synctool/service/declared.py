"""`.synctool.yml`, the declared state: the blueprint, ref and answers asked for.

It is written by people as well as by synctool, so what is rewritten is
read round-trip (`load_declared`): comments, order and quoting survive.
What is only read (`check`, on every commit) is loaded fast, with the same
values and lines (`read_declared`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from synctool.errors import InputError
from synctool.service.names import DECLARED, LOCK
from synctool.service.values import plain
from synctool.service.yamlio import line_of, load_lined, load_roundtrip, yaml

DECLARED_KEYS = ("blueprint", "ref", "answers", "rules", "disable", "waivers")


def not_a_service(root: Path, hint: bool = True) -> InputError:
    """``root`` holds no service: it does not exist, or has no DECLARED."""
    if not root.exists():
        return InputError(f"{root} does not exist.", "Pass the service's folder.")
    made_by = next((n for n in _OTHER_TOOLS if (root / n).is_file()), None)
    if made_by is not None and hint:
        return InputError(
            f"{root} is not a synctool service (no {DECLARED}); {made_by} says "
            f"{_OTHER_TOOLS[made_by]} made it.",
            f"`synctool adopt {root}` brings it under synctool, its files unchanged.",
        )
    return InputError(
        f"{root} is not a synctool service (no {DECLARED}).",
        "Run it in a service made by `synctool init` (or brought in by `synctool "
        "adopt`), or pass its path."
        if hint
        else "",
    )


# The answers files copier and cruft leave in a project they made.
_OTHER_TOOLS = {
    ".copier-answers.yml": "copier",
    ".copier-answers.yaml": "copier",
    ".cruft.json": "cruft",
}


def refuse_existing_service(root: Path, command: str) -> None:
    """``command`` (init, adopt) makes a service: never over one that exists."""
    if (root / DECLARED).exists() or (root / LOCK).exists():
        raise InputError(
            f"{root} is already a synctool service ({DECLARED} exists).",
            f"Use `synctool update` or `synctool sync` there instead of {command}.",
        )


class Declared(NamedTuple):
    """What the service asks for: a blueprint source, a ref and the answers."""

    blueprint: str
    ref: str | None
    answers: dict[str, Any]
    # The whole document (rules, waivers, ...), its keys' lines in `.lc`:
    # round-trip (a CommentedMap) from load_declared, to be rewritten.
    doc: Mapping[str, Any]


def load_declared(root: Path) -> Declared:
    """`.synctool.yml` read round-trip: `redeclare` rewrites its document."""
    return _declared(load_roundtrip(root / DECLARED))


def read_declared(root: Path) -> Declared:
    """`.synctool.yml` only to be read: loaded fast, the same values and lines."""
    return _declared(load_lined(root / DECLARED))


def _declared(doc: Any) -> Declared:
    if not isinstance(doc, Mapping):
        raise InputError(
            f"{DECLARED}: expected a mapping with `blueprint`, `ref` and `answers`."
        )
    blueprint = doc.get("blueprint")
    if not isinstance(blueprint, str) or not blueprint:
        raise InputError(
            f"{DECLARED}{line_of(doc, 'blueprint')}: `blueprint` must name the blueprint source.",
            "Set it to a path, a git URL or `bundled`.",
        )
    for key in doc:
        if key not in DECLARED_KEYS:
            import difflib

            near = difflib.get_close_matches(str(key), DECLARED_KEYS, n=1)
            raise InputError(
                f"{DECLARED}{line_of(doc, key)}: unknown key `{key}`"
                + (f" (did you mean `{near[0]}`?)." if near else "."),
                "Its keys are " + ", ".join(f"`{k}`" for k in DECLARED_KEYS) + ".",
            )
    ref = doc.get("ref")
    if isinstance(ref, int | float | dt.date) and not isinstance(ref, bool):
        # YAML reads `ref: 1.10` as the number 1.1 (and `2024-05-01` as a
        # date): what was written is lost by then.
        what = "a date" if isinstance(ref, dt.date) else "a number"
        raise InputError(
            f"{DECLARED}{line_of(doc, 'ref')}: `ref: {ref}` reads as {what}, not a tag.",
            'Quote it as written, e.g. ref: "1.10" (unquoted, 1.10 reads as 1.1).',
        )
    if ref is not None and (not isinstance(ref, str) or not ref.strip()):
        raise InputError(
            f"{DECLARED}{line_of(doc, 'ref')}: `ref` must be a tag or commit.",
            "Write the version wanted, e.g. ref: v1.2.0, or leave `ref` out.",
        )
    return Declared(blueprint=blueprint, ref=ref, answers=_answers(doc), doc=doc)


def _answers(doc: Mapping[str, Any]) -> dict[str, Any]:
    answers = doc.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise InputError(
            f"{DECLARED}{line_of(doc, 'answers')}: `answers` must be a mapping.",
            "Write one `question: answer` per line under `answers:`.",
        )
    for key in answers:
        if not isinstance(key, str) or key.startswith("_"):
            raise InputError(
                f"{DECLARED}{line_of(answers, key)}: `{key}` is not a question's name"
                + (
                    " (names starting with _ are copier's own settings)."
                    if isinstance(key, str)
                    else "."
                ),
                "Answer the blueprint's questions only (see its copier.yml).",
            )
    answers_plain: dict[str, Any] = plain(answers)
    return answers_plain


def dump_declared(blueprint: str, ref: str | None, answers: Mapping[str, Any]) -> str:
    from ruamel.yaml.comments import CommentedMap

    doc = CommentedMap()
    doc["blueprint"] = blueprint
    doc["ref"] = ref
    doc["answers"] = CommentedMap(answers)
    buf = io.StringIO()
    buf.write(
        "# synctool: the blueprint this service follows (declared state).\n"
        "# Change `ref` or an answer, then run `synctool sync`;"
        " `synctool update` does both.\n"
    )
    yaml().dump(doc, buf)
    return buf.getvalue()


def redeclare(declared: Declared, ref: str | None, answers: Mapping[str, Any]) -> str:
    """`.synctool.yml` with a new ref and answers; the rest of the file as it was."""
    from ruamel.yaml.comments import CommentedMap

    doc = declared.doc
    if not isinstance(doc, CommentedMap):
        raise TypeError("redeclare needs the document load_declared read")
    doc["ref"] = ref
    current = doc.get("answers")
    if not isinstance(current, CommentedMap):
        current = CommentedMap()
        doc["answers"] = current
    for key in [k for k in current if k not in answers]:
        del current[key]
    for key, value in answers.items():
        if current.get(key) != value or key not in current:
            current[key] = value
    buf = io.StringIO()
    yaml().dump(doc, buf)
    return buf.getvalue()
