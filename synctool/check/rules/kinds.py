"""Evaluate rules over a set of files: one pass over the paths, then per kind.

Pure: files come through a FileSource (the caller decides what "the files"
are: git's tracked and staged paths), nothing is printed, nothing is written.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator, Sequence
from typing import NamedTuple, Protocol

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from synctool.check.rules.schema import (
    BehindCheck,
    PathMatcher,
    Rule,
    Severity,
    TextCheck,
    YamlCheck,
    compile_paths,
    union_regex,
)
from synctool.check.rules.yamlpath import (
    Node,
    node_line,
    same_value,
    scalar_text,
    select,
    to_plain,
)


class Finding(NamedTuple):
    rule: str  # rule id (or "waiver-expired", ...)
    severity: Severity
    path: str | None  # None: about the repository, not one file
    line: int | None  # 1-based
    message: str  # names the concrete thing; the location is path and line
    hint: str | None = None


class OnlineInfo(NamedTuple):
    current: str  # blueprint version the service declares
    latest: str  # newest release of the blueprint
    releases_behind: int


class FileSource(Protocol):
    def paths(self) -> Sequence[str]:
        """Every candidate file, POSIX relative (what git tracks or stages)."""
        ...

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when it cannot be read."""
        ...


def evaluate(
    rules: Sequence[Rule], files: FileSource, *, online_info: OnlineInfo | None = None
) -> list[Finding]:
    """Every finding of `rules` over `files`, sorted by path, line and rule."""
    slots: list[PathMatcher] = []  # required rules match pattern by pattern
    owners: list[range] = []
    for rule in rules:
        parts: list[tuple[str, ...]]
        if rule.kind == "required":
            parts = [(pattern,) for pattern in rule.paths]
        else:
            parts = [rule.paths] if rule.paths else []
        owners.append(range(len(slots), len(slots) + len(parts)))
        slots.extend(compile_paths(part) for part in parts)
    hits = _match_paths(slots, files.paths())
    reader = _Reader(files)
    findings: list[Finding] = []
    for rule, owned in zip(rules, owners, strict=True):
        matched = [hits[slot] for slot in owned]
        findings.extend(_evaluate_rule(rule, matched, reader, online_info))
    return sorted(
        findings, key=lambda f: (f.path or "", f.line or 0, f.rule, f.message)
    )


def _match_paths(slots: Sequence[PathMatcher], paths: Sequence[str]) -> list[list[str]]:
    hits: list[list[str]] = [[] for _ in slots]
    includes = [m.include_regex for m in slots]
    joined = None if None in includes else union_regex([r for r in includes if r])
    # Most paths of a big repo (the app's own code) match no rule: one C-level
    # regex call rejects them before any per-rule work.
    prefilter = re.compile(joined).match if joined is not None else None
    indexed = list(enumerate(slots))
    for path in paths:
        if prefilter is not None and prefilter(path) is None:
            continue
        for slot, matcher in indexed:
            if matcher(path):
                hits[slot].append(path)
    return hits


class _Reader:
    """Reads each file at most once, however many rules look at it."""

    def __init__(self, files: FileSource) -> None:
        self._files = files
        self._text: dict[str, tuple[bool, str | None]] = {}  # (readable, text)
        self._yaml: dict[str, list[object] | Finding] = {}
        self._yaml_rt: dict[str, list[object] | Finding] = {}
        self._loader = YAML(typ="rt")
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
                cache[path] = _parse_error(path, None, "not valid UTF-8")
            elif lines and path in self._refused:
                cache[path] = self._yaml[path]  # never walk an alias bomb
            elif lines:
                cache[path] = self._load(path, text)
            else:
                cache[path], refused = _load_fast(path, text)
                if refused:
                    self._refused.add(path)
        return cache[path]

    def _load(self, path: str, text: str) -> list[object] | Finding:
        if path not in self._yaml:  # the fast loader refuses alias bombs
            fast, refused = _load_fast(path, text)
            if refused:
                return fast
        try:
            return [doc for doc in self._loader.load_all(text) if doc is not None]
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            return _parse_error(path, line, exc.problem or exc.context or str(exc))
        except YAMLError as exc:
            return _parse_error(path, None, str(exc).splitlines()[0])
        except ValueError as exc:  # ruamel's constructors: `date: 2026-02-30`
            return _parse_error(path, None, str(exc))
        except RecursionError:
            from synctool.fastyaml import TOO_DEEP  # pyyaml: imported on use

            return _parse_error(path, None, TOO_DEEP)


