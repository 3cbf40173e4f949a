"""Merge outcomes on the scenario suite: synctool and copier side by side.

    python -m bench.outcomes

Every scenario of tests/scenarios.py (blueprint v1, generate, user edits,
blueprint v2, update) is played with `synctool update` and with
`copier update --conflict inline`, and each outcome is classified:

- clean-correct: the tool said "clean" and every expected file is exact;
- conflict: the tool left conflict markers (or .rej / side files) for the
  user to decide, and lost nothing silently;
- wrong: a file ended up different from what a careful user expects with no
  conflict to show for it (a user change lost, or a clean but incorrect merge);
- error: the tool stopped without updating.

"wrong" is the outcome that must never happen.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.common import copier_cmd, run, synctool_cmd, table, tmpdir

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.scenarios import SCENARIOS, V1_TAG, V2_TAG, Scenario, apply_edits

ANSWERS_TEMPLATE = "{{ _copier_conf.answers_file }}.jinja"
ANSWERS_TEXT = "{{ _copier_answers|to_nice_yaml -}}\n"
MARKERS = (b"<<<<<<< ", b">>>>>>> ")


def _write_release(bp: Path, files: dict[str, str | bytes], tag: str) -> None:
    for path in bp.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for rel, content in {**files, ANSWERS_TEMPLATE: ANSWERS_TEXT}.items():
        executable = rel.endswith("!x")
        path = bp / rel.removesuffix("!x")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        if executable:
            path.chmod(0o755)
    run(["git", "add", "-A"], cwd=bp)
    run(["git", "commit", "-qm", tag, "--allow-empty"], cwd=bp)
    run(["git", "tag", tag], cwd=bp)


def _drop_base(bp: Path) -> None:
    run(["git", "checkout", "-q", "--orphan", "rewritten"], cwd=bp)
    run(["git", "commit", "-qm", "rewritten"], cwd=bp)
    run(["git", "branch", "-D", "main"], cwd=bp)
    run(["git", "branch", "-m", "main"], cwd=bp)
    run(["git", "tag", "-d", V1_TAG], cwd=bp)
    run(["git", "tag", "-f", V2_TAG], cwd=bp)
    run(["git", "reflog", "expire", "--expire=now", "--all"], cwd=bp)
    run(["git", "gc", "-q", "--prune=now"], cwd=bp)


def _classify(svc: Path, scenario: Scenario, code: int, tool: str) -> str:
    if tool == "copier" and code != 0:
        return "error"
    outcome = "clean-correct"
    for rel, want in scenario.expected.items():
        path = svc / rel
        got = path.read_bytes() if path.is_file() else None
        wanted = want.encode() if isinstance(want, str) else want
        if got == wanted:
            continue
        shown = got is not None and all(m in got for m in MARKERS)
        beside = any(
            (svc / f"{rel}{suffix}").exists() for suffix in (".rej", ".blueprint")
        )
        if shown or beside:
            outcome = "conflict"
        else:
            return "wrong"
    if scenario.conflict and outcome == "clean-correct":
        # The expected files hold the conflict; the tool showed it exactly.
        return "conflict" if tool == "synctool" and code == 1 else "wrong"
    if tool == "synctool" and code == 1 and outcome == "clean-correct":
        return "conflict"
    return outcome


def _play(work: Path, scenario: Scenario, tool: str) -> str:
    bp = work / f"bp-{tool}"
    bp.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], cwd=bp)
    _write_release(bp, scenario.blueprint(V1_TAG), V1_TAG)
    svc = work / f"svc-{tool}"
    data = scenario.init_data()
    if tool == "synctool":
        run(
            [
                *synctool_cmd(),
                "init",
                str(svc),
                "--blueprint",
                str(bp),
                "--defaults",
                "-q",
                *data,
            ]
        )
    else:
        run(
            [
                *copier_cmd(),
                "copy",
                "--quiet",
                "--defaults",
                "--vcs-ref",
                V1_TAG,
                *data,
                str(bp),
                str(svc),
            ]
        )
        run(["git", "init", "-q", "-b", "main"], cwd=svc)
    apply_edits(svc, scenario.edits)
    run(["git", "add", "-A"], cwd=svc)
    run(["git", "commit", "-qm", "user edits", "--allow-empty"], cwd=svc)
    _write_release(bp, scenario.blueprint(V2_TAG), V2_TAG)
    if scenario.delete_base_tag:
        _drop_base(bp)
    extra = list(scenario.update_args)
    if tool == "synctool":
        proc = run(
            [*synctool_cmd(), "update", str(svc), "--to", V2_TAG, "-q", *extra],
            check=False,
        )
    else:
        proc = run(
            [
                *copier_cmd(),
                "update",
                "--quiet",
                "--defaults",
                "--skip-answered",
                "--conflict",
                "inline",
                "--vcs-ref",
                V2_TAG,
                *extra,
            ],
            cwd=svc,
            check=False,
        )
    return _classify(svc, scenario, proc.returncode, tool)


def main() -> None:
    results: dict[str, dict[str, str]] = {}
    for scenario in SCENARIOS:
        work = tmpdir(f"outcome-{scenario.name}")
        results[scenario.name] = {
            tool: _play(work / tool, scenario, tool) for tool in ("synctool", "copier")
        }
        shutil.rmtree(work, ignore_errors=True)
    rows = [(name, r["synctool"], r["copier"]) for name, r in results.items()]
    print(table(["scenario", "synctool", "copier"], rows))
    print()
    kinds = ["clean-correct", "conflict", "wrong", "error"]
    totals = {
        tool: Counter(r[tool] for r in results.values())
        for tool in ("synctool", "copier")
    }
    print(
        table(
            ["tool", *kinds],
            [(tool, *(totals[tool][k] for k in kinds)) for tool in totals],
        )
    )


if __name__ == "__main__":
    subprocess.run(["git", "--version"], check=True, capture_output=True)
    main()
