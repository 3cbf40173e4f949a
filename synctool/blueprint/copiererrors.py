"""copier's failures, told as one sentence that says what to do.

copier raises its own errors, Jinja's, YAML's, pydantic's and, for some
malformed templates, plain TypeErrors from deep inside. Each becomes a
BlueprintError (the blueprint must be fixed) or an InputError (the answers
must be), naming the template file and line where there is one, never the
temporary folder copier cloned into. An error raised by synctool's own code,
with no copier or Jinja frame on the way, is left alone: that is a bug, and
the crash report says where.

Exceptions are recognised by class name, so this module never imports copier.
"""

from __future__ import annotations

import re
import sys
import traceback
import types
import warnings
from typing import TYPE_CHECKING

from synctool.errors import BlueprintError, InputError
from synctool.service.names import DECLARED

if TYPE_CHECKING:
    from synctool.blueprint.render.job import Operation

# Where copier's files live while it renders: its temporary clone, or a kept
# checkout (synctool.blueprint.checkouts). Paths inside are shown relative to them.
_TEMP_ROOT = re.compile(
    r"[^\s'\"]*?(?:copier\._vcs\.clone\.[^/\s'\"]+|checkouts/[0-9a-f]{64}/tree"
    r"|synctool-render-[^/\s'\"]+/out)/"
)
# Modules whose errors mean the template (or an answer) is at fault.
_THIRD_PARTY = (
    "copier",
    "jinja2",
    "yaml",
    "ruamel",
    "pydantic",
    "plumbum",
    "questionary",
    "funcy",
    "dunamai",
    "packaging",
    "jinja2_ansible_filters",
)


def answer_hint(names: list[str], operation: Operation, what: str = "it") -> str:
    """How the command at hand takes an answer to ``names``: a new service
    (init, adopt: ``copy``) on its command line, a sync (``update``) from
    `.synctool.yml` or `synctool update --data`; ``what``: "it", "them", "a
    valid one"..."""
    if operation == "update":
        return (
            f"Set {what} under `answers:` in {DECLARED} and sync, or run "
            f"`synctool update --data {names[0]}=VALUE`."
        )
    example = " ".join(f"--data {name}=VALUE" for name in names[:3])
    return f"Pass {what}: {example} (or --data-file FILE)."


class RequiredAnswer(InputError):
    """copier stopped at a question with neither an answer nor a default."""

    def __init__(self, name: str, operation: Operation) -> None:
        super().__init__(
            f"question {name!r} has no default and no answer.",
            answer_hint([name], operation),
        )
        self.name = name


def warning_text(w: warnings.WarningMessage) -> str:
    name = type(w.message).__name__
    if name == "DirtyLocalWarning":
        return "the blueprint has uncommitted changes; they were rendered, but no release holds them"
    if name in {
        "ShallowCloneWarning",
        "OldTemplateWarning",
        "UnknownCopierVersionWarning",
    }:
        return str(w.message)
    return ""


def missing_answers(
    names: list[str], *, defaults: bool, operation: Operation
) -> InputError:
    """Every question left without an answer; ``defaults``: the others took theirs."""
    unique = list(dict.fromkeys(names))
    hint = answer_hint(unique, operation, "it" if len(unique) == 1 else "them")
    if not defaults:
        hint = (
            hint.removesuffix(".")
            + ", or use --defaults for the questions that have one."
        )
    return InputError("no answer for: " + ", ".join(unique) + ".", hint)


def translate(
    exc: Exception, src: str, ref: str | None, operation: Operation = "copy"
) -> Exception:
    """The error to show for ``exc``, raised while rendering ``src`` at ``ref``
    for ``operation`` (which says how the command takes an answer)."""
    if isinstance(exc, BlueprintError | InputError):
        return exc
    kinds = {c.__name__ for c in type(exc).__mro__}
    text = _first_line(exc)
    if "UnsafeTemplateError" in kinds:
        features = text.split(": ", 1)[-1].rstrip(".")  # copier ends it in a period
        return BlueprintError(
            f"the blueprint {src} runs code on your machine ({features}).",
            "Re-run with --trust if you trust it, or list it under `trust` in copier's settings.",
        )
    if "ExtensionNotFoundError" in kinds:
        return missing_extension(src, _missing_module(exc))
    # copier-template-extensions' loader, once loaded in the process, says it
    # its own way: "Could not import extension 'Slug' from 'acme_helpers'".
    found = _NOT_IMPORTED.search(text)
    if found:
        return missing_extension(src, found.group(2) or found.group(1))
    if kinds & {"ForbiddenPathError", "PathError"}:
        return BlueprintError(
            f"the blueprint renders a path outside the service: {text}.",
            "Fix the template's file names; nothing was written.",
        )
    if "InvalidConfigFileError" in kinds or "MultipleConfigFilesError" in kinds:
        return _config_error(exc, src, text)
    answer = _answer_error(exc, text, operation)
    if answer is not None:
        return answer
    if "ProcessExecutionError" in kinds:
        stderr = str(getattr(exc, "stderr", "") or "").strip().splitlines()
        fatal = [line for line in stderr if line.startswith(("fatal:", "error:"))]
        why = (fatal or stderr or [text])[0]
        what = f"ref {ref!r} of " if ref else ""
        return BlueprintError(
            f"could not check out {what}the blueprint {src}: {why}",
            "Check the source and that the ref (a tag or commit) exists.",
        )
    if "TemplateSyntaxError" in kinds:
        where = _where(getattr(exc, "name", None), getattr(exc, "lineno", None))
        return BlueprintError(
            f"the blueprint {src} has a Jinja syntax error{where}: {text}.",
            "Fix the template and release a new version; nothing was written.",
        )
    if "TemplateError" in kinds:  # UndefinedError and the like, while rendering
        name, line = _template_frame(exc)
        return BlueprintError(
            f"the blueprint {src} could not be rendered{_where(name, line)}: {text}.",
            "Fix the template (or pass the answer it needs with --data); nothing was written.",
        )
    question = _question(exc)
    if question is not None and (
        "InvalidTypeError" in kinds or isinstance(exc, ValueError | TypeError)
    ):
        return InputError(
            f"the answer to {question!r} is not valid ({text.rstrip('.')}).",
            answer_hint([question], operation, "a valid one"),
        )
    if "CopierError" in kinds or isinstance(exc, ValueError | OSError):
        return BlueprintError(f"the blueprint {src} could not be rendered: {text}")
    if _from_third_party(exc):  # e.g. a TypeError from a copier.yml of the wrong shape
        return BlueprintError(
            f"the blueprint {src} could not be rendered ({type(exc).__name__}: {text}).",
            "Check its copier.yml and templates; nothing was written.",
        )
    return exc