def _parse_error(path: str, line: int | None, problem: str) -> Finding:
    return Finding(
        "",
        "error",
        path,
        line,
        f"could not parse YAML: {problem}",
        "fix the YAML, or exclude the file from the rule's paths "
        "(Helm templates are not YAML)",
    )


def _evaluate_rule(
    rule: Rule, matched: list[list[str]], reader: _Reader, online: OnlineInfo | None
) -> Iterator[Finding]:
    check = rule.check
    if rule.kind == "required":
        for pattern, paths in zip(rule.paths, matched, strict=True):
            if not paths:
                yield _missing(rule, pattern)
        return
    if isinstance(check, BehindCheck):
        if online is not None and online.releases_behind > check.releases:
            detail = (
                f"blueprint {online.current} is {online.releases_behind} "
                f"release{'' if online.releases_behind == 1 else 's'} "
                f"behind {online.latest} (at most {check.releases} allowed)"
            )
            yield _finding(rule, None, None, detail, detail, "run `synctool update`")
        return
    paths = matched[0]
    if rule.kind == "forbidden":
        for path in paths:
            hint = f"git rm --cached {shlex.quote(path)}, and add it to .gitignore"
            yield _finding(rule, path, None, None, "file must not be committed", hint)
        return
    if getattr(check, "required", False) and not paths:
        yield _nothing_matched(rule)
    for path in paths:
        if isinstance(check, TextCheck):
            text = reader.text(path)
            if text is not None:  # unreadable or binary: not a text file
                yield from _text_rule(rule, check, path, text)
        elif isinstance(check, YamlCheck):
            yield from _yaml_file(rule, check, path, reader)


def _yaml_file(
    rule: Rule, check: YamlCheck, path: str, reader: _Reader
) -> Iterator[Finding]:
    docs = reader.yaml(path)
    if isinstance(docs, Finding):
        docs = reader.yaml(path, lines=True)  # the round-trip loader names the line
        if isinstance(docs, Finding):
            yield docs._replace(rule=rule.id, severity=rule.severity)
            return
    if docs is None:
        return
    try:
        if not any(next(_yaml_rule(rule, check, path, doc), None) for doc in docs):
            return
        # Something failed: evaluate again on round-trip nodes, which know lines.
        exact = reader.yaml(path, lines=True)
        found = [
            f
            for doc in (exact if isinstance(exact, list) else docs)
            for f in _yaml_rule(rule, check, path, doc)
        ]
    except RecursionError:  # a document thousands of levels deep
        from synctool.fastyaml import TOO_DEEP

        yield _parse_error(path, None, TOO_DEEP)._replace(
            rule=rule.id, severity=rule.severity
        )
        return
    yield from found


def _load_fast(path: str, text: str) -> tuple[list[object] | Finding, bool]:
    """The documents or a parse error; True when refused for its aliases
    (then no other loader may read it: walking it would never end)."""
    from synctool import fastyaml

    try:
        return fastyaml.load_all(text), False
    except fastyaml.FastYAMLError as exc:
        refused = isinstance(exc, fastyaml.AliasBombError)
        return _parse_error(path, exc.line, exc.problem), refused


def _finding(
    rule: Rule,
    path: str | None,
    line: int | None,
    detail: str | None,
    generated: str,
    hint: str | None,
) -> Finding:
    """The rule's own message (plus the concrete detail) or the generated one."""
    if rule.message is None:
        message = generated
    elif detail is None:
        message = rule.message
    else:
        message = f"{rule.message.rstrip('. ')}: {detail}"
    return Finding(rule.id, rule.severity, path, line, message, rule.hint or hint)


def _missing(rule: Rule, pattern: str) -> Finding:
    literal = not any(c in pattern for c in "*?[")
    detail = (
        f"{pattern.lstrip('/')} is missing" if literal else f"no file matches {pattern}"
    )
    hint = f"add {pattern.lstrip('/')}" if literal else f"add a file matching {pattern}"
    return _finding(rule, None, None, detail, detail, hint)


def _nothing_matched(rule: Rule) -> Finding:
    detail = f"no file matches {', '.join(rule.paths)}"
    return _finding(rule, None, None, detail, detail, "add the file, or fix paths")


