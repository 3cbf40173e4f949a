"""Reading and writing synctool's YAML files, a problem named by file and line.

`.synctool.yml` is written by people as well as by synctool, so it is read
and rewritten round-trip: comments, order and quoting survive. Where it is
only read (`check`, on every commit) it is loaded fast, with its lines. The
lock is machine-written, and loaded fast. ruamel is imported only where a
file is read or written round-trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synctool.errors import InputError, SynctoolError
from synctool.service import lined, parsed
from synctool.service.values import invalid_value

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import StreamMark


def yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long answer or hash across lines
    return yaml


def error_at(
    name: str,
    line: int | None,
    message: str,
    hint: str = "",
    *,
    kind: type[SynctoolError] = InputError,
) -> SynctoolError:
    """A problem in the file ``name`` at ``line`` (1-based; None or 0: unknown)."""
    where = f":{line}" if line else ""
    return kind(f"{name}{where}: {message}.", hint)


def mark_line(mark: StreamMark | None) -> int | None:
    """The 1-based line of a YAML error's mark (None: no mark)."""
    return None if mark is None else mark.line + 1


def read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"{path.name} not found in {path.parent}.",
            f"Restore it from git history (`git checkout HEAD -- {path.name}`).",
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name}: not UTF-8 text (byte {exc.start}).",
            "Save it as UTF-8, or restore it from git history.",
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    return text


def load_roundtrip(path: Path) -> Any:
    return _roundtrip(path, read_text(path))


def load_lined(path: Path) -> Any:
    """A file people write, only to be read: plain data with its lines
    (synctool.service.linedyaml), as the round-trip loader would read it."""
    text = read_text(path)
    try:
        return parsed.reading(
            "lined", text, _load_lined, encode=lined.encode, decode=lined.decode
        )
    except lined.Unsure:  # the round-trip loader's answer, or its error
        return _roundtrip(path, text)


def _load_lined(text: str) -> Any:
    from synctool.service import linedyaml

    return linedyaml.load(text)


def _roundtrip(path: Path, text: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from synctool import fastyaml

    fix = "Fix the file and run the command again."
    try:
        fastyaml.check_aliases(text)  # a bomb is refused, never expanded
        return yaml().load(text)
    except fastyaml.AliasBombError as exc:
        hint = "Write the values out instead of through aliases."
        raise error_at(path.name, exc.line, exc.problem, hint) from None
    except MarkedYAMLError as exc:
        line = mark_line(exc.problem_mark or exc.context_mark)
        problem = f"malformed YAML: {exc.problem or exc.context}"
        raise error_at(path.name, line, problem, fix) from None
    except YAMLError as exc:
        from synctool.fastyaml import reader_error

        problem, at = reader_error(exc, text)
        raise error_at(path.name, at, f"malformed YAML: {problem}", fix) from None
    except ValueError as exc:  # ruamel builds values while loading
        raise invalid_value(path, text, exc) from None


def load_safe(
    text: str,
    name: str,
    *,
    what: str = "malformed YAML",
    hint: str = "",
    kind: type[SynctoolError] = InputError,
) -> Any:
    """``text`` (from ``name``) as plain data, read by ruamel's safe loader;
    malformed YAML is ``kind`` naming ``name``, the line and ``what``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="safe").load(text)
    except MarkedYAMLError as exc:
        line = mark_line(exc.problem_mark)
        raise error_at(name, line, f"{what}: {exc.problem}", hint, kind=kind) from None
    except YAMLError as exc:
        raise kind(f"{name}: {what}: {exc}.") from None


def load_fast(path: Path) -> Any:
    """The lock is machine-written and read on every commit: load it fast."""
    return parsed.reading("plain", read_text(path), lambda text: _load_fast(path, text))


def _load_fast(path: Path, text: str) -> Any:
    from synctool import fastyaml

    try:
        return fastyaml.load(text)
    except fastyaml.FastYAMLError as exc:
        raise error_at(
            path.name,
            exc.line,
            f"malformed YAML: {exc.problem}",
            "synctool writes this file; restore it from git history.",
        ) from None


def line_of(doc: Any, key: str) -> str:
    """``:<line>`` of ``key`` in a round-trip mapping ("" when unknown)."""
    try:
        return f":{doc.lc.key(key)[0] + 1}"
    except (AttributeError, KeyError, TypeError):
        return ""


def sorted_map(value: Mapping[str, Any]) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap((key, value[key]) for key in sorted(value))