_NOT_IMPORTED = re.compile(r"Could not import extension '([^']+)'(?: from '([^']+)')?")


def _missing_module(exc: BaseException) -> str:
    """The module a failed extension import named ("No module named 'x'")."""
    for line in str(exc).splitlines():
        found = re.search(r"No module named '([^']+)'", line)
        if found:
            return found.group(1)
    cause = exc.__cause__ or exc.__context__
    name = getattr(cause, "name", None)
    return str(name) if name else "one of them"


def missing_extension(src: str, module: str) -> BlueprintError:
    """The blueprint's Jinja extension is not installed where synctool runs."""
    package = module.split(".")[0].replace("_", "-")
    return BlueprintError(
        f"the blueprint {src} uses a Jinja extension from the module {module!r}, "
        "which is not installed beside synctool.",
        f"Install it into synctool's environment (`pip install {package}` in the "
        f"same venv, or `pipx inject synctool {package}`), then run again.",
    )


def _answer_error(exc: Exception, text: str, operation: Operation) -> InputError | None:
    if not isinstance(exc, ValueError):
        return None
    named = re.match(r"Validation error for question '([^']+)'", text)
    if text.startswith("Validation error for question"):
        name = named.group(1) if named else "KEY"
        return InputError(
            text.rstrip(".") + ".", answer_hint([name], operation, "a valid value")
        )
    choice = re.match(r"Invalid choice for '([^']+)'", text)
    if choice:
        name = choice.group(1)
        return InputError(
            text.rstrip(".") + ".",
            answer_hint([name], operation, "one of the question's choices"),
        )
    required = re.match(r'Question "([^"]+)" is required', text)
    if required:
        return RequiredAnswer(required.group(1), operation)
    return None


def _config_error(exc: Exception, src: str, text: str) -> BlueprintError:
    """copier.yml that is not valid YAML: the file and line, from YAML's mark."""
    cause: BaseException | None = exc
    while cause is not None:
        mark = getattr(cause, "problem_mark", None) or getattr(
            cause, "context_mark", None
        )
        if mark is not None:
            problem = getattr(cause, "problem", None) or getattr(cause, "context", "")
            name = _relative(str(getattr(mark, "name", "") or "")) or "copier.yml"
            if name.startswith("<"):
                name = "copier.yml"
            return BlueprintError(
                f"the blueprint {src}: {name}:{mark.line + 1}: malformed YAML: {problem}.",
                "Fix it and release a new version; nothing was written.",
            )
        cause = cause.__cause__ or cause.__context__
    return BlueprintError(
        f"the blueprint {src} has an invalid copier.yml: {_relative(text)}.",
        "Fix it and release a new version; nothing was written.",
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return _relative(line)


def _relative(text: str) -> str:
    return _TEMP_ROOT.sub("", text)


def _where(name: object, line: object) -> str:
    if not name:
        return ""
    return f" in {_relative(str(name))}" + (f":{line}" if line else "")


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template (not Python) frame: Jinja puts its file and line
    in the traceback."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if (
            frame.filename
            and not frame.filename.endswith(".py")
            and "<" not in frame.filename
        ):
            return _relative(frame.filename), frame.lineno
    return None, None


def _frames(exc: BaseException) -> list[types.FrameType]:
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _from_third_party(exc: BaseException) -> bool:
    """Raised in copier or a library it uses (the innermost frame), not in
    synctool's own code: a synctool bug must stay a crash with a report."""
    for frame in reversed(_frames(exc)):
        top = str(frame.f_globals.get("__name__", "")).split(".")[0]
        if top in sys.stdlib_module_names:
            continue  # e.g. a ChainMap given a list where copier expects a mapping
        return top in _THIRD_PARTY
    return False


def _question(exc: BaseException) -> str | None:
    """The question copier was reading an answer for, if it raised there."""
    for frame in reversed(_frames(exc)):
        owner = frame.f_locals.get("self")
        name = getattr(owner, "var_name", None)
        if type(owner).__name__ == "Question" and isinstance(name, str):
            return name
    return None
