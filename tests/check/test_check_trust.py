"""`synctool check` under real conditions (issue #10): conflicts in files the
user moved or git ignores, marker-like text the blueprint itself renders,
an interrupted sync, gitignored managed files, and hostile YAML.

Each test builds a small blueprint in a real git repo, runs `synctool init`
and `synctool update` as a user would, then `synctool check`.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from synctool import fastyaml
from synctool.check.drift import marker_line
from synctool.check.run import check_service
from synctool.service.declared import load_declared
from synctool.service.files import ServiceFiles
from synctool.service.lock import LockedFile
from synctool.service.lockread import load_lock
from tests.e2e.test_sync_scenarios import build_service
from tests.helpers import (
    REPO,
    git,
    init_service,
    release,
    run_cli,
    snapshot,
)
from tests.scenarios import SCENARIOS, Scenario

CHECK_SCHEMA = json.loads((REPO / "docs/check-output.schema.json").read_text())
COPIER = "name:\n  type: str\n  default: orders\n"
GUIDE = "".join(f"line {i}\n" for i in range(1, 21))
MARKERS_AT = "unresolved conflict marker left by synctool sync"
SIDE_NAME = re.compile(r"\.(?:blueprint|local)(?:\.[0-9]+)?$")

# A docs page that shows what a conflict looks like, and a setext heading.
MERGING_DOC = """\
Merging
=======

When both sides change a line, synctool writes:

<<<<<<< service (working tree)
port: 9000
||||||| blueprint 1.0.0
port: 8000
=======
port: 8080
>>>>>>> blueprint 1.1.0

