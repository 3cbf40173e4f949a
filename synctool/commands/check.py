"""`synctool check`: offline drift checks, fast enough for a pre-commit hook.

Reads only the service (.synctool.yml, .synctool.lock with the applied
policy, the files git tracks or stages, and the files the lock names that
git ignores or that the last sync left conflicts in). Never renders the
blueprint and never imports copier, except for `--fix` (which restores
managed files) and `--online` (which asks the blueprint for its releases).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from synctool import ui
from synctool.check import drift
from synctool.check.reports import CheckResult, as_github, as_json, as_sarif
from synctool.check.run import check_service
from synctool.errors import EXIT_FINDINGS, EXIT_OK, InputError
from synctool.service import parsed
from synctool.service.declared import not_a_service, read_declared
from synctool.service.files import ServiceFiles
from synctool.service.lockread import load_lock
from synctool.service.names import DECLARED
from synctool.usage import CHECK_FORMATS

FORMATS = CHECK_FORMATS  # as the command line offers them


class CheckOptions(NamedTuple):
    path: Path
    output: str = "text"
    fix: bool = False
    online: bool = False
    today: dt.date | None = None


def run(opts: CheckOptions) -> int:
    if opts.output not in FORMATS:
        raise InputError(
            f"unknown --format {opts.output!r}.", f"Use one of: {', '.join(FORMATS)}."
        )
    root = opts.path.absolute()
    with parsed.remembered(root):  # the same texts as last time: not parsed again
        return _run(opts, root)


def _run(opts: CheckOptions, root: Path) -> int:
    interrupted = list(drift.interrupted(root))
    try:
        if not (root / DECLARED).is_file():
            raise not_a_service(root)
        declared = read_declared(root)
        lock = load_lock(root)
    except InputError:
        if not interrupted:
            raise
        # Killed while moving synctool's own files: the journal says what to do.
        blueprint, version = _identity(root)
        _print(CheckResult(str(root), blueprint, version, interrupted, []), opts.output)
        return EXIT_FINDINGS
    files = ServiceFiles(root)
    if opts.fix and interrupted:  # the journal's files first, or they clash
        ui.warning("--fix skipped: finish or undo the interrupted sync first")
    elif opts.fix:
        from synctool.check.fix import fix

        for verb, path, detail in fix(root, lock, files):
            ui.action(verb, path, detail, stderr=opts.output != "text")
        files = ServiceFiles(root)
    originals = drift.Originals(root, lock, in_git=files.in_git)
    result = check_service(
        root,
        declared,
        lock,
        files,
        online=opts.online,
        today=opts.today,
        originals=originals,
    )
    _print(result, opts.output, originals)
    return EXIT_FINDINGS if result.errors else EXIT_OK


def _identity(root: Path) -> tuple[str, str | None]:
    """The blueprint and version as far as the service's files still tell."""
    try:
        lock = load_lock(root)
        return lock.blueprint, lock.version
    except InputError:
        pass
    try:
        declared = read_declared(root)
        return declared.blueprint, declared.ref
    except InputError:
        return "unknown", None


def _print(
    result: CheckResult, output: str, originals: drift.Originals | None = None
) -> None:
    if output == "json":
        ui.emit_json(as_json(result))
    elif output == "sarif":
        ui.emit_json(as_sarif(result))
    elif output == "github":
        ui.raw_lines(as_github(result.reported))
        _releases(result)
        ui.info(result.summary())
    else:
        _releases(result)
        ui.findings(
            [
                (f.path, f.line, f.severity, f.rule, f.message, f.hint)
                for f in result.reported
            ],
            result.summary(),
            excerpts={
                f.path: originals.excerpt(f.path)
                for f in result.reported
                if originals is not None and f.path and f.rule == "managed-drift"
            },
        )


def _releases(result: CheckResult) -> None:
    line = result.releases()
    if line is not None:
        ui.info(line)
