"""`synctool check` says how a managed file was edited, not only that it was.

Where the locked content is at hand offline (the committed file, the commit
that last wrote the lock, or a render the cache kept) the finding is on the
first changed line and text output shows the start of a unified diff; where
it is not, the finding says the file differs from the locked sha256.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from synctool.check import drift
from synctool.cli import run as cli_run
from tests.helpers import GIT_ENV, REPO, Result, git, make_blueprint, run_cli

CHECK_SCHEMA = json.loads((REPO / "docs/check-output.schema.json").read_text())
SARIF_SCHEMA = json.loads(
    (REPO / "tests/schemas/sarif-2.1.0-subset.schema.json").read_text()
)

COPIER_YML = "_subdirectory: template\nname:\n  type: str\n  default: orders\n"
POLICY = "ownership:\n  managed:\n    - Makefile\n    - scripts/**\n"
MAKEFILE = "".join(f"target{n}:\n\techo {n}\n" for n in range(1, 16))  # 30 lines
BLUEPRINT = {
    "copier.yml": COPIER_YML,
    "synctool.yml": POLICY,
    "template/Makefile": MAKEFILE,
    "template/scripts/run.sh": "#!/bin/sh\necho run\n",
    "template/README.md.jinja": "# {{ name }}\n",
}


@pytest.fixture(scope="module")
def blueprint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_blueprint(tmp_path_factory.mktemp("bp") / "bp", {"v1.0.0": BLUEPRINT})


def _init(dest: Path, blueprint: Path, *extra: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        for var, value in GIT_ENV.items():
            mp.setenv(var, value)
        code = cli_run(
            [
                "init",
                str(dest),
                "--blueprint",
                str(blueprint),
                "--defaults",
                "-q",
                *extra,
            ]
        )
    assert code == 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, blueprint: Path) -> Path:
    dest = tmp_path_factory.mktemp("generated") / "orders"
    _init(dest, blueprint)
    return dest


@pytest.fixture
def svc(tmp_path: Path, generated: Path) -> Path:
    """A fresh copy of the service (a git repository, one commit)."""
    dest = tmp_path / "orders"
    shutil.copytree(generated, dest, symlinks=True)
    return dest


def edit_line(svc: Path, rel: str, number: int, text: str) -> None:
    path = svc / rel
    lines = path.read_text().splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    path.write_text("".join(lines))


def check(capsys: pytest.CaptureFixture[str], svc: Path, *args: str) -> Result:
    return run_cli(capsys, "check", str(svc), *args)


def drift_finding(capsys: pytest.CaptureFixture[str], svc: Path) -> dict[str, Any]:
    result = check(capsys, svc, "--format", "json")
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    Draft202012Validator(CHECK_SCHEMA).validate(doc)
    (found,) = [f for f in doc["findings"] if f["rule"] == "managed-drift"]
    return dict(found)


def sarif_region(capsys: pytest.CaptureFixture[str], svc: Path) -> Any:
    result = check(capsys, svc, "--format", "sarif")
    doc = json.loads(result.out)
    Draft202012Validator(SARIF_SCHEMA).validate(doc)
    (res,) = doc["runs"][0]["results"]
    return res["locations"][0]["physicalLocation"].get("region")


# -- an uncommitted edit: the committed file is the locked content ------------


def test_text_output_shows_the_first_differing_lines(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    edit_line(svc, "Makefile", 12, "\techo changed by us")
    result = check(capsys, svc)
    assert result.code == 1
    lines = result.out.splitlines()
    at = lines.index(
        "     error  managed-drift:12  blueprint-managed file was edited; "
        "the blueprint owns it"
    )
    assert lines[at + 1 : at + 6] == [
        "            @@ -11,3 +11,3 @@",
        "             target6:",
        "            -\techo 6",
        "            +\techo changed by us",
        "             target7:",
    ]
    assert lines[at + 6].startswith("            hint: undo the edit")


def test_json_and_sarif_put_the_finding_on_the_first_changed_line(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    edit_line(svc, "Makefile", 7, "target4-renamed:")
    found = drift_finding(capsys, svc)
    assert (found["path"], found["line"]) == ("Makefile", 7)
    assert (
        found["message"] == "blueprint-managed file was edited; the blueprint owns it"
    )
    assert sarif_region(capsys, svc) == {"startLine": 7}
    github = check(capsys, svc, "--format", "github")
    assert "::error file=Makefile,line=7,title=managed-drift::" in github.out


def test_a_long_edit_is_cut_to_a_few_lines_and_says_how_much_more(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / "Makefile").write_text(MAKEFILE.replace("echo", "printf"))
    result = check(capsys, svc)
    excerpt = [
        line[12:]
        for line in result.out.splitlines()
        if line.startswith("            ") and not line.lstrip().startswith("hint:")
    ]
    assert excerpt[0] == "@@ -1,30 +1,30 @@"
    assert len(excerpt) == 9  # eight lines of the diff, then how much more
    # 15 lines changed, each one removed and one added: 30 lines of the
    # diff, of which the eight shown hold 4 (two - and two +)
    assert excerpt[1:8] == [
        " target1:",
        "-\techo 1",
        "+\tprintf 1",
        " target2:",
        "-\techo 2",
        "+\tprintf 2",
        " target3:",
    ]
    assert excerpt[-1] == "... and 26 more changed line(s)"


def test_lines_removed_at_the_end_point_at_the_last_line(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / "Makefile").write_text("".join(MAKEFILE.splitlines(keepends=True)[:20]))
    found = drift_finding(capsys, svc)
    assert found["line"] == 20
    result = check(capsys, svc)
    assert "            -target11:" in result.out.splitlines()


def test_an_edit_already_committed_is_shown_from_the_commit_that_wrote_the_lock(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    edit_line(svc, "scripts/run.sh", 2, "echo run --fast")
    git(svc, "commit", "-qam", "Faster")
    (svc / "README.md").write_text("# orders\n\nMore words.\n")
    git(svc, "commit", "-qam", "Docs")  # HEAD is not where the edit was made
    found = drift_finding(capsys, svc)
    assert (found["path"], found["line"]) == ("scripts/run.sh", 2)
    result = check(capsys, svc)
    assert "            -echo run" in result.out.splitlines()
    assert "            +echo run --fast" in result.out.splitlines()


def test_a_crlf_checkout_is_still_the_locked_content(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / "Makefile").write_bytes(MAKEFILE.replace("\n", "\r\n").encode())
    assert check(capsys, svc).code == 0


# -- no locked content at hand: the hash is all there is -----------------------


@pytest.fixture
def outside_git(tmp_path: Path, blueprint: Path) -> Path:
    dest = tmp_path / "plain"
    _init(dest, blueprint, "--no-git")
    assert not (dest / ".git").exists()
    return dest


def test_without_the_locked_content_it_says_the_hash_differs(
    capsys: pytest.CaptureFixture[str], outside_git: Path
) -> None:
    edit_line(outside_git, "Makefile", 4, "\techo 2 edited")
    found = drift_finding(capsys, outside_git)
    assert found["line"] is None
    assert found["message"] == (
        "blueprint-managed file was edited (it differs from the locked sha256); "
        "the blueprint owns it"
    )
    assert "synctool check --fix" in found["hint"]
    assert "git diff" not in found["hint"]  # no repository to ask
    assert sarif_region(capsys, outside_git) is None
    result = check(capsys, outside_git)
    assert "@@" not in result.out


def test_a_render_the_cache_kept_gives_the_diff_outside_git(
    capsys: pytest.CaptureFixture[str], outside_git: Path
) -> None:
    """`check --fix` renders the locked version through the render cache;
    a later check reads that render (never renders itself)."""
    edit_line(outside_git, "Makefile", 4, "\techo 2 edited")
    fixed = check(capsys, outside_git, "--fix")
    assert fixed.code == 0, fixed.out + fixed.err
    assert (outside_git / "Makefile").read_text() == MAKEFILE
    edit_line(outside_git, "Makefile", 9, "\techo 5 edited")
    found = drift_finding(capsys, outside_git)
    assert (found["line"], found["message"]) == (
        9,
        "blueprint-managed file was edited; the blueprint owns it",
    )
    result = check(capsys, outside_git)
    assert "            +\techo 5 edited" in result.out.splitlines()
    # the executable, as the pre-commit hook runs it: neither copier nor typer
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "synctool", "check"],
        cwd=outside_git,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "            +\techo 5 edited" in proc.stdout.splitlines()
    imported = {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "synctool.blueprint.rendercache" in imported  # it did read the cache
    assert not {m for m in imported if m.split(".")[0] in ("copier", "typer")}


# -- the pieces ------------------------------------------------------------------


def test_first_changed_line() -> None:
    assert drift.first_changed_line(b"a\nb\nc\n", b"a\nB\nc\n") == 2
    assert drift.first_changed_line(b"a\nb\n", b"a\nb\nc\n") == 3  # added at the end
    assert drift.first_changed_line(b"a\nb\nc\n", b"a\n") == 1  # removed at the end
    assert drift.first_changed_line(b"a\n", b"") == 1  # emptied
    assert drift.first_changed_line(b"a\nb\n", b"a\r\nc\r\n") == 2


def test_edit_excerpt_of_a_binary_file_says_so() -> None:
    assert drift.edit_excerpt(b"\0\1", b"\0\2", path="logo.png") == [
        "(binary file: its bytes differ from the locked content)"
    ]


def test_edit_excerpt_keeps_short_diffs_whole() -> None:
    assert drift.edit_excerpt(b"a\nb\nc\n", b"a\nx\nc\n", path="f") == [
        "@@ -1,3 +1,3 @@",
        " a",
        "-b",
        "+x",
        " c",
    ]
