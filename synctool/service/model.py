"""The service's two files: `.synctool.yml` (declared) and `.synctool.lock` (applied).

`.synctool.yml` is written by people as well as by synctool, so it is read
and rewritten round-trip: comments, order and quoting survive. The lock is
synctool's alone: sorted, one line per file, stable from run to run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from synctool.errors import InputError
from synctool.tree import FileEntry, Ownership

DECLARED = ".synctool.yml"
LOCK = ".synctool.lock"
JOURNAL = ".synctool-journal"  # an interrupted sync's staged writes (synctool.service.journal)
LOCK_VERSION = 1
BUNDLED = "bundled"
_CLASSES = ("managed", "merged", "seeded")
_DATE = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")
DECLARED_KEYS = ("blueprint", "ref", "answers", "rules", "disable", "waivers")
_MODES = (0o644, 0o755, 0o120000)  # a file, an executable, a symlink (as git)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class Declared(NamedTuple):
    """What the service asks for: a blueprint source, a ref and the answers."""

    blueprint: str
    ref: str | None
    answers: dict[str, Any]
    doc: CommentedMap  # the whole round-trip document (rules, waivers, ...)


class LockedFile(NamedTuple):
    # None: recorded without a hash, which could reveal what the file holds
    # (a secret answer; an ignored file): see ``locked_files``.
    sha256: str | None
    mode: int
    ownership: Ownership


class Lock(NamedTuple):
    """What was applied last: the exact blueprint commit, answers and files."""

    blueprint: str
    ref: str | None
    version: str | None
    commit: str
    answers: dict[str, Any]
    answers_digest: str
    policy: dict[str, Any]
    files: dict[str, LockedFile]
    synctool_version: str
    # What the sync left to resolve, by path as written on disk (the user's
    # path for a file they moved): CONFLICT_KINDS. `check` reads these.
    conflicts: Mapping[str, str] = MappingProxyType({})


# "markers": conflict markers in the file; "blueprint-version" / "your-version":
# a side file holding that version beside the other (resolved once deleted);
# "nested-repo": a blueprint change inside another git repository, which sync
# never writes (resolved once the file is as the lock records it).
CONFLICT_KINDS = ("markers", "blueprint-version", "your-version", "nested-repo")
NESTED_REPO = "nested-repo"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


GITIGNORE = ".gitignore"


def locked_files(
    tree: Mapping[str, FileEntry],
    ownership: Callable[[str], Ownership],
    *,
    secrets: Sequence[str] = (),
    gitignores: Sequence[Mapping[str, bytes]] = (),
) -> dict[str, LockedFile]:
    """The lock's entry for every rendered file.

    A hash of a file holding a secret answer's value would let anyone who
    reads the lock test guesses of the secret, so such a file is recorded
    without one; so is every file an ignore file lists (``gitignores``:
    sets of `.gitignore` files, path -> content), as ignored files are where
    secrets live. A file without a hash is still merged (its base comes
    from the base render) but `check` cannot see its drift.

    A guessable value (``guessable``: short, or a plain word or number such
    as the default `postgres`) is tried first by anyone and would hide the
    drift of every file that happens to hold that word: it counts for nothing.
    """
    needles = [value.encode() for value in secrets if value and not guessable(value)]
    ignored: set[str] = set()
    for files in gitignores:
        ignored |= ignored_paths(tree, files)
    return {
        rel: LockedFile(
            None
            if rel in ignored or any(n in entry.data for n in needles)
            else sha256(entry.data),
            entry.mode,
            ownership(rel),
        )
        for rel, entry in tree.items()
    }


def guessable(secret: str) -> bool:
    """A secret value a dictionary attack finds at once: under 8 characters,
    or under 16 made of digits only or of letters of one case only."""
    if len(secret) < 8:
        return True
    plain = secret.isdigit() or (
        secret.isalpha() and (secret.islower() or secret.isupper())
    )
    return plain and len(secret) < 16


def ignored_paths(paths: Iterable[str], gitignores: Mapping[str, bytes]) -> set[str]:
    """The ``paths`` that the `.gitignore` files ``gitignores`` (path ->
    content) ignore, as git reads them: a deeper file's match wins."""
    import pathspec

    specs: dict[str, pathspec.GitIgnoreSpec] = {}
    for rel, data in gitignores.items():
        if rel.rsplit("/", 1)[-1] != GITIGNORE:
            continue
        lines = data.decode("utf-8", "replace").splitlines()
        try:
            spec = pathspec.GitIgnoreSpec.from_lines(lines)
        except ValueError:  # a line git would skip: read the others
            spec = pathspec.GitIgnoreSpec.from_lines(_valid_lines(lines))
        specs[rel[: -len(GITIGNORE)].rstrip("/")] = spec
    if not specs:
        return set()
    out: set[str] = set()
    for path in paths:
        parts = path.split("/")
        verdict = None
        for n in range(len(parts)):
            here = specs.get("/".join(parts[:n]))
            if here is not None:
                found = here.check_file("/".join(parts[n:])).include
                verdict = verdict if found is None else found
        if verdict:
            out.add(path)
    return out


