"""`synctool adopt [PATH]`: bring a project synctool did not generate under its care.

The applied state (the lock) is the blueprint rendered at the version that
generated the project with the answers it was generated with: read from
copier's answers file, or given (`--blueprint/--ref/--data`) for a project no
template made. What the team changed since is the team's; the next `update`
is an ordinary three-way merge. Only `.synctool.yml` and `.synctool.lock` are
written; every other file, copier's answers file included, stays as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ruamel.yaml.comments import CommentedMap

from synctool import git, ui
from synctool.blueprint import copieranswers, sources, tasks
from synctool.blueprint.copieranswers import Recorded
from synctool.blueprint.render import render
from synctool.blueprint.render.result import Rendered
from synctool.blueprint.rendercache import commit_of
from synctool.check import policy
from synctool.errors import EXIT_OK, BlueprintError, GitError, InputError
from synctool.service import fsops, worktree
from synctool.service.declared import Declared, dump_declared
from synctool.service.lock import Lock, dump_lock
from synctool.service.names import DECLARED, LOCK
from synctool.sync.newlock import new_lock
from synctool.tree import FileEntry

FORMATS = ("text", "json")
DRIFT_RULES = ("managed-drift", "managed-missing")


class AdoptOptions(NamedTuple):
    path: Path
    answers_file: str | None = None
    blueprint: str | None = None
    ref: str | None = None
    data: Mapping[str, Any] = {}
    defaults: bool = False
    interactive: bool = False
    trust: bool = False
    allow_dirty: bool = False
    output: str = "text"
    # On a terminal: pick one of several answers files (None: refuse instead).
    choose: Callable[[list[str]], str] | None = None


class Target(NamedTuple):
    """The blueprint version to record as applied, and where that came from."""

    source: sources.Source
    ref: str | None
    commit: str | None  # the (abbreviated) commit it must name, when known
    why: str  # how the version was chosen, for the report


class Finding(NamedTuple):
    path: str | None
    rule: str
    message: str


class Adopted(NamedTuple):
    """What adopt found and recorded (printed as text or JSON)."""

    root: Path
    lock: Lock
    recorded: Recorded | None
    why: str
    identical: list[str]
    changed: list[str]
    deleted: list[str]
    drifted: list[Finding]  # managed files `check` flags
    findings: list[Finding]  # the blueprint's other rules `check` flags
    tasks: int  # the blueprint's tasks, not run by adopt
    answers_file: str | None  # where the render puts copier's answers file
    notes: Mapping[str, str]  # path -> what differs, where it is worth saying


def run(opts: AdoptOptions) -> int:
    if opts.output not in FORMATS:
        raise InputError(
            f"unknown --format {opts.output!r}.", f"Use one of: {', '.join(FORMATS)}."
        )
    root = opts.path.absolute()
    if not root.is_dir():
        raise InputError(f"{root} is not a folder.", "Give the project's folder.")
    if (root / DECLARED).exists() or (root / LOCK).exists():
        raise InputError(
            f"{root} is already a synctool service ({DECLARED} exists).",
            "Use `synctool update` or `synctool sync` there instead of adopt.",
        )
    if not opts.allow_dirty:
        dirty = worktree.dirty_paths(root)
        if dirty:
            shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
            raise GitError(
                f"the project has uncommitted changes ({len(dirty)}: {shown}).",
                "Commit or stash them first (adopt compares the blueprint with "
                "your committed work), or pass --allow-dirty.",
            )
    listed = worktree.list_files(root)
    recorded = _recorded(root, listed, opts)
    target = _target(root, recorded, opts)
    rendered = _render(root, recorded, target, opts)
    adopted, files = _adopt(root, listed, recorded, target, rendered)
    _write(root, files)
    for note in rendered.warnings:
        ui.warning(note)
    if opts.output == "json":
        ui.emit_json(as_json(adopted))
    else:
        _print(adopted, opts.path)
    return EXIT_OK


# --- what the project records ------------------------------------------------


def _recorded(root: Path, listed: Sequence[str], opts: AdoptOptions) -> Recorded | None:
    if opts.answers_file is not None:
        return copieranswers.read(root, _inside(root, opts.answers_file))
    found = copieranswers.find(root, listed)
    if len(found) > 1:
        if opts.choose is None:
            raise InputError(
                f"{len(found)} copier answers files in {root}: {', '.join(found)}.",
                "Pass the one to adopt with --answers-file PATH.",
            )
        return copieranswers.read(root, opts.choose(found))
    if found:
        return copieranswers.read(root, found[0])
    cruft = copieranswers.read_cruft(root)
    if cruft is not None and opts.blueprint is None:
        raise InputError(
            f"{copieranswers.CRUFT_FILE}: the project was made by cruft from the "
            f"cookiecutter template {cruft.src_path or '(unknown)'}; synctool "
            "follows copier templates.",
            "Pass --blueprint with its copier port (and --ref, --data as needed); "
            "the answers are read from .cruft.json.",
        )
    if cruft is None and opts.blueprint is None:
        raise InputError(
            f"no copier answers file in {root} ({copieranswers.ANSWERS_FILE}, "
            "or another YAML file holding _src_path).",
            "Pass --answers-file PATH, or --blueprint SRC --ref REF --data "
            "KEY=VALUE for a project no template generated.",
        )
    return cruft


def _inside(root: Path, given: str) -> str:
    """--answers-file as copier takes it: relative to the project."""
    path = Path(given)
    full = path if path.is_absolute() else root / path
    try:
        return full.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise InputError(
            f"--answers-file {given}: not inside the project {root}.",
            "Give the answers file's path relative to the project.",
        ) from None


# --- which blueprint, at which version ----------------------------------------


def _target(root: Path, recorded: Recorded | None, opts: AdoptOptions) -> Target:
    copier = recorded if recorded is not None and recorded.tool == "copier" else None
    if opts.blueprint is not None:
        source = sources.resolve_source(opts.blueprint, Path.cwd())
    else:
        assert copier is not None  # _recorded refused every other case
        source = _recorded_source(root, copier)
    if opts.ref is not None:
        ref = sources.resolve_ref(source, opts.ref)
        return Target(sources.at_version(source, ref), ref, None, f"--ref {opts.ref}")
    if copier is None:
        ref = sources.resolve_ref(source, None)
        why = "the newest release (pass --ref to record another)"
        return Target(sources.at_version(source, ref), ref, None, why)
    where = f"_commit in {copier.path}"
    if copier.commit is None:
        if source.kind == "git":
            raise BlueprintError(
                f"{copier.path} records no _commit (the template was not a git "
                "repository when copier applied it).",
                "Pass --ref with the version the project was generated from.",
            )
        return Target(source, None, None, f"{copier.path} (a template folder)")
    if source.kind != "git":
        raise BlueprintError(
            f"{copier.path} records _commit {copier.commit}, but blueprint "
            f"{source.recorded} is not a git repository.",
            "Pass --blueprint with the template's git repository.",
        )
    applied = copieranswers.read_describe(copier.commit)
    local = Path(source.location)
    if local.is_dir():
        sha = git.resolve_commit(local, applied.ref)
    else:  # a URL: a tag is asked of the remote; a commit is checked once cloned
        sha = commit_of(source, applied.ref) if applied.exact_tag else applied.ref
    if sha is None:
        raise _not_in_history(copier, source)
    if applied.exact_tag:
        ref = sources.resolve_ref(source, applied.ref, given_as=where)
        return Target(source, ref, sha, where)
    return Target(source, sha, applied.ref, where)


def _recorded_source(root: Path, copier: Recorded) -> sources.Source:
    """The template copier recorded, if it is still there."""
    if copier.src_path is None:
        raise InputError(
            f"{copier.path}: no _src_path (not copier's answers file?).",
            "Pass --blueprint SRC with the template it was generated from.",
        )
    src = copieranswers.expand_shorthand(copier.src_path)
    gone = BlueprintError(
        f"the template {copier.path} names, {copier.src_path}, no longer exists.",
        "Pass --blueprint SRC with where it lives now (a path or git URL).",
    )
    if not _is_url(src):
        # copier records a local path as it was typed (relative to where
        # `copier copy` ran): try from here, then from the project.
        bases = [Path.cwd(), root]
        found = [b / src for b in bases if (b / Path(src).expanduser()).is_dir()]
        if not found:
            raise gone
        src = str(found[0].expanduser().resolve())
    try:
        return sources.resolve_source(src, Path.cwd())
    except BlueprintError as exc:
        raise BlueprintError(
            f"the template {copier.path} names cannot be used: {exc.message}",
            "Pass --blueprint SRC with where it lives now.",
        ) from None


def _is_shorthand(recorded: Recorded, source: sources.Source) -> bool:
    src = recorded.src_path
    return (
        src is not None
        and src != source.location
        and copieranswers.expand_shorthand(src) == source.location
    )


def _is_url(src: str) -> bool:
    return "://" in src or src.startswith(("git@", "git+"))


def _not_in_history(copier: Recorded, source: sources.Source) -> BlueprintError:
    return BlueprintError(
        f"{copier.path}: _commit {copier.commit} is not in the history of "
        f"blueprint {source.recorded}.",
        "Pass --ref with the release the project was generated from, or "
        "--blueprint with the repository that has that commit (copier commits a "
        "template's uncommitted changes in a clone of its own: no repository has those).",
    )


# --- the render, the record, the report ---------------------------------------


def _render(
    root: Path, recorded: Recorded | None, target: Target, opts: AdoptOptions
) -> Rendered:
    source = target.source
    full = target.commit if target.commit and len(target.commit) == 40 else None
    location = source.location
    if recorded is not None and _is_shorthand(recorded, source):
        # copier expands gh:/gl: itself and records them as written: the
        # answers file renders as the project has it
        location = str(recorded.src_path)
    try:
        rendered = render(
            location,
            target.ref if source.kind == "git" else None,
            opts.data,
            # the project's answers as copier's last answers: only questions
            # they do not answer (secret ones, never recorded) are asked
            recorded=recorded.answers if recorded is not None else {},
            defaults=opts.defaults,
            interactive=opts.interactive,
            trust=opts.trust,
            commit=full,
            operation="copy",  # as copier applied it when it generated the project
            dest=root,
        )
    except BlueprintError as exc:
        if recorded is None or target.commit is None or full is not None:
            raise
        # a URL's commit from _commit, checked only by the clone
        raise _not_in_history(recorded, source) from exc
    if target.commit and not rendered.commit.startswith(target.commit):
        assert recorded is not None
        raise _not_in_history(recorded, source)
    return rendered


def _adopt(
    root: Path,
    listed: Sequence[str],
    recorded: Recorded | None,
    target: Target,
    rendered: Rendered,
) -> tuple[Adopted, dict[str, FileEntry]]:
    """The lock, the declared file, and how the project compares to the render."""
    source = target.source
    ref = target.ref
    if ref is not None and ref == target.commit:
        ref = rendered.commit  # a commit past a tag: recorded in full
    applied = policy.from_raw(
        policy.parse_policy_text(
            rendered.policy_text, source=f"{source.recorded}/synctool.yml"
        )
    ).with_skip_if_exists(rendered.skip_if_exists)
    ours = worktree.WorkTree(root, listed)
    lock = new_lock(
        source.recorded,
        ref,
        rendered,
        source.bundled_version,
        applied,
        worktree.gitignores_after(ours, {}),
    )
    declared_text = dump_declared(source.recorded, ref, rendered.answers)
    identical: list[str] = []
    changed: list[str] = []
    deleted: list[str] = []
    notes: dict[str, str] = {}
    for rel, entry in rendered.tree.items():
        on_disk = worktree.read_entry(root / rel)
        if on_disk is None:
            deleted.append(rel)
        elif on_disk == entry:
            identical.append(rel)
        else:
            changed.append(rel)
            if recorded is not None and rel == recorded.path:
                notes[rel] = _answers_note(on_disk.data, entry.data)
    drifted, findings = _check(root, source.recorded, ref, rendered.answers, lock)
    adopted = Adopted(
        root=root,
        lock=lock,
        recorded=recorded,
        why=target.why,
        identical=identical,
        changed=changed,
        deleted=deleted,
        drifted=drifted,
        findings=findings,
        tasks=len(tasks.task_steps(rendered.code)),
        answers_file=_answers_file(rendered),
        notes=notes,
    )
    files = {
        DECLARED: FileEntry(declared_text.encode()),
        LOCK: FileEntry(dump_lock(lock).encode()),
    }
    return adopted, files


def _check(
    root: Path, blueprint: str, ref: str | None, answers: dict[str, Any], lock: Lock
) -> tuple[list[Finding], list[Finding]]:
    """What `synctool check` will report once the two files are written."""
    from synctool.check.run import check_service
    from synctool.service.files import ServiceFiles

    doc = CommentedMap(blueprint=blueprint, ref=ref, answers=CommentedMap(answers))
    declared = Declared(blueprint, ref, answers, doc)
    result = check_service(root, declared, lock, ServiceFiles(root))
    drifted: list[Finding] = []
    other: list[Finding] = []
    for f in result.reported:
        if f.severity != "error":
            continue
        item = Finding(f.path, f.rule, f.message)
        (drifted if f.rule in DRIFT_RULES else other).append(item)
    return drifted, other


def _answers_note(ours: bytes, rendered: bytes) -> str:
    """How copier's answers file differs from its render: often only in how
    `_src_path` is written (relative to where copier ran, or a URL now)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        mine, theirs = (YAML(typ="safe").load(d.decode()) for d in (ours, rendered))
    except (YAMLError, UnicodeDecodeError):
        return "copier's answers file"
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return "copier's answers file"
    rest = set(mine) | set(theirs)
    differ = sorted(k for k in rest if mine.get(k) != theirs.get(k))
    if differ == ["_src_path"]:
        return (
            f"copier's answers file: only _src_path differs ({mine.get('_src_path')} "
            f"here, {theirs.get('_src_path')} rendered)"
        )
    return "copier's answers file: " + ", ".join(differ) + " differ"


