"""The render of the applied version, the lock and `.synctool.yml` made of it,
and how the project compares to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from synctool.adopt.model import DRIFT_RULES, Adopted, AdoptOptions, Finding, Target
from synctool.adopt.target import is_shorthand, not_in_history
from synctool.blueprint import tasks
from synctool.blueprint.copieranswers import Recorded
from synctool.blueprint.render import render
from synctool.blueprint.render.result import Rendered
from synctool.check import policy
from synctool.errors import BlueprintError
from synctool.service import fsops, worktree
from synctool.service.declared import Declared, dump_declared
from synctool.service.lock import Lock, dump_lock
from synctool.service.names import DECLARED, LOCK
from synctool.sync.newlock import new_lock
from synctool.tree import FileEntry


def render_target(
    root: Path, recorded: Recorded | None, target: Target, opts: AdoptOptions
) -> Rendered:
    source, asked = target.source, opts.asked
    full = target.commit if target.commit and len(target.commit) == 40 else None
    location = source.location
    if recorded is not None and is_shorthand(recorded, source):
        # copier expands gh:/gl: itself and records them as written: the
        # answers file renders as the project has it
        location = str(recorded.src_path)
    try:
        rendered = render(
            location,
            target.ref if source.kind == "git" else None,
            asked.data,
            # the project's answers as copier's last answers: only questions
            # they do not answer (secret ones, never recorded) are asked
            recorded=recorded.answers if recorded is not None else {},
            defaults=asked.defaults,
            interactive=asked.interactive,
            trust=asked.trust,
            commit=full,
            operation="copy",  # as copier applied it when it generated the project
            dest=root,
        )
    except BlueprintError as exc:
        if recorded is None or target.commit is None or full is not None:
            raise
        # a URL's commit from _commit, checked only by the clone
        raise not_in_history(recorded, source) from exc
    if target.commit and not rendered.commit.startswith(target.commit):
        assert recorded is not None
        raise not_in_history(recorded, source)
    return rendered


def compare(
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
    applied = policy.of_render(rendered, source.recorded)
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


def write_both(root: Path, files: Mapping[str, FileEntry]) -> None:
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
