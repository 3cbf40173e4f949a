"""`synctool adopt` against the real `copier` command, story by story.

Each story: `copier copy` a template at v1.0.0 (the real command, its own
process), commit, customise, commit; copy the project; `synctool adopt` the
one and `synctool update` it to v2.0.0, `copier update` the other to
v2.0.0. Then synctool must have done at least as well as copier: every
customised line kept, every line the release added there (merged, or inside
conflict markers), no more conflicts than copier left, and every file that
copier merged without a conflict exactly as copier merged it (or, for a
file both changed, merged without one by synctool).

The outcome of each story (lines kept, conflicts, seconds) is written to
``$ADOPT_RESULTS`` when that is set (the report's table).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.helpers import Files, git, make_blueprint, run_cli, snapshot

MARKER = "<<<<<<< "


@pytest.fixture(autouse=True)
def _off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


class Edit(NamedTuple):
    path: str
    old: str  # replaced once; "" appends
    new: str


class Story(NamedTuple):
    v1: Files
    v2: Files
    data: Mapping[str, str]  # `copier copy --data` (secret ones included)
    secret: Mapping[str, str]  # what adopt must be told: never recorded
    edits: Sequence[Edit]
    deleted: Sequence[str]  # files the team deleted
    added: Mapping[str, Sequence[str]]  # path -> lines v2 adds there
    answers_file: str = ".copier-answers.yml"
    trust: bool = False


def copier(*args: str, cwd: Path | None = None) -> float:
    """The real copier command; returns the seconds it took."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "copier", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@e.invalid",
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@e.invalid",
        },
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return time.perf_counter() - start


def data_args(data: Mapping[str, str]) -> list[str]:
    return [a for k, v in data.items() for a in ("--data", f"{k}={v}")]


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, "--allow-empty")


def conflicts(root: Path) -> dict[str, int]:
    found = {}
    for rel, data in snapshot(root).items():
        text = data.decode("utf-8", "replace")
        count = sum(1 for line in text.splitlines() if line.startswith(MARKER))
        if count:
            found[rel] = count
    return found


# --- the templates -------------------------------------------------------------

EXTENSION = """\
import re

from jinja2.ext import Extension


def slugify(value):
    return re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_")


class SlugExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["slugify"] = slugify
"""

ANSWERS_JINJA = "{{ _copier_answers|to_nice_yaml -}}\n"


def full_copier_yml(*, extension: bool, tasks: bool = True) -> str:
    loader = (
        "_jinja_extensions:\n"
        "  - copier_template_extensions.TemplateExtensionLoader\n"
        "  - extensions/slug.py:SlugExtension\n"
        if extension
        else "_jinja_extensions:\n  - jinja2.ext.loopcontrols\n"
    )
    slug = "slugify" if extension else "lower|replace(' ', '_')"
    tasks = '_tasks:\n  - "echo task ran >> tasks.log"\n' if tasks else ""
    return f"""\
_subdirectory: template
_answers_file: .config/copier-answers.yml
_skip_if_exists:
  - config/local.toml
_exclude:
  - "{{% if _copier_operation == 'update' %}}db/seed.sql{{% endif %}}"
{tasks}{loader}project_name:
  type: str
  default: Order Service
package:
  type: str
  default: "{{{{ project_name|{slug} }}}}"
api_token:
  type: str
  secret: true
  default: changeme
port:
  type: int
  default: 8080
"""


README_V1 = "# {{ project_name }}\n\nA service.\n\n## Usage\n\nRun it.\n"
README_V2 = "# {{ project_name }} (v2)\n\nA service.\n\n## Usage\n\nRun it.\n"
APP_V1 = """\
PORT = {{ port }}
NAME = "{{ project_name }}"


def main():
    return NAME


def helper():
    return 1
"""
APP_V2 = (
    APP_V1.replace("    return 1\n", "    return 2\n")
    + """

def health():
    return "ok"
"""
)
CI_V1 = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: checkout
        uses: actions/checkout@v4
      - name: test
        run: make test
