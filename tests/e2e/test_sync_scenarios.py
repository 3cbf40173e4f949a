"""`synctool update` on the scenario suite (tests/scenarios.py), plus its commands.

Each scenario: blueprint v1.0.0 in a real git repo, `synctool init`, the
user's edits committed, blueprint v1.1.0 tagged, `synctool update`; then the
exact files, modes, exit code, lock and declared state, and that a second
`synctool sync` is a no-op.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.helpers import git, make_blueprint, run_cli, snapshot
from tests.scenarios import BY_NAME, SCENARIOS, V1_TAG, V2_TAG, Scenario, apply_edits

SYNCTOOL_FILES = (".synctool.yml", ".synctool.lock")
JOURNAL = ".synctool-journal"

# Scenarios that are right but fail today: name -> the bug, precisely.
KNOWN_BUGS: dict[str, str] = {}


def build_service(
    tmp: Path, scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path]:
    """The story up to the update: (blueprint repo at v1.1.0, service at v1.0.0)."""
    bp = make_blueprint(tmp / "bp", {V1_TAG: scenario.blueprint(V1_TAG)})
    svc = tmp / "svc"
    result = run_cli(
        capsys,
        "init",
        str(svc),
        "--blueprint",
        str(bp),
        "--defaults",
        *scenario.init_data(),
    )
    assert result.code == 0, result.err
    apply_edits(svc, scenario.edits)
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "User edits", "--allow-empty")
    make_blueprint(bp, {V2_TAG: scenario.blueprint(V2_TAG)})  # adds a commit
    if scenario.delete_base_tag:
        drop_base(bp)
    return bp, svc


def drop_base(bp: Path) -> None:
    """Rewrite history so v1.0.0's commit is gone: v1.1.0 becomes a new root."""
    old = git(bp, "rev-parse", f"{V1_TAG}^{{commit}}").strip()
    git(bp, "checkout", "-q", "--orphan", "rewritten")
    git(bp, "commit", "-qm", f"Release {V2_TAG} (history rewritten)")
    git(bp, "branch", "-D", "main")
    git(bp, "branch", "-m", "main")
    git(bp, "tag", "-d", V1_TAG)
    git(bp, "tag", "-f", V2_TAG)
    git(bp, "reflog", "expire", "--expire=now", "--all")
    git(bp, "gc", "-q", "--prune=now")
    gone = subprocess.run(
        ["git", "cat-file", "-e", old], cwd=bp, capture_output=True, check=False
    )
    assert gone.returncode != 0, "the base commit should be unreachable"
    # A render cached by an earlier command would hide the deletion.
    shutil.rmtree(Path(os.environ["XDG_CACHE_HOME"]), ignore_errors=True)


def as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def data_args(args: Sequence[str]) -> dict[str, str]:
    """The KEY=VALUE pairs of --data/-d in ``args``."""
    pairs: dict[str, str] = {}
    for flag, value in itertools.pairwise(args):
        if flag in ("--data", "-d"):
            key, _, val = value.partition("=")
            pairs[key] = val
    return pairs


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def assert_outcome(
    svc: Path, scenario: Scenario, before: dict[str, bytes], out: str
) -> None:
    """The service after update: exact files, nothing else touched, state files."""
    after = snapshot(svc)
    wanted = {
        rel: None if want is None else as_bytes(want)
        for rel, want in scenario.expected.items()
    }
    got = {rel: after.get(rel) for rel in wanted}
    assert got == wanted, out

    untouched = (set(before) | set(after)) - set(wanted) - set(SYNCTOOL_FILES)
    changed = sorted(rel for rel in untouched if before.get(rel) != after.get(rel))
    assert changed == [], f"changed but not expected to: {changed}\n{out}"

    modes = {rel: mode(svc / rel) for rel in scenario.expected_modes}
    assert modes == dict(scenario.expected_modes)

    lock = load_yaml(svc / ".synctool.lock")
    declared = load_yaml(svc / ".synctool.yml")
    assert (lock["ref"], lock["version"]) == (V2_TAG, "1.1.0")
    assert declared["ref"] == V2_TAG
    for key, value in data_args(scenario.update_args).items():
        assert str(declared["answers"][key]).lower() == value.lower()
        assert str(lock["answers"][key]).lower() == value.lower()
    assert not (svc / JOURNAL).exists()


def _params() -> list[Any]:
    return [
        pytest.param(
            s,
            id=s.name,
            marks=[pytest.mark.xfail(reason=KNOWN_BUGS[s.name], strict=True)]
            if s.name in KNOWN_BUGS
            else [],
        )
        for s in SCENARIOS
    ]


