"""Each file read and parsed at most once, however many rules look at it."""

from __future__ import annotations

from typing import Any

from synctool.check.rules.findings import FileSource, Finding, parse_error
from synctool.service import parsed


class Reader:
    """Reads each file at most once, however many rules look at it."""

    def __init__(self, files: FileSource) -> None:
        self._files = files
        self._text: dict[str, tuple[bool, str | None]] = {}  # (readable, text)
        self._yaml: dict[str, list[object] | Finding] = {}
        self._yaml_rt: dict[str, list[object] | Finding] = {}
        self._loader: Any = None  # ruamel's round-trip loader, made on first use
        self._refused: set[str] = set()  # aliases that expand without bound

    def _read(self, path: str) -> tuple[bool, str | None]:
        if path not in self._text:
            data = self._files.read(path)
            try:
                text = data.decode("utf-8-sig") if data is not None else None
            except UnicodeDecodeError:
                text = None
            if text is not None:
                text = text.replace("\r\n", "\n")  # CRLF checkouts: same lines
            self._text[path] = (data is not None, text)
        return self._text[path]

    def text(self, path: str) -> str | None:
        """Decoded text with LF line ends; None if unreadable or not UTF-8."""
        return self._read(path)[1]

    def yaml(self, path: str, *, lines: bool = False) -> list[object] | Finding | None:
        """The file's documents, a parse-error Finding (rule id blank), or None
        when the file cannot be read.

        Without ``lines`` a fast loader gives plain data (no positions); a
        rule that finds something asks again with ``lines`` for round-trip
        nodes that know their line. Most files pass, so most are read fast.
        """
        cache = self._yaml_rt if lines else self._yaml
        if path not in cache:
            readable, text = self._read(path)
            if not readable:
                return None
            if text is None:
                cache[path] = parse_error(path, None, "not valid UTF-8")
            elif lines and path in self._refused:
                cache[path] = self._yaml[path]  # never walk an alias bomb
            elif lines:
                cache[path] = self._load(path, text)
            else:
                cache[path], refused = load_fast(path, text)
                if refused:
                    self._refused.add(path)
        return cache[path]

    def _load(self, path: str, text: str) -> list[object] | Finding:
        if path not in self._yaml:  # the fast loader refuses alias bombs
            fast, refused = load_fast(path, text)
            if refused:
                return fast
        from ruamel.yaml import YAML  # only for a rule that found something
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        if self._loader is None:
            self._loader = YAML(typ="rt")
        try:
            return [doc for doc in self._loader.load_all(text) if doc is not None]
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            return parse_error(path, line, exc.problem or exc.context or str(exc))
        except YAMLError as exc:
            return parse_error(path, None, str(exc).splitlines()[0])
        except ValueError as exc:  # ruamel's constructors: `date: 2026-02-30`
            return parse_error(path, None, str(exc))
        except RecursionError:
            from synctool.fastyaml import TOO_DEEP  # pyyaml: imported on use

            return parse_error(path, None, TOO_DEEP)


def load_fast(path: str, text: str) -> tuple[list[object] | Finding, bool]:
    """The documents or a parse error; True when refused for its aliases
    (then no other loader may read it: walking it would never end)."""
    try:
        return parsed.reading("documents", text, _load_all), False
    except _Refused as refused:
        return parse_error(path, refused.line, refused.problem), refused.bomb


class _Refused(Exception):
    def __init__(self, line: int | None, problem: str, bomb: bool) -> None:
        self.line, self.problem, self.bomb = line, problem, bomb


def _load_all(text: str) -> list[object]:
    from synctool import fastyaml

    try:
        return fastyaml.load_all(text)
    except fastyaml.FastYAMLError as exc:
        bomb = isinstance(exc, fastyaml.AliasBombError)
        raise _Refused(exc.line, exc.problem, bomb) from None