Resolve it, then commit.
"""


def _init(
    capsys: pytest.CaptureFixture[str], workdir: Path, files: dict[str, Any]
) -> tuple[Path, Path]:
    svc, bp = init_service(capsys, workdir, {"copier.yml": COPIER, **files})
    return bp, svc


def _release(bp: Path, files: dict[str, Any], tag: str = "v1.1.0") -> None:
    release(bp, tag, {"copier.yml": COPIER, **files})


def _findings(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> tuple[int, list[tuple[str, str | None, int | None, str]]]:
    result = run_cli(capsys, "check", str(svc), "--format", "json")
    assert result.code in (0, 1), result.err
    doc = json.loads(result.out)
    return result.code, [
        (f["rule"], f["path"], f["line"], f["message"]) for f in doc["findings"]
    ]


# -- 1. conflicts wherever sync wrote them ---------------------------------------


def test_markers_in_a_file_the_user_moved_are_found_until_resolved(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _init(capsys, workdir, {"docs/guide.md": GUIDE})
    git(svc, "mv", "docs/guide.md", "docs/handbook.md")
    moved = svc / "docs/handbook.md"
    moved.write_text(GUIDE.replace("line 10\n", "line ten, ours\n"))
    git(svc, "commit", "-qam", "our handbook")
    _release(bp, {"docs/guide.md": GUIDE.replace("line 10\n", "line ten, theirs\n")})

    assert run_cli(capsys, "update", "svc").code == 1
    assert "<<<<<<< " in moved.read_text()  # the markers are in the user's path
    assert not (svc / "docs/guide.md").exists()
    assert _findings(capsys, svc) == (
        1,
        [("conflict", "docs/handbook.md", 10, MARKERS_AT)],
    )
    # The lock records where the sync left it, one sorted line per path.
    lock = (svc / ".synctool.lock").read_text()
    assert lock.endswith("\nconflicts:\n  docs/handbook.md: markers\n"), lock

    moved.write_text(GUIDE.replace("line 10\n", "line ten, both\n"))  # resolved
    assert _findings(capsys, svc) == (0, [])

    # The next sync finds it resolved: the lock records nothing left.
    git(svc, "commit", "-qam", "resolved")
    _release(
        bp,
        {
            "docs/guide.md": GUIDE.replace("line 10\n", "line ten, theirs\n"),
            "NEW.md": "new\n",
        },
        tag="v1.2.0",
    )
    assert run_cli(capsys, "update", "svc").code == 0
    assert "conflicts" not in (svc / ".synctool.lock").read_text()
    assert _findings(capsys, svc) == (0, [])


def test_markers_in_a_gitignored_file_are_found_until_resolved(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    # `.jinja`: the blueprint repo itself must not ignore the template file.
    v1 = {".gitignore": "local.cfg\n", "local.cfg.jinja": "a=1\nb=2\nc=3\n"}
    bp, svc = _init(capsys, workdir, v1)
    local = svc / "local.cfg"
    assert git(svc, "check-ignore", "local.cfg").strip() == "local.cfg"
    local.write_text("a=1\nb=ours\nc=3\n")
    _release(bp, {**v1, "local.cfg.jinja": "a=1\nb=theirs\nc=3\n"})

    assert run_cli(capsys, "update", "svc").code == 1
    assert "<<<<<<< " in local.read_text()
    assert _findings(capsys, svc) == (1, [("conflict", "local.cfg", 2, MARKERS_AT)])

    local.write_text("a=1\nb=theirs\nc=3\n")
    assert _findings(capsys, svc) == (0, [])


def test_a_managed_files_kept_edit_is_found_until_deleted(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    policy = "ownership:\n  managed:\n    - Makefile\n"
    v1 = {"synctool.yml": policy, "Makefile": "lint:\n\truff check .\n"}
    bp, svc = _init(capsys, workdir, v1)
    (svc / "Makefile").write_text("lint:\n\truff check src\n")
    git(svc, "commit", "-qam", "our lint (no pre-commit hook here)")
    _release(bp, {**v1, "Makefile": "lint:\n\truff check --fix .\n"})

    result = run_cli(capsys, "update", "svc")
    local = [p for p in snapshot(svc) if p.startswith("Makefile.local")]
    if not local:
        pytest.skip("this sync does not keep a managed file's edit beside it")
    assert result.code == 1
    code, found = _findings(capsys, svc)
    assert code == 1
    assert [(rule, path) for rule, path, _, _ in found] == [("conflict", local[0])]

    (svc / local[0]).unlink()
    assert _findings(capsys, svc) == (0, [])


def test_an_unresolved_conflict_is_still_reported_after_the_next_sync(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _init(capsys, workdir, {"docs/guide.md": GUIDE})
    git(svc, "mv", "docs/guide.md", "docs/handbook.md")
    moved = svc / "docs/handbook.md"
    moved.write_text(GUIDE.replace("line 10\n", "line ten, ours\n"))
    git(svc, "commit", "-qam", "our handbook")
    _release(bp, {"docs/guide.md": GUIDE.replace("line 10\n", "line ten, theirs\n")})
    assert run_cli(capsys, "update", "svc").code == 1
    # Committed unresolved (no hook): the next release keeps reporting it.
    git(svc, "commit", "-qam", "unresolved")
    _release(
        bp,
        {
            "docs/guide.md": GUIDE.replace("line 10\n", "line ten, theirs\n"),
            "NEW.md": "new\n",
        },
        tag="v1.2.0",
    )
    assert run_cli(capsys, "update", "svc").code == 0
    assert _findings(capsys, svc) == (
        1,
        [("conflict", "docs/handbook.md", 10, MARKERS_AT)],
    )


# -- 2. what the blueprint renders is not a conflict ---------------------------------


def test_markers_the_blueprint_rendered_are_not_conflicts(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    policy = "ownership:\n  managed:\n    - docs/merging.md\n"
    _bp, svc = _init(
        capsys,
        workdir,
        {
            "synctool.yml": policy,
            "docs/merging.md": MERGING_DOC,
            "NOTES.md": MERGING_DOC,
        },
    )
    assert (svc / "docs/merging.md").read_text() == MERGING_DOC
    assert _findings(capsys, svc) == (0, [])


# -- 3. an interrupted sync -----------------------------------------------------------

KILLER = """\
import os, sys
import synctool.service.journal.steps
from synctool.cli import main

