"""`synctool adopt [PATH]`: options in, `synctool.adopt` called, the report printed."""

from __future__ import annotations

from pathlib import Path

from synctool import ui
from synctool.adopt.model import FORMATS, Adopted, AdoptOptions
from synctool.adopt.report import as_json
from synctool.adopt.run import adopt
from synctool.errors import EXIT_OK, InputError
from synctool.service.names import DECLARED, LOCK
from synctool.sync.labels import lock_label


def run(opts: AdoptOptions) -> int:
    if opts.output not in FORMATS:
        raise InputError(
            f"unknown --format {opts.output!r}.", f"Use one of: {', '.join(FORMATS)}."
        )
    adopted, warnings = adopt(opts)
    for note in warnings:
        ui.warning(note)
    if opts.output == "json":
        ui.emit_json(as_json(adopted))
    else:
        _print(adopted, opts.path)
    return EXIT_OK


def _print(adopted: Adopted, given: Path) -> None:
    lock = adopted.lock
    version = lock_label(lock)
    recorded = adopted.recorded
    origin = (
        f"{recorded.tool}'s record in {recorded.path}"
        if recorded is not None
        else "the options given"
    )
    drifted = {f.path for f in adopted.drifted}
    ui.info(
        f"Adopting {adopted.root.name}: blueprint {lock.blueprint} {version} "
        f"(commit {lock.commit[:12]}), answers from {origin}."
    )
    ui.info(f"Applied version from {adopted.why}.")
    if ui.is_verbose():
        for rel in adopted.identical:
            ui.action("identical", rel)
    for rel in adopted.changed:
        detail = _detail(rel, adopted, drifted)
        ui.action("drifted" if rel in drifted else "changed", rel, detail)
    for rel in adopted.deleted:
        detail = _detail(rel, adopted, drifted)
        ui.action("drifted" if rel in drifted else "deleted", rel, detail)
    for f in adopted.findings:
        ui.action("finding", f.path or "(service)", f"{f.rule}: {f.message}")
    ui.info("")
    ui.info(
        f"{len(adopted.identical)} file(s) as the blueprint rendered them, "
        f"{len(adopted.changed)} changed by the team, {len(adopted.deleted)} "
        f"deleted; {len(adopted.drifted)} blueprint-managed file(s) drifted and "
        f"{len(adopted.findings)} other finding(s), which `synctool check` reports."
    )
    if adopted.tasks:
        ui.info(
            f"The blueprint has {adopted.tasks} task(s); adopt ran none (they ran "
            "when the project was generated). `synctool update` runs them with --trust."
        )
    if (
        recorded is not None
        and recorded.tool == "copier"
        and adopted.answers_file not in (None, recorded.path)
    ):
        ui.warning(
            f"copier's answers file is {recorded.path}, but the blueprint renders "
            f"it as {adopted.answers_file} (copier was given --answers-file?); "
            f"sync takes {recorded.path} for it, moved there, and keeps "
            f"{recorded.path} current."
        )
    ui.info(
        f"Wrote {DECLARED} and {LOCK}; no other file changed"
        + (
            f" ({recorded.path} stays: sync keeps it current)."
            if recorded is not None and recorded.tool == "copier"
            else f" ({recorded.path} stays as it is: the team's from now on)."
            if recorded is not None
            else "."
        )
    )
    cd = "" if given == Path() else f"cd {given} && "
    # a folder outside git is recorded by its content's digest: no releases
    update = (
        "  synctool update         # what the folder holds then, merged without a base"
        if lock.commit.startswith("sha256:")
        else "  synctool update         # the blueprint's newest release, three-way merged"
    )
    ui.lines(
        [
            "Next:",
            f"  {cd}git add {DECLARED} {LOCK} && git commit -m 'Adopt with synctool'",
            "  synctool check          # drift, as reported above",
            update,
        ]
    )


def _detail(rel: str, adopted: Adopted, drifted: set[str | None]) -> str:
    notes = []
    if rel in drifted:
        notes.append("blueprint-managed: `synctool check` flags it")
    if rel in adopted.notes:
        notes.append(adopted.notes[rel])
    return "; ".join(notes)