"""
CI_V2 = CI_V1.replace(
    "      - name: test\n",
    "      - name: lint\n        run: make lint\n      - name: test\n",
)
ENV_V1 = "TOKEN={{ api_token }}\nPORT={{ port }}\n"
ENV_V2 = "# generated\nTOKEN={{ api_token }}\nPORT={{ port }}\nLOG_LEVEL=info\n"


def full_tree(*, v2: bool, extension: bool, tasks: bool = True) -> dict[str, str]:
    files = {
        "copier.yml": full_copier_yml(extension=extension, tasks=tasks),
        "template/{{ _copier_conf.answers_file }}.jinja": ANSWERS_JINJA,
        "template/README.md.jinja": README_V2 if v2 else README_V1,
        "template/src/{{ package }}/__init__.py": "",
        "template/src/{{ package }}/app.py.jinja": APP_V2 if v2 else APP_V1,
        "template/.github/workflows/ci.yml": CI_V2 if v2 else CI_V1,
        "template/settings.env.jinja": ENV_V2 if v2 else ENV_V1,
        "template/config/local.toml.jinja": (
            'name = "{{ package }}"\n' + ("debug = false\n" if v2 else "")
        ),
        "template/db/seed.sql": "INSERT 1;\n" + ("INSERT 2;\n" if v2 else ""),
        "template/docs/old.md": "old docs\n",
    }
    if extension:
        files["extensions/slug.py"] = EXTENSION
    if v2:
        files["template/src/{{ package }}/health.py.jinja"] = (
            "# health of {{ package }}\n"
        )
    return files


FULL_EDITS = (
    Edit("README.md", "", "\n## Team notes\n\nOn call: #orders.\n"),
    Edit(
        "src/order_service/app.py",
        "    return NAME\n",
        "    return NAME.upper()  # ours\n",
    ),
    Edit("src/order_service/app.py", "    return 1\n", "    return 10  # ours too\n"),
    Edit(
        ".github/workflows/ci.yml",
        "        run: make test\n",
        "        run: make test\n      - name: coverage\n        run: make cov\n",
    ),
    Edit("settings.env", "", "EXTRA=team\n"),
    Edit("config/local.toml", "", 'owner = "team"\n'),
)
FULL_ADDED = {
    "README.md": ["# Order Service (v2)"],
    "src/order_service/app.py": ["def health():", "    return 2"],
    ".github/workflows/ci.yml": ["      - name: lint"],
    "settings.env": ["# generated", "LOG_LEVEL=info"],
    "src/order_service/health.py": ["# health of order_service"],
}
SECRET = {"api_token": "Tk-9f3a1c77e2b54d0e"}

HAS_EXTENSIONS = importlib.util.find_spec("copier_template_extensions") is not None

STORIES = {
    "copier-features": Story(
        v1=full_tree(v2=False, extension=False),
        v2=full_tree(v2=True, extension=False),
        data=SECRET,
        secret=SECRET,
        edits=FULL_EDITS,
        deleted=["docs/old.md"],
        added=FULL_ADDED,
        answers_file=".config/copier-answers.yml",
        trust=True,
    ),
    "template-extensions": Story(
        v1=full_tree(v2=False, extension=True, tasks=False),
        v2=full_tree(v2=True, extension=True, tasks=False),
        data=SECRET,
        secret=SECRET,
        edits=FULL_EDITS,
        deleted=["docs/old.md"],
        added=FULL_ADDED,
        answers_file=".config/copier-answers.yml",
        trust=True,
    ),
    "template-extensions-and-tasks": Story(
        v1=full_tree(v2=False, extension=True),
        v2=full_tree(v2=True, extension=True),
        data=SECRET,
        secret=SECRET,
        edits=FULL_EDITS,
        deleted=["docs/old.md"],
        added=FULL_ADDED,
        answers_file=".config/copier-answers.yml",
        trust=True,
    ),
    "plain": Story(
        v1={
            "copier.yml": "name: {type: str, default: demo}\n",
            "{{ _copier_conf.answers_file }}.jinja": ANSWERS_JINJA,
            "README.md.jinja": README_V1.replace("project_name", "name"),
            "pyproject.toml.jinja": (
                '[project]\nname = "{{ name }}"\ndependencies = [\n  "fastapi",\n]\n'
            ),
            ".gitignore": "*.pyc\n",
        },
        v2={
            "copier.yml": "name: {type: str, default: demo}\n",
            "{{ _copier_conf.answers_file }}.jinja": ANSWERS_JINJA,
            "README.md.jinja": README_V2.replace("project_name", "name"),
            "pyproject.toml.jinja": (
                '[project]\nname = "{{ name }}"\ndependencies = [\n  "fastapi",\n'
                '  "uvicorn",\n]\n'
            ),
            ".gitignore": "*.pyc\n.venv/\n",
        },
        data={"name": "shop"},
        secret={},
        edits=(
            Edit("README.md", "Run it.\n", "Run it with `make run`.\n"),
            Edit("pyproject.toml", '  "fastapi",\n', '  "fastapi",\n  "httpx",\n'),
            Edit(".gitignore", "", "dist/\n"),
        ),
        deleted=[],
        added={
            "README.md": ["# shop (v2)"],
            "pyproject.toml": ['  "uvicorn",'],
            ".gitignore": [".venv/"],
        },
    ),
}


def _params() -> list[object]:
    no_extensions = pytest.mark.skipif(
        not HAS_EXTENSIONS, reason="copier-template-extensions is not installed"
    )
    marks = {
        "template-extensions": [no_extensions],
        "template-extensions-and-tasks": [no_extensions],
    }
    return [pytest.param(name, id=name, marks=marks.get(name, [])) for name in STORIES]


def apply_edits(root: Path, story: Story) -> None:
    for edit in story.edits:
        path = root / edit.path
        text = path.read_text()
        if edit.old:
            assert text.count(edit.old) == 1, (edit.path, text)
            text = text.replace(edit.old, edit.new)
        else:
            text += edit.new
        path.write_text(text)
    for rel in story.deleted:
        (root / rel).unlink()


def team_lines(story: Story) -> list[tuple[str, str]]:
    """Every line the team wrote, by file."""
    return [
        (edit.path, line)
        for edit in story.edits
        for line in edit.new.splitlines()
        if line.strip() and line not in (edit.old.splitlines() or [""])
    ]


def kept(root: Path, lines: Sequence[tuple[str, str]]) -> int:
    return sum(
        1
        for rel, line in lines
        if (root / rel).is_file() and line in (root / rel).read_text().splitlines()
    )


@pytest.mark.parametrize("name", _params())
def test_adopt_then_update_merges_at_least_as_well_as_copier_update(
    name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    story = STORIES[name]
    monkeypatch.chdir(tmp_path)
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": story.v1, "v2.0.0": story.v2})
    ours = tmp_path / "ours" / "order-service"
    trust = ["--trust"] if story.trust else []
    copier(
        "copy",
        "--defaults",
        "--quiet",
        "--vcs-ref",
        "v1.0.0",
        *trust,
        *data_args(story.data),
        str(bp),
        str(ours),
    )
    git(ours, "init", "-q", "-b", "main")
    commit_all(ours, "Generated by copier")
    apply_edits(ours, story)
    commit_all(ours, "Customised")
    theirs = tmp_path / "theirs" / "order-service"
    shutil.copytree(ours, theirs, symlinks=True)
    before = snapshot(ours)

    start = time.perf_counter()
    result = run_cli(capsys, "adopt", str(ours), *trust, *data_args(story.secret))
    adopt_seconds = time.perf_counter() - start
    assert result.code == 0, result.err
    after = snapshot(ours)
    assert set(after) - set(before) == {".synctool.yml", ".synctool.lock"}
    assert {k: v for k, v in after.items() if k in before} == before  # nothing else
    assert (ours / story.answers_file).is_file()
    for rel in story.deleted:
        assert f"deleted  {rel}" in result.out
    if "_tasks:" in str(story.v1["copier.yml"]):  # ran when copier generated it
        assert "The blueprint has 1 task(s); adopt ran none" in result.out
        assert (ours / "tasks.log").read_text() == "task ran\n"
    for rel in {e.path for e in story.edits} - set(story.deleted):
        assert f"changed  {rel}" in result.out
    commit_all(ours, "Adopt with synctool")

    start = time.perf_counter()
    result = run_cli(
        capsys, "update", str(ours), "--to", "v2.0.0", *trust, *data_args(story.secret)
    )
    update_seconds = time.perf_counter() - start
    assert result.code in (0, 1), result.err

    copier_seconds = copier(
        "update",
        "--defaults",
        "--quiet",
        "--vcs-ref",
        "v2.0.0",
        *trust,
        "--answers-file",
        story.answers_file,
        *data_args(story.secret),
        cwd=theirs,
    )

    # copier's answers file is kept current: copier itself reads v2.0.0 there
    assert "_commit: v2.0.0\n" in (ours / story.answers_file).read_text()
    lines = team_lines(story)
    ours_kept, theirs_kept = kept(ours, lines), kept(theirs, lines)
    assert ours_kept == len(lines), "a customised line was lost"
    assert ours_kept >= theirs_kept
    for rel in story.deleted:
        assert not (ours / rel).exists()  # the team's deletion stands
    for rel, added in story.added.items():
        text = (ours / rel).read_text().splitlines()
        missing = [line for line in added if line not in text]
        assert not missing, (rel, missing)  # merged, or marked
    ours_conflicts, theirs_conflicts = conflicts(ours), conflicts(theirs)
    # no file left to resolve that copier merged (its regions span more lines)
    assert set(ours_conflicts) <= set(theirs_conflicts)
    mine, copiers = snapshot(ours), snapshot(theirs)
    for rel, data in copiers.items():
        if rel in theirs_conflicts or rel.endswith(".rej"):
            continue
        if rel == story.answers_file:
            continue  # _src_path is written as each tool was given it
        assert mine.get(rel) == data, rel  # as copier merged it
    _record(
        name,
        {
            "team_lines": len(lines),
            "synctool_kept": ours_kept,
            "copier_kept": theirs_kept,
            "synctool_conflicts": sum(ours_conflicts.values()),
            "copier_conflicts": sum(theirs_conflicts.values()),
            "synctool_conflict_files": sorted(ours_conflicts),
            "copier_conflict_files": sorted(theirs_conflicts),
            "adopt_seconds": round(adopt_seconds, 2),
            "synctool_update_seconds": round(update_seconds, 2),
            "copier_update_seconds": round(copier_seconds, 2),
        },
    )


def _record(name: str, outcome: dict[str, object]) -> None:
    target = os.environ.get("ADOPT_RESULTS")
    if not target:
        return
    path = Path(target)
    results = json.loads(path.read_text()) if path.is_file() else {}
    results[name] = outcome
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