@pytest.mark.parametrize("scenario", _params())
def test_update_scenario(
    scenario: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, svc = build_service(tmp_path, scenario, capsys)
    before = snapshot(svc)
    head = git(svc, "rev-parse", "HEAD")

    result = run_cli(capsys, "update", str(svc), *scenario.update_args)
    out = result.out + result.err
    assert_outcome(svc, scenario, before, out)
    assert result.code == scenario.expected_exit, out
    assert git(svc, "rev-parse", "HEAD") == head  # the user reviews and commits
    if scenario.delete_base_tag:
        assert "two-way" in out.lower(), out  # the fallback is said plainly

    # Once committed (conflicts resolved or not), the service is at 1.1.0:
    # sync and update again are no-ops.
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "Update to blueprint 1.1.0")
    settled = snapshot(svc)
    for command in ("sync", "update"):
        again = run_cli(capsys, command, str(svc))
        assert again.code == 0, again.out + again.err
        assert snapshot(svc) == settled
        assert git(svc, "status", "--porcelain") == ""


# --- the commands around it ------------------------------------------------

STORY = BY_NAME["dockerfile_hardening_vs_apt_package"]


@pytest.fixture
def story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A service one release behind, with a user change to merge."""
    return build_service(tmp_path, STORY, capsys)[1]


def _unchanged(svc: Path, before: dict[str, bytes]) -> None:
    assert snapshot(svc) == before
    assert git(svc, "status", "--porcelain") == ""
    assert "ref: v1.0.0\n" in (svc / ".synctool.yml").read_text()


@pytest.mark.parametrize(
    "command", [("diff",), ("update", "--dry-run"), ("sync", "--dry-run")]
)
def test_dry_run_prints_plan_and_diff_and_writes_nothing(
    story: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    if command[0] == "sync":  # sync goes where .synctool.yml says: edit it first
        declared = story / ".synctool.yml"
        declared.write_text(
            declared.read_text().replace("ref: v1.0.0\n", f"ref: {V2_TAG}\n")
        )
        git(story, "commit", "-qam", "Declare blueprint 1.1.0")
    before = snapshot(story)
    result = run_cli(capsys, command[0], str(story), *command[1:])
    assert result.code == 0, result.err
    assert snapshot(story) == before
    assert git(story, "status", "--porcelain") == ""
    lines = result.out.splitlines()
    # The plan: a row for the Dockerfile naming its action and driver.
    row = next(line for line in lines if line.lstrip().startswith("Dockerfile "))
    assert "merge" in row and "text" in row, result.out
    # The unified diff of the would-be result.
    assert "--- a/Dockerfile" in lines and "+++ b/Dockerfile" in lines, result.out
    assert "+USER 10001" in lines, result.out


def test_json_output_lists_the_plan(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(story)
    dry = run_cli(capsys, "diff", str(story), "--format", "json")
    assert dry.code == 0, dry.err
    assert snapshot(story) == before
    plan = json.loads(dry.out)
    entries = {e["path"]: e for e in plan["entries"]}
    assert entries["Dockerfile"]["action"] == "merge"
    assert plan["conflicts"] == []

    done = run_cli(capsys, "update", str(story), "--format", "json")
    assert done.code == 0, done.err
    result = json.loads(done.out)
    assert [e["path"] for e in result["entries"]] == list(entries)
    assert (story / "Dockerfile").read_bytes() == as_bytes(
        STORY.expected["Dockerfile"] or ""
    )


def test_dirty_tree_is_refused_unless_allowed(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = story / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "LABEL team=payments\n")
    before = snapshot(story)
    refused = run_cli(capsys, "update", str(story))
    assert refused.code == 2
    assert "Dockerfile" in refused.err and "--allow-dirty" in refused.err
    assert snapshot(story) == before
    assert "ref: v1.0.0\n" in (story / ".synctool.yml").read_text()

    allowed = run_cli(capsys, "update", str(story), "--allow-dirty")
    assert allowed.code == 0, allowed.err
    # The uncommitted change is merged like any other change of ours.
    assert dockerfile.read_bytes() == (
        as_bytes(STORY.expected["Dockerfile"] or "") + b"LABEL team=payments\n"
    )


def test_unknown_ref_is_an_input_error(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(story)
    result = run_cli(capsys, "update", str(story), "--to", "v9.9.9")
    assert result.code == 2
    assert "v9.9.9" in result.err
    _unchanged(story, before)


def test_sync_after_editing_the_declared_ref_is_an_update(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    declared = story / ".synctool.yml"
    declared.write_text(
        declared.read_text().replace("ref: v1.0.0\n", f"ref: {V2_TAG}\n")
    )
    git(story, "commit", "-qam", "Declare blueprint 1.1.0")
    result = run_cli(capsys, "sync", str(story))
    assert result.code == 0, result.err
    assert (story / "Dockerfile").read_bytes() == as_bytes(
        STORY.expected["Dockerfile"] or ""
    )
    assert load_yaml(story / ".synctool.lock")["version"] == "1.1.0"


def test_conflicts_are_listed_with_how_to_finish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, svc = build_service(tmp_path, BY_NAME["real_conflict_one_line"], capsys)
    result = run_cli(capsys, "update", str(svc))
    assert result.code == 1
    out = result.out + result.err
    assert "app/settings.py" in out
    assert "git add" in out