def _answers_file(rendered: Rendered) -> str | None:
    """Where the render writes copier's answers file, if it writes one."""
    for rel, entry in rendered.tree.items():
        if rel.endswith((".yml", ".yaml")) and b"_src_path:" in entry.data:
            return rel
    return None


def _write(root: Path, files: Mapping[str, FileEntry]) -> None:
    """Both files or neither (each written beside and renamed into place)."""
    targets = {rel: fsops.safe_target(root, rel) for rel in files}
    written: list[Path] = []
    try:
        for rel, entry in files.items():
            fsops.write_entry(targets[rel], entry)
            written.append(targets[rel])
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def as_json(adopted: Adopted) -> dict[str, Any]:
    lock = adopted.lock
    recorded = adopted.recorded

    def found(items: list[Finding]) -> list[dict[str, Any]]:
        return [f._asdict() for f in items]

    return {
        "service": str(adopted.root),
        "blueprint": lock.blueprint,
        "ref": lock.ref,
        "version": lock.version,
        "commit": lock.commit,
        "recorded_by": recorded.tool if recorded is not None else None,
        "answers_file": recorded.path if recorded is not None else None,
        "version_from": adopted.why,
        "answers": lock.answers,
        "files": {
            "identical": adopted.identical,
            "changed": adopted.changed,
            "deleted": adopted.deleted,
        },
        "drifted": found(adopted.drifted),
        "findings": found(adopted.findings),
        "notes": dict(adopted.notes),
        "tasks_not_run": adopted.tasks,
        "written": [DECLARED, LOCK],
    }


def _print(adopted: Adopted, given: Path) -> None:
    lock = adopted.lock
    version = lock.version or lock.ref or lock.commit[:12]
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
            f"synctool keeps {adopted.answers_file} current, {recorded.path} is yours."
        )
    ui.info(
        f"Wrote {DECLARED} and {LOCK}; no other file changed"
        + (
            f" ({recorded.path} stays: sync keeps it current)."
            if recorded is not None
            else "."
        )
    )
    cd = "" if given == Path() else f"cd {given} && "
    ui.lines(
        [
            "Next:",
            f"  {cd}git add {DECLARED} {LOCK} && git commit -m 'Adopt with synctool'",
            "  synctool check          # drift, as reported above",
            "  synctool update         # the blueprint's newest release, three-way merged",
        ]
    )


def _detail(rel: str, adopted: Adopted, drifted: set[str | None]) -> str:
    notes = []
    if rel in drifted:
        notes.append("blueprint-managed: `synctool check` flags it")
    if rel in adopted.notes:
        notes.append(adopted.notes[rel])
    return "; ".join(notes)