def _valid_lines(lines: list[str]) -> list[str]:
    import pathspec

    valid = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except ValueError:
            continue
        valid.append(line)
    return valid


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long answer or hash across lines
    return yaml


def _read(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path.name} not found in {path.parent}.") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name}: not UTF-8 text (byte {exc.start}).",
            "Save it as UTF-8, or restore it from git history.",
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    return text


def _load(path: Path) -> Any:
    from synctool import fastyaml

    text = _read(path)
    try:
        fastyaml.check_aliases(text)  # a bomb is refused, never expanded
        return _yaml().load(text)
    except fastyaml.AliasBombError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise InputError(
            f"{path.name}{where}: {exc.problem}.",
            "Write the values out instead of through aliases.",
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(
            f"{path.name}{where}: malformed YAML: {exc.problem or exc.context}.",
            "Fix the file and run the command again.",
        ) from None
    except YAMLError as exc:
        from synctool.fastyaml import reader_error

        problem, line = reader_error(exc, text)
        where = f":{line}" if line else ""
        raise InputError(
            f"{path.name}{where}: malformed YAML: {problem}.",
            "Fix the file and run the command again.",
        ) from None
    except ValueError as exc:  # ruamel builds values while loading
        raise _invalid_value(path, text, exc) from None


_LONG_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{4000,}")


def _invalid_value(path: Path, text: str, exc: ValueError) -> InputError:
    """A value YAML reads but Python cannot build: each kind its own sentence."""
    for number, line in enumerate(text.splitlines(), start=1):
        if _LONG_NUMBER.search(line):
            return InputError(
                f"{path.name}:{number}: a number with thousands of digits, too "
                "long to read.",
                "Quote it if it is text, or shorten it.",
            )
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DATE.finditer(line):
            try:
                dt.date.fromisoformat(match.group(0))
            except ValueError:
                return InputError(
                    f"{path.name}:{number}: {match.group(0)} is not a date.",
                    "Fix the date (YYYY-MM-DD), or quote it if it is text.",
                )
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputError(
        f"{path.name}: a value cannot be read ({reason}).",
        "Fix the value, or quote it if it is text.",
    )


def _line(doc: Any, key: str) -> str:
    try:
        return f":{doc.lc.key(key)[0] + 1}"
    except (AttributeError, KeyError, TypeError):
        return ""


def load_declared(root: Path) -> Declared:
    path = root / DECLARED
    doc = _load(path)
    if not isinstance(doc, CommentedMap):
        raise InputError(
            f"{DECLARED}: expected a mapping with `blueprint`, `ref` and `answers`."
        )
    blueprint = doc.get("blueprint")
    if not isinstance(blueprint, str) or not blueprint:
        raise InputError(
            f"{DECLARED}{_line(doc, 'blueprint')}: `blueprint` must name the blueprint source.",
            "Set it to a path, a git URL or `bundled`.",
        )
    for key in doc:
        if key not in DECLARED_KEYS:
            import difflib

            near = difflib.get_close_matches(str(key), DECLARED_KEYS, n=1)
            raise InputError(
                f"{DECLARED}{_line(doc, key)}: unknown key `{key}`"
                + (f" (did you mean `{near[0]}`?)." if near else "."),
                "Its keys are " + ", ".join(f"`{k}`" for k in DECLARED_KEYS) + ".",
            )
    ref = doc.get("ref")
    if isinstance(ref, int | float | dt.date) and not isinstance(ref, bool):
        # YAML reads `ref: 1.10` as the number 1.1 (and `2024-05-01` as a
        # date): what was written is lost by then.
        what = "a date" if isinstance(ref, dt.date) else "a number"
        raise InputError(
            f"{DECLARED}{_line(doc, 'ref')}: `ref: {ref}` reads as {what}, not a tag.",
            'Quote it, e.g. ref: "1.10".',
        )
    if ref is not None and (not isinstance(ref, str) or not ref.strip()):
        raise InputError(
            f"{DECLARED}{_line(doc, 'ref')}: `ref` must be a tag or commit.",
            "Write the version wanted, e.g. ref: v1.2.0, or leave `ref` out.",
        )
    answers = doc.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise InputError(
            f"{DECLARED}{_line(doc, 'answers')}: `answers` must be a mapping.",
            "Write one `question: answer` per line under `answers:`.",
        )
    for key in answers:
        if not isinstance(key, str) or key.startswith("_"):
            raise InputError(
                f"{DECLARED}{_line(answers, key)}: `{key}` is not a question's name"
                + (
                    " (names starting with _ are copier's own settings)."
                    if isinstance(key, str)
                    else "."
                ),
                "Answer the blueprint's questions only (see its copier.yml).",
            )
    return Declared(
        blueprint=blueprint,
        ref=ref,
        answers=_plain(answers),
        doc=doc,
    )


def dump_declared(blueprint: str, ref: str | None, answers: Mapping[str, Any]) -> str:
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
    _yaml().dump(doc, buf)
    return buf.getvalue()


def _load_fast(path: Path) -> Any:
    """The lock is machine-written and read on every commit: load it fast."""
    from synctool import fastyaml

    text = _read(path)
    try:
        return fastyaml.load(text)
    except fastyaml.FastYAMLError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise InputError(
            f"{path.name}{where}: malformed YAML: {exc.problem}.",
            "synctool writes this file; restore it from git history.",
        ) from None


def load_lock(root: Path) -> Lock:
    path = root / LOCK
    doc = _load_fast(path)
    if not isinstance(doc, Mapping):
        raise InputError(
            f"{LOCK}: not a synctool lock.", "Restore it from git history."
        )
    try:
        if doc.get("lock_version") != LOCK_VERSION:
            raise InputError(
                f"{LOCK}: lock_version {doc.get('lock_version')!r} is not supported by this synctool.",
                "Upgrade synctool, or restore the lock from git history.",
            )
        files: dict[str, LockedFile] = {}
        for rel, entry in (doc.get("files") or {}).items():
            if not _safe(str(rel)):
                raise ValueError(f"unsafe path {rel!r}")
            ownership = entry["class"]
            if ownership not in _CLASSES:
                raise ValueError(f"unknown class {ownership!r} for {rel}")
            digest = entry.get("sha256")  # absent: recorded without a hash
            mode = int(str(entry["mode"]), 8)
            if digest is not None and not _HEX64.match(str(digest)):
                raise ValueError(f"bad sha256 for {rel}")
            digest = None if digest is None else str(digest)
            if mode not in _MODES:
                raise ValueError(f"bad mode {entry['mode']!r} for {rel}")
            files[str(rel)] = LockedFile(digest, mode, cast(Ownership, ownership))
        answers, policy = doc.get("answers") or {}, doc.get("policy") or {}
        if not isinstance(answers, Mapping) or not isinstance(policy, Mapping):
            raise ValueError("answers and policy must be mappings")
        return Lock(
            blueprint=str(doc["blueprint"]),
            ref=None if doc.get("ref") is None else str(doc["ref"]),
            version=None if doc.get("version") is None else str(doc["version"]),
            commit=str(doc["commit"]),
            answers=_plain(answers),
            answers_digest=str(doc["answers_digest"]),
            policy=_plain(policy),
            files=files,
            synctool_version=str(doc.get("synctool_version", "")),
            conflicts=_conflicts(doc.get("conflicts")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{LOCK}: malformed ({exc}).",
            "synctool writes this file; restore it from git history.",
        ) from None


def _conflicts(raw: Any) -> Mapping[str, str]:
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, Mapping):
        raise ValueError("conflicts must be a mapping")
    for rel, kind in raw.items():
        if not _safe(str(rel)) or kind not in CONFLICT_KINDS:
            raise ValueError(f"bad conflict entry {rel!r}: {kind!r}")
    return MappingProxyType({str(rel): str(kind) for rel, kind in raw.items()})


def source_key(text: str, root: Path) -> str:
    """A blueprint source as the lock records it: a local path made absolute
    (relative to the service), anything else as written. No git, no network."""
    if (
        text == BUNDLED
        or "://" in text
        or text.startswith(("git@", "gh:", "gl:", "git+"))
    ):
        return text
    path = (root / text).expanduser()
    return str(path.resolve()) if path.exists() else text


def same_ref(declared: str | None, applied: str | None, blueprint: str) -> bool:
    """Whether the declared ref is the applied one (`v1.0.0` is the bundled `1.0.0`)."""
    if declared is None or declared == applied:
        return True
    if blueprint == BUNDLED and applied is not None:
        return declared.removeprefix("v") == applied.removeprefix("v")
    return False


def _safe(rel: str) -> bool:
    parts = rel.split("/")
    return (
        bool(rel)
        and "\\" not in rel
        and "\0" not in rel
        and not any(p in ("", ".", "..") or p.lower() == ".git" for p in parts)
    )


def dump_lock(lock: Lock) -> str:
    doc = CommentedMap()
    doc["lock_version"] = LOCK_VERSION
    doc["synctool_version"] = lock.synctool_version
    doc["blueprint"] = lock.blueprint
    doc["ref"] = lock.ref
    doc["version"] = lock.version
    doc["commit"] = lock.commit
    doc["answers_digest"] = lock.answers_digest
    doc["answers"] = _sorted_map(lock.answers)
    doc["policy"] = _sorted_map(lock.policy) if lock.policy else CommentedMap()
    files = CommentedMap()
    for rel in sorted(lock.files):
        item = lock.files[rel]
        fields = [("mode", f"{item.mode:o}"), ("class", item.ownership)]
        if item.sha256 is not None:  # else recorded without one (locked_files)
            fields.insert(0, ("sha256", item.sha256))
        entry = CommentedMap(fields)
        entry.fa.set_flow_style()  # one line per file: diffs show exactly what changed
        files[rel] = entry
    doc["files"] = files
    if lock.conflicts:
        doc["conflicts"] = _sorted_map(lock.conflicts)
    buf = io.StringIO()
    buf.write(
        "# Generated by synctool: the applied state. Do not edit; run `synctool sync`.\n"
    )
    _yaml().dump(doc, buf)
    return buf.getvalue()


def _sorted_map(value: Mapping[str, Any]) -> CommentedMap:
    return CommentedMap((key, value[key]) for key in sorted(value))


def _plain(value: Any) -> Any:
    """Round-trip YAML types -> plain dicts, lists and scalars."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def redeclare(declared: Declared, ref: str | None, answers: Mapping[str, Any]) -> str:
    """`.synctool.yml` with a new ref and answers; the rest of the file as it was."""
    doc = declared.doc
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
    _yaml().dump(doc, buf)
    return buf.getvalue()