stop = sys.argv[1]

def hook(name):
    if name == stop:
        os._exit(137)

synctool.service.journal.steps.step_hook = hook
sys.argv = ["synctool", *sys.argv[2:]]
main()
"""


@pytest.mark.parametrize(
    "step", ["write README.md", "backup .synctool.lock", "backup .synctool.yml"]
)
def test_an_interrupted_sync_is_reported_at_any_step(
    capsys: pytest.CaptureFixture[str], workdir: Path, step: str
) -> None:
    bp, svc = _init(capsys, workdir, {"README.md": "hi\n"})
    _release(bp, {"README.md": "hello\n"})
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, step, "update", str(svc)],
        env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == 137, killed.stderr
    assert (svc / ".synctool-journal/manifest.json").is_file()

    for fmt in ("text", "json"):
        result = run_cli(capsys, "check", str(svc), "--format", fmt)
        assert result.code == 1, result.err
        if fmt == "json":
            Draft202012Validator(CHECK_SCHEMA).validate(json.loads(result.out))
        assert "sync-interrupted" in result.out
        assert "`synctool sync` to finish" in result.out
        assert "`synctool sync --abort` to undo" in result.out
    fleet = run_cli(capsys, "fleet", "check", str(svc), "--format", "json")
    assert fleet.code == 1, fleet.err
    (record,) = json.loads(fleet.out)["repos"]
    assert record["status"] == "findings"
    assert [f["rule"] for f in record["findings"]] == ["sync-interrupted"]
    state = snapshot(svc)
    assert run_cli(capsys, "check", str(svc), "--fix").code == 1
    assert snapshot(svc) == state  # the journal's business first

    assert run_cli(capsys, "sync", str(svc)).code == 0
    assert (svc / "README.md").read_text() == "hello\n"
    assert _findings(capsys, svc) == (0, [])


# -- 4. gitignored managed files, files locked without a hash --------------------------

IGNORED_MANAGED = {
    "synctool.yml": "ownership:\n  managed:\n    - local.cfg\n    - Makefile\n",
    ".gitignore": "local.cfg\n",
    "local.cfg.jinja": "a=1\n",
    "Makefile": "lint:\n\truff check .\n",
}


def test_a_gitignored_managed_file_on_disk_is_not_missing(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _init(capsys, workdir, IGNORED_MANAGED)
    assert (svc / "local.cfg").read_text() == "a=1\n"
    assert "local.cfg" not in git(svc, "ls-files")
    assert _findings(capsys, svc) == (0, [])


def test_a_gitignored_managed_file_absent_from_a_clone_is_not_missing(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _init(capsys, workdir, IGNORED_MANAGED)
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "init", "--allow-empty")
    clone = workdir / "clone"
    git(workdir, "clone", "-q", str(svc), str(clone))
    assert not (clone / "local.cfg").exists()  # git never had it
    assert _findings(capsys, clone) == (0, [])

    (clone / "Makefile").unlink()  # a tracked managed file still counts
    assert _findings(capsys, clone)[1] == [
        ("managed-missing", "Makefile", None, "blueprint-managed file is missing")
    ]


def test_a_file_locked_without_a_hash_is_checked_for_presence_only(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _init(capsys, workdir, IGNORED_MANAGED)
    declared, lock = load_declared(svc), load_lock(svc)
    files = dict(lock.files)
    for path in ("Makefile", "local.cfg"):  # e.g. they render a secret
        files[path] = LockedFile(None, 0o644, "managed")  # type: ignore[arg-type]
    lock = lock._replace(files=files)

    def found() -> list[tuple[str, str | None]]:
        result = check_service(svc, declared, lock, ServiceFiles(svc))
        return [(f.rule, f.path) for f in result.reported]

    (svc / "Makefile").write_text("lint:\n\techo <<<<<<< not a conflict\n")
    (svc / "local.cfg").write_text("a=2\n")
    assert found() == []
    (svc / "Makefile").unlink()
    (svc / "local.cfg").unlink()
    assert found() == [("managed-missing", "Makefile")]


# -- 5. YAML alias bombs ----------------------------------------------------------------


def _bomb(indent: str = "") -> str:
    """Nine levels of nine aliases: 9**9 (~387 million) nodes once expanded."""
    lines = [f'{indent}a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"{indent}a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def _timed_check(svc: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """`synctool check` in a process with bounded memory (a bomb must not
    take the machine down) and time."""

    def limit() -> None:  # pragma: no cover - runs in the child
        two_gb = 2 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (two_gb, two_gb))

    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "synctool", "check", str(svc), "--no-color"],
            env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("check did not return within 30 s")
    return done, time.monotonic() - start


def test_an_alias_bomb_in_the_lock_is_an_input_error(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _init(capsys, workdir, {"README.md": "hi\n"})
    lock = svc / ".synctool.lock"
    text = lock.read_text()
    lock.write_text(
        text.replace("answers:\n", "answers:\n" + _bomb("  ").replace("a9:", "extra:"))
    )
    done, took = _timed_check(svc)
    assert done.returncode == 2, done.stderr
    assert took < 2, took
    assert "error: .synctool.lock:" in done.stderr, done.stderr
    assert "alias" in done.stderr


def test_an_alias_bomb_in_synctool_yml_is_an_input_error(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _init(capsys, workdir, {"README.md": "hi\n"})
    declared = svc / ".synctool.yml"
    declared.write_text(
        declared.read_text().replace(
            "answers:\n", "answers:\n" + _bomb("  ").replace("a9:", "extra:")
        )
    )
    done, took = _timed_check(svc)
    assert done.returncode == 2, done.stderr
    assert took < 2, took
    assert "error: .synctool.yml:" in done.stderr, done.stderr
    assert "alias" in done.stderr


def test_an_alias_bomb_in_a_file_a_rule_reads_is_one_finding(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    policy = (
        "rules:\n"
        "  - id: log-level\n"
        "    kind: yaml\n"
        '    paths: ["k8s/*.yaml"]\n'
        "    select: env\n"
        "    includes: LOG_LEVEL=info\n"
    )
    deployment = "env: [LOG_LEVEL=info]\n"
    _bp, svc = _init(
        capsys, workdir, {"synctool.yml": policy, "k8s/app.yaml": deployment}
    )
    assert _findings(capsys, svc) == (0, [])
    (svc / "k8s/app.yaml").write_text(_bomb() + "env: *a9\n")
    done, took = _timed_check(svc)
    assert done.returncode == 1, done.stderr
    assert took < 2, took
    lines = [line for line in done.stdout.splitlines() if "log-level" in line]
    assert len(lines) == 1, done.stdout
    assert "alias" in lines[0]


def test_a_recursive_alias_in_a_file_a_rule_reads_is_one_finding(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    policy = (
        "rules:\n"
        "  - id: ci-lints\n"
        "    kind: yaml\n"
        "    paths: [ci.yml]\n"
        "    select: jobs.*.steps[*].name\n"
        "    includes: Lint\n"
    )
    ci = "jobs:\n  test:\n    steps:\n      - name: Lint\n"
    _bp, svc = _init(capsys, workdir, {"synctool.yml": policy, "ci.yml": ci})
    assert _findings(capsys, svc) == (0, [])
    (svc / "ci.yml").write_text("jobs: &j\n  test:\n    steps: [*j]\n")
    code, found = _findings(capsys, svc)
    assert code == 1
    assert [(rule, path) for rule, path, _, _ in found] == [("ci-lints", "ci.yml")]
    assert "alias" in found[0][3]


# -- every conflict of the scenario suite -------------------------------------------------


@pytest.mark.parametrize(
    "scenario", [s for s in SCENARIOS if s.conflict], ids=lambda s: s.name
)
def test_check_reports_every_conflict_a_scenario_leaves(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenario: Scenario
) -> None:
    _bp, svc = build_service(tmp_path, scenario, capsys)
    before = snapshot(svc)
    assert run_cli(capsys, "update", str(svc), *scenario.update_args).code == 1
    after = snapshot(svc)
    # What the sync wrote for people to resolve: markers, or a new file
    # holding the other version beside a conflicting one.
    written = {
        rel
        for rel, data in after.items()
        if before.get(rel) != data
        and (marker_line(data) is not None or rel not in before)
        and rel not in (".synctool.lock", ".synctool.yml")
        and (marker_line(data) is not None or SIDE_NAME.search(rel))
    }
    code, found = _findings(capsys, svc)
    # (A file the blueprint removed and the user edited stays as it is:
    # nothing is written, nothing is left for check to see.)
    assert code == (1 if written else 0)
    conflicts = {path for rule, path, _, _ in found if rule == "conflict"}
    assert conflicts == written
    assert set(load_lock(svc).conflicts) == written

    for rel in written:  # resolved: markers gone, side files deleted
        if marker_line(after[rel]) is not None:
            (svc / rel).write_text("resolved\n")
        else:
            (svc / rel).unlink()
    assert [f for f in _findings(capsys, svc)[1] if f[0] == "conflict"] == []


# -- the fast YAML loader still reads what real files hold --------------------------------


def test_ordinary_anchors_and_merge_keys_load_fast() -> None:
    text = (
        "defaults: &defaults {image: python, retries: 2}\n"
        "build: {<<: *defaults, retries: 3}\n"
        "steps: &steps [lint, test]\n"
        "again: *steps\n"
    )
    assert fastyaml.load(text) == {
        "defaults": {"image": "python", "retries": 2},
        "build": {"image": "python", "retries": 3},
        "steps": ["lint", "test"],
        "again": ["lint", "test"],
    }
    # Many aliases of a big list are fine while the whole stays bounded.
    items = "".join(f"  - item {i}\n" for i in range(1000))
    fastyaml.load("base: &b\n" + items + "".join(f"k{i}: *b\n" for i in range(100)))


def test_alias_bombs_are_refused_by_every_fast_entry_point() -> None:
    bomb = _bomb()
    for read in (fastyaml.load, fastyaml.load_all, fastyaml.check_aliases):
        with pytest.raises(fastyaml.AliasBombError) as caught:
            read(bomb)
        assert caught.value.line is not None
    fastyaml.check_aliases("a: [unclosed\n")  # malformed: left to the real loader


@pytest.mark.parametrize(
    "entry", ["../outside.md: markers", "README.md: maybe", "[README.md]"]
)
def test_a_garbled_conflicts_record_in_the_lock_exits_2(
    capsys: pytest.CaptureFixture[str], workdir: Path, entry: str
) -> None:
    _bp, svc = _init(capsys, workdir, {"README.md": "hi\n"})
    with (svc / ".synctool.lock").open("a") as handle:
        handle.write(
            f"conflicts:\n  {entry}\n" if ":" in entry else f"conflicts: {entry}\n"
        )
    result = run_cli(capsys, "check", str(svc))
    assert result.code == 2
    assert result.err.startswith("error: .synctool.lock: malformed"), result.err


def test_a_lock_entry_without_a_hash_checks_presence_only(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _init(capsys, workdir, IGNORED_MANAGED)
    lock = svc / ".synctool.lock"
    text, n = re.subn(
        r"(\n  Makefile: \{)sha256: [0-9a-f]{64}, ", r"\1", lock.read_text()
    )
    assert n == 1, lock.read_text()
    lock.write_text(text)
    (svc / "Makefile").write_text("lint:\n\techo edited\n")
    assert _findings(capsys, svc) == (0, [])
    (svc / "Makefile").unlink()
    assert _findings(capsys, svc)[1] == [
        ("managed-missing", "Makefile", None, "blueprint-managed file is missing")
    ]