def _text_rule(rule: Rule, check: TextCheck, path: str, text: str) -> Iterator[Finding]:
    pattern = re.compile(check.pattern, re.MULTILINE)
    shown = f"/{check.pattern}/"
    if rule.kind == "not-contains":
        lineno, pos = 1, 0
        for match in pattern.finditer(text):
            lineno += text.count("\n", pos, match.start())
            pos = match.start()
            snippet = _snippet(text, pos)
            yield _finding(
                rule, path, lineno, snippet, f"{snippet} matches {shown}", "remove it"
            )
        return
    if check.where is None:
        if pattern.search(text) is None:
            hint = f"add a line matching {shown}"
            yield _finding(rule, path, None, None, f"no match of {shown}", hint)
        return
    where = re.compile(check.where, re.MULTILINE)
    chosen = [
        (n, line) for n, line in enumerate(text.split("\n"), 1) if where.search(line)
    ]
    failing = [(n, line) for n, line in chosen if pattern.search(line) is None]
    hint = f"make it match {shown}"
    if not chosen and check.mode != "all":
        detail = f"no line matches /{check.where}/"
        yield _finding(rule, path, None, detail, detail, hint)
    elif check.mode == "any" and len(failing) == len(chosen) and chosen:
        detail = f"no line matching /{check.where}/ matches {shown}"
        yield _finding(rule, path, None, detail, detail, hint)
    elif check.mode == "last" and failing and failing[-1] == chosen[-1]:
        n, line = chosen[-1]
        generated = (
            f"{_clip(line)} does not match {shown} (last line matching /{check.where}/)"
        )
        yield _finding(rule, path, n, _clip(line), generated, hint)
    elif check.mode == "all":
        for n, line in failing:
            generated = f"{_clip(line)} does not match {shown}"
            yield _finding(rule, path, n, _clip(line), generated, hint)


def _snippet(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return _clip(text[start : end if end >= 0 else len(text)])


def _clip(text: str, width: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 3] + "..."


def _show(value: object) -> str:
    return _clip(json.dumps(to_plain(value), ensure_ascii=False, default=str), 60)


def _yaml_rule(
    rule: Rule, check: YamlCheck, path: str, doc: object
) -> Iterator[Finding]:
    for where_path, wanted in check.where:
        found = select(doc, where_path).nodes
        if not any(same_value(to_plain(n.value), wanted) for n in found):
            return  # not a document this rule is about (e.g. not a Deployment)
    selection = select(doc, check.select)
    expr, value = check.select.text, check.value
    if check.assertion == "includes":
        flat = [v for n in selection.nodes for v in _flatten(n.value)]
        if not any(same_value(v, value) for v in flat):
            seen = ", ".join(_show(v) for v in flat[:5]) or "nothing"
            detail = f"{expr} does not include {_show(value)} (found: {seen})"
            hint = f"add {_show(value)} to {expr}"
            yield _finding(rule, path, node_line(doc), detail, detail, hint)
        return
    if check.assertion == "absent":
        for node in selection.nodes:
            detail = f"{node.where} is present"
            yield _finding(
                rule, path, node.line, detail, detail, f"remove {node.where}"
            )
        return
    want, hint = _want(check)
    for miss in () if check.allow_missing else selection.misses:
        detail = f"{miss.where} {miss.reason}"
        generated = detail if check.assertion == "exists" else f"{detail}, {want}"
        yield _finding(rule, path, miss.line, detail, generated, hint)
    if check.assertion == "exists" and not selection.nodes and not selection.misses:
        detail = f"{expr} selects nothing"
        yield _finding(rule, path, node_line(doc), detail, detail, hint)
    for node in selection.nodes:
        problem = _node_problem(check, node)
        if problem is not None:
            yield _finding(rule, path, node.line, problem, f"{problem}, {want}", hint)


def _want(check: YamlCheck) -> tuple[str, str]:
    """What the assertion expects, and a hint to get there."""
    if check.assertion == "matches":
        return f"expected to match /{check.value}/", f"make it match /{check.value}/"
    if check.assertion == "equals":
        return f"expected {_show(check.value)}", f"set it to {_show(check.value)}"
    return "expected it to exist", f"set {check.select.text}"


def _node_problem(check: YamlCheck, node: Node) -> str | None:
    """Why `node` fails an equals / matches assertion (None: it passes)."""
    if check.assertion == "equals":
        if same_value(to_plain(node.value), check.value):
            return None
        return f"{node.where} is {_show(node.value)}"
    if check.assertion == "matches":
        text = scalar_text(node.value)
        if text is None:
            return f"{node.where} is not a scalar"
        if re.search(str(check.value), text, re.MULTILINE):
            return None
        return f"{node.where} is {_show(node.value)}"
    return None


def _flatten(value: object) -> list[object]:
    plain = to_plain(value)
    return list(plain) if isinstance(plain, list) else [plain]
