"""synctool on the copier features real templates use, checked against copier.

Fidelity: `synctool init` writes exactly what the `copier copy` command writes
(every file, its bytes and its executable bit, copier's answers file with its
`_commit` and `_src_path` included), and records in .synctool.yml the answers
copier records (no secrets, no skipped or computed questions).

Histories: a service generated at v1 and committed, then `synctool update` to
a later release. Unmodified, it must equal a fresh `copier copy` of that
release with the same answers; customised (a line the release does not
touch), it must equal that copy with the user's line still there. Features
that copier applies only on update (`_skip_if_exists`, `_exclude` on
`_copier_operation`) are compared with the `copier update` command instead.

Every blueprint is a real git repository in a tmp folder; every copier run is
the real command in its own process (started early, so it runs while synctool
works).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from tests.helpers import Files, Result, git, make_blueprint, run_cli, write_tree

SYNCTOOL_FILES = frozenset({".synctool.yml", ".synctool.lock"})
DEFAULT_ANSWERS = ".copier-answers.yml"
ANSWERS = {
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n"
}

Tree = dict[str, tuple[bytes, bool]]  # path -> (content, executable)


@pytest.fixture(autouse=True)
def _off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """synctool asks on a terminal; these tests are about what it does off one."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


# --- helpers ---------------------------------------------------------------


def tree(root: Path, drop: Sequence[str] = ()) -> Tree:
    """Every file under root (no .git), as bytes and executable bit."""
    out: Tree = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if ".git" in rel.parts or rel.as_posix() in drop:
            continue
        if path.is_symlink():
            out[rel.as_posix()] = (os.readlink(path).encode(), False)
        elif path.is_file():
            out[rel.as_posix()] = (path.read_bytes(), bool(path.stat().st_mode & 0o111))
    return out


def texts(t: Tree, drop: Sequence[str] = ()) -> dict[str, str]:
    """A tree's contents as text, for readable expectations (binary: repr)."""
    return {
        rel: data.decode("utf-8", errors="backslashreplace")
        for rel, (data, _x) in t.items()
        if rel not in drop
    }


def data_args(data: Mapping[str, str]) -> list[str]:
    return [arg for key, value in data.items() for arg in ("--data", f"{key}={value}")]


def start_copier_copy(
    src: Path,
    ref: str,
    data: Mapping[str, str],
    dst: Path,
    *extra: str,
    pythonpath: Path | None = None,
) -> Callable[[], Path]:
    """`copier copy` in its own process; the returned function waits for it."""
    cmd = [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet"]
    cmd += ["--vcs-ref", ref, *extra, *data_args(data), str(src), str(dst)]
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(pythonpath), env.get("PYTHONPATH", "")) if p
        )
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )

    def wait() -> Path:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        return dst

    return wait


def copier_answers(copied: Path, answers_file: str) -> dict[str, Any]:
    recorded = yaml.safe_load((copied / answers_file).read_text())
    return {k: v for k, v in recorded.items() if not k.startswith("_")}


def init(
    capsys: pytest.CaptureFixture[str],
    bp: Path,
    svc: Path,
    ref: str,
    data: Mapping[str, str] = {},
    *extra: str,
) -> Result:
    return run_cli(
        capsys,
        "init",
        str(svc),
        "--blueprint",
        str(bp),
        "--ref",
        ref,
        "--defaults",
        *data_args(data),
        *extra,
    )


def update(
    capsys: pytest.CaptureFixture[str],
    svc: Path,
    ref: str,
    data: Mapping[str, str] = {},
    *extra: str,
) -> Result:
    return run_cli(capsys, "update", str(svc), "--to", ref, *data_args(data), *extra)


def declared(svc: Path) -> dict[str, Any]:
    return yaml.safe_load((svc / ".synctool.yml").read_text())


def locked(svc: Path) -> dict[str, Any]:
    return yaml.safe_load((svc / ".synctool.lock").read_text())


def commit_all(svc: Path, message: str) -> None:
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", message, "--allow-empty")


def assert_same_as_copier(svc: Path, copied: Path, answers_file: str) -> None:
    """The service is copier's render, file for file; its answers are copier's."""
    assert texts(tree(svc, sorted(SYNCTOOL_FILES))) == texts(tree(copied))
    assert tree(svc, sorted(SYNCTOOL_FILES)) == tree(copied)
    assert declared(svc)["answers"] == copier_answers(copied, answers_file)


# --- 1. render fidelity: synctool init == copier copy ----------------------


class Fidelity(NamedTuple):
    files: Files
    runs: Sequence[Mapping[str, str]]  # --data per run
    expected: Sequence[Mapping[str, str | None]]  # per run: path -> text (None: absent)
    answers: Sequence[Mapping[str, Any]]  # per run: the recorded answers, exactly
    answers_file: str = DEFAULT_ANSWERS
    extra: tuple[str, ...] = ()  # for both tools (--trust)


EXCLUDE_NEGATION = Fidelity(
    files={
        "copier.yml": """\
name: {type: str, default: demo}
docs: {type: bool, default: true}
_exclude:
  - copier.yml
  - .git
  - "*.md"
  - "!README.md"
  - "drafts/*"
  - "!drafts/keep.txt"
  - "{% if not docs %}docs{% endif %}"
""",
        **ANSWERS,
        "README.md.jinja": "# {{ name }}\n",
        "CONTRIBUTING.md": "contribute\n",
        "docs/README.md": "docs index\n",
        "docs/guide.md": "guide\n",
        "docs/api.txt.jinja": "api of {{ name }}\n",
        "drafts/keep.txt": "keep\n",
        "drafts/wip.txt": "wip\n",
        "app.py.jinja": "NAME = '{{ name }}'\n",
    },
    runs=[{}, {"name": "shop", "docs": "false"}],
    expected=[
        {
            "README.md": "# demo\n",
            "CONTRIBUTING.md": None,
            "docs/README.md": "docs index\n",
            "docs/guide.md": None,
            "docs/api.txt": "api of demo\n",
            "drafts/keep.txt": "keep\n",
            "drafts/wip.txt": None,
            "app.py": "NAME = 'demo'\n",
        },
        {
            "README.md": "# shop\n",
            "docs/README.md": None,
            "docs/api.txt": None,
            "drafts/keep.txt": "keep\n",
        },
    ],
    answers=[{"name": "demo", "docs": True}, {"name": "shop", "docs": False}],
)

CHOICES = Fidelity(
    files={
        "copier.yml": """\
name: {type: str, default: demo}
license:
  type: str
  choices: [MIT, Apache-2.0, GPL-3.0-only]
  default: MIT
python_versions:
  type: str
  multiselect: true
  choices: ["3.10", "3.11", "3.12"]
  default: ["3.11", "3.12"]
ci:
  type: str
  choices:
    GitHub Actions: github
    GitLab CI: gitlab
  default: github
port:
  type: int
  choices: [8000, 8080]
  default: 8080
""",
        **ANSWERS,
        "LICENSE.jinja": "{{ license }} licence for {{ name }}\n",
        "versions.txt.jinja": "{% for v in python_versions %}py{{ v }}\n{% endfor %}",
        "{% if ci == 'github' %}.github{% endif %}/workflows/ci.yml.jinja": (
            "python: {{ python_versions|join(',') }}\nport: {{ port + 1 }}\n"
        ),
        "{% if ci == 'gitlab' %}.gitlab-ci.yml{% endif %}.jinja": (
            "image: python:{{ python_versions|last }}\nport: {{ port + 1 }}\n"
        ),
    },
    runs=[
        {},
        {
            "license": "Apache-2.0",
            "python_versions": '["3.12", "3.10"]',
            "ci": "gitlab",
            "port": "8000",
        },
    ],
    expected=[
        {
            "LICENSE": "MIT licence for demo\n",
            "versions.txt": "py3.11\npy3.12\n",
            ".github/workflows/ci.yml": "python: 3.11,3.12\nport: 8081\n",
            ".gitlab-ci.yml": None,
        },
        {
            "LICENSE": "Apache-2.0 licence for demo\n",
            "versions.txt": "py3.10\npy3.12\n",  # copier keeps the choices' order
            ".github/workflows/ci.yml": None,
            ".gitlab-ci.yml": "image: python:3.12\nport: 8001\n",
        },
    ],
    answers=[
        {
            "name": "demo",
            "license": "MIT",
            "python_versions": ["3.11", "3.12"],
            "ci": "github",
            "port": 8080,
        },
        {
            "name": "demo",
            "license": "Apache-2.0",
            "python_versions": ["3.10", "3.12"],
            "ci": "gitlab",
            "port": 8000,
        },
    ],
)

WHEN_AND_COMPUTED = Fidelity(
    files={
        "copier.yml": """\
project_name: {type: str, default: My Service}
package:
  type: str
  default: "{{ project_name|lower|replace(' ', '_') }}"
  when: false
use_db: {type: bool, default: false}
db_engine:
  type: str
  choices: [postgres, mysql]
  default: postgres
  when: "{{ use_db }}"
db_port:
  type: int
  default: "{{ 5432 if db_engine == 'postgres' else 3306 }}"
  when: "{{ use_db }}"
""",
        **ANSWERS,
        "{{ package }}/__init__.py.jinja": "NAME = '{{ project_name }}'\n",
        "settings.ini.jinja": (
            "[db]\n{% if use_db %}engine = {{ db_engine }}\nport = {{ db_port }}\n"
            "{% else %}engine = none\n{% endif %}"
        ),
    },
    runs=[{}, {"project_name": "Big Shop", "use_db": "true", "db_engine": "mysql"}],
    expected=[
        {
            "my_service/__init__.py": "NAME = 'My Service'\n",
            "settings.ini": "[db]\nengine = none\n",
        },
        {
            "big_shop/__init__.py": "NAME = 'Big Shop'\n",
            "my_service/__init__.py": None,
            "settings.ini": "[db]\nengine = mysql\nport = 3306\n",
        },
    ],
    answers=[
        {"project_name": "My Service", "use_db": False},
        {
            "project_name": "Big Shop",
            "use_db": True,
            "db_engine": "mysql",
            "db_port": 3306,
        },
    ],
)

SECRET = Fidelity(
    files={
        "copier.yml": """\
name: {type: str, default: svc}
api_token:
  type: str
  secret: true
  default: changeme
""",
        **ANSWERS,
        ".env.jinja": "NAME={{ name }}\nTOKEN={{ api_token }}\n",
    },
    runs=[{}, {"api_token": "s3cr3t-value"}],
    expected=[
        {".env": "NAME=svc\nTOKEN=changeme\n"},
        {".env": "NAME=svc\nTOKEN=s3cr3t-value\n"},
    ],
    answers=[{"name": "svc"}, {"name": "svc"}],
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR{{ name }}\xff\xfe\x00\x01"

EMPTY_SUFFIX = Fidelity(
    files={
        "copier.yml": 'name: {type: str, default: demo}\n_templates_suffix: ""\n',
        "{{ _copier_conf.answers_file }}": "{{ _copier_answers|to_nice_yaml -}}\n",
        "README.md": "# {{ name }}\n{% raw %}{{ kept }}{% endraw %}\n",
        "{{ name }}.cfg": "name={{ name|upper }}\n",
        "assets/logo.png": PNG,
        "run.sh!x": "#!/bin/sh\necho {{ name }}\n",
    },
    runs=[{}, {"name": "shop"}],
    expected=[
        {
            "README.md": "# demo\n{{ kept }}\n",
            "demo.cfg": "name=DEMO\n",
            "run.sh": "#!/bin/sh\necho demo\n",
        },
        {"README.md": "# shop\n{{ kept }}\n", "shop.cfg": "name=SHOP\n"},
    ],
    answers=[{"name": "demo"}, {"name": "shop"}],
)

CUSTOM_ANSWERS_FILE = Fidelity(
    files={
        "copier.yml": "name: {type: str, default: demo}\n_answers_file: .config/answers.yml\n",
        **ANSWERS,
        "info.txt.jinja": "answers in {{ _copier_conf.answers_file }}\n",
        ".config/tool.toml.jinja": 'name = "{{ name }}"\n',
    },
    runs=[{}],
    expected=[
        {
            "info.txt": "answers in .config/answers.yml\n",
            ".config/tool.toml": 'name = "demo"\n',
            DEFAULT_ANSWERS: None,  # (.config/answers.yml: compared with copier's)
        }
    ],
    answers=[{"name": "demo"}],
    answers_file=".config/answers.yml",
)

MACROS_AND_INCLUDE = Fidelity(
    files={
        "copier.yml": """\
name: {type: str, default: demo}
_exclude: [copier.yml, .git, macros, partials]  # rendered paths: no .jinja
""",
        **ANSWERS,
        "macros.jinja": (
            "{% macro header(title) -%}\n# {{ title|upper }}\n{%- endmacro %}\n"
            "{% macro item(x) %}- {{ x }}{% endmacro %}\n"
        ),
        "partials/footer.txt": "-- {{ name }} --\n",
        "README.md.jinja": (
            "{% from 'macros.jinja' import header, item %}{{ header(name) }}\n"
            "{{ item('one') }}\n{% include 'partials/footer.txt' %}"
        ),
    },
    runs=[{}, {"name": "shop"}],
    expected=[
        {
            "README.md": "# DEMO\n- one\n-- demo --\n",
            "macros": None,
            "macros.jinja": None,
            "partials/footer.txt": None,
        },
        {"README.md": "# SHOP\n- one\n-- shop --\n"},
    ],
    answers=[{"name": "demo"}, {"name": "shop"}],
)

TEMPLATED_SUBDIRECTORY = Fidelity(
    files={
        "copier.yml": """\
name: {type: str, default: demo}
flavour: {type: str, choices: [api, worker], default: api}
_subdirectory: "{{ flavour }}"
""",
        "README.md": "the template's own readme\n",
        "api/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
        "api/main.py.jinja": "# api {{ name }}\n",
        "worker/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
        "worker/run.py.jinja": "# worker {{ name }}\n",
    },
    runs=[{}, {"flavour": "worker"}],
    expected=[
        {"main.py": "# api demo\n", "run.py": None, "README.md": None},
        {"main.py": None, "run.py": "# worker demo\n", "README.md": None},
    ],
    answers=[{"name": "demo", "flavour": "api"}, {"name": "demo", "flavour": "worker"}],
)

JINJA_EXTENSIONS = Fidelity(
    files={
        "copier.yml": """\
name: {type: str, default: demo}
_jinja_extensions:
  - jinja2.ext.do
  - jinja2.ext.loopcontrols
""",
        **ANSWERS,
        "out.txt.jinja": (
            "{% set items = [] %}{% do items.append(name) %}{% do items.append('x') %}"
            "{% for i in items %}{% if i == 'x' %}{% break %}{% endif %}{{ i }}\n{% endfor %}"
            "{{ name|b64encode }}\n{{ name|regex_replace('^d', 'D') }}\n"
        ),
    },
    runs=[{}],
    expected=[{"out.txt": "demo\nZGVtbw==\nDemo\n"}],
    answers=[{"name": "demo"}],
    extra=("--trust",),
)

FIDELITY = {
    "exclude-negation": EXCLUDE_NEGATION,
    "choices-multiselect": CHOICES,
    "when-and-computed": WHEN_AND_COMPUTED,
    "secret": SECRET,
    "empty-templates-suffix": EMPTY_SUFFIX,
    "custom-answers-file": CUSTOM_ANSWERS_FILE,
    "macros-and-include": MACROS_AND_INCLUDE,
    "templated-subdirectory": TEMPLATED_SUBDIRECTORY,
    "jinja-extensions": JINJA_EXTENSIONS,
}


@pytest.mark.parametrize("case", list(FIDELITY.values()), ids=list(FIDELITY))
def test_init_writes_what_copier_copy_writes(
    case: Fidelity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": case.files})
    copies = [
        start_copier_copy(bp, "v1.0.0", data, tmp_path / f"copy-{i}", *case.extra)
        for i, data in enumerate(case.runs)
    ]
    for i, data in enumerate(case.runs):
        svc = tmp_path / f"svc-{i}"
        result = init(capsys, bp, svc, "v1.0.0", data, *case.extra)
        assert result.code == 0, result.err
        # What the template says (so the comparison below has reach) ...
        got = texts(tree(svc))
        for rel, want in case.expected[i].items():
            assert got.get(rel) == want, rel
        assert declared(svc)["answers"] == case.answers[i]
        assert locked(svc)["answers"] == case.answers[i]
        # ... and exactly what copier writes.
        assert_same_as_copier(svc, copies[i](), case.answers_file)


def test_binary_files_are_copied_byte_for_byte_without_a_templates_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": EMPTY_SUFFIX.files})
    svc = tmp_path / "svc"
    assert init(capsys, bp, svc, "v1.0.0").code == 0
    assert (svc / "assets/logo.png").read_bytes() == PNG
    assert os.stat(svc / "run.sh").st_mode & 0o111


def test_secrets_are_never_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": SECRET.files})
    svc = tmp_path / "svc"
    assert init(capsys, bp, svc, "v1.0.0", {"api_token": "s3cr3t-value"}).code == 0
    for name in SYNCTOOL_FILES:
        text = (svc / name).read_text()
        assert (
            "s3cr3t" not in text and "api_token" not in text and "changeme" not in text
        )
    assert "s3cr3t" not in git(svc, "log", "-p", "--", *sorted(SYNCTOOL_FILES))


def test_jinja_extensions_need_trust(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": JINJA_EXTENSIONS.files})
    svc = tmp_path / "svc"
    refused = init(capsys, bp, svc, "v1.0.0")
    assert refused.code == 2
    assert "--trust" in refused.err
    assert not svc.exists()


SKIP_IF_EXISTS_FILES: Files = {
    "copier.yml": """\
name: {type: str, default: demo}
_skip_if_exists: [.env, "config/*.local.yml"]
""",
    **ANSWERS,
    ".env.jinja": "NAME={{ name }}\nTOKEN=dev\n",
    "config/db.local.yml.jinja": "host: localhost\nname: {{ name }}\n",
    "config/app.yml.jinja": "name: {{ name }}\n",
}


def test_skip_if_exists_keeps_files_already_there_like_copier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": SKIP_IF_EXISTS_FILES})
    mine = {".env": "TOKEN=mine\n", "config/db.local.yml": "host: db.internal\n"}
    fresh = start_copier_copy(bp, "v1.0.0", {}, tmp_path / "fresh")
    write_tree(tmp_path / "copy", mine)
    over = start_copier_copy(bp, "v1.0.0", {}, tmp_path / "copy", "--overwrite")

    svc = tmp_path / "svc"
    assert init(capsys, bp, svc, "v1.0.0").code == 0
    assert_same_as_copier(svc, fresh(), DEFAULT_ANSWERS)

    forced = tmp_path / "forced"
    write_tree(forced, mine)
    result = init(capsys, bp, forced, "v1.0.0", {}, "--force")
    assert result.code == 0, result.err
    got = texts(tree(forced, [*sorted(SYNCTOOL_FILES), DEFAULT_ANSWERS]))
    assert got == {
        ".env": "TOKEN=mine\n",
        "config/db.local.yml": "host: db.internal\n",
        "config/app.yml": "name: demo\n",
    }
    assert_same_as_copier(forced, over(), DEFAULT_ANSWERS)


SHOUT_EXTENSION = """\
from jinja2.ext import Extension


class ShoutExtension(Extension):
    \"\"\"A filter and a preprocess step (extension packages may add either).\"\"\"

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["shout"] = lambda value: str(value).upper() + "!"

    def preprocess(self, source, name, filename=None):
        return source.replace("%%name%%", "{{ name }}")
"""


def test_a_jinja_extension_from_an_installed_module_renders_as_in_copier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An extension package (here a module on the path) with its own preprocess."""
    modules = tmp_path / "site"
    write_tree(modules, {"shout_ext.py": SHOUT_EXTENSION})
    monkeypatch.syspath_prepend(str(modules))
    files: Files = {
        "copier.yml": "name: {type: str, default: demo}\n"
        "_jinja_extensions: [shout_ext.ShoutExtension]\n",
        **ANSWERS,
        "hello.txt.jinja": "{{ name|shout }} %%name%%\n",
    }
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": files})
    copy = start_copier_copy(
        bp, "v1.0.0", {}, tmp_path / "copy", "--trust", pythonpath=modules
    )
    svc = tmp_path / "svc"
    result = init(capsys, bp, svc, "v1.0.0", {}, "--trust")
    assert result.code == 0, result.err
    assert (svc / "hello.txt").read_text() == "DEMO! demo\n"
    assert_same_as_copier(svc, copy(), DEFAULT_ANSWERS)


def test_an_extension_preprocess_applies_to_file_names_as_in_copier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = tmp_path / "site"
    write_tree(modules, {"shout_ext.py": SHOUT_EXTENSION})
    monkeypatch.syspath_prepend(str(modules))
    files: Files = {
        "copier.yml": "name: {type: str, default: demo}\n"
        "_jinja_extensions: [shout_ext.ShoutExtension]\n",
        **ANSWERS,
        "%%name%%.txt.jinja": "{{ name|shout }}\n",
    }
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": files})
    copy = start_copier_copy(
        bp, "v1.0.0", {}, tmp_path / "copy", "--trust", pythonpath=modules
    )
    svc = tmp_path / "svc"
    result = init(capsys, bp, svc, "v1.0.0", {}, "--trust")
    assert result.code == 0, result.err
    copied = copy()
    assert (copied / "demo.txt").read_text() == "DEMO!\n"
    assert_same_as_copier(svc, copied, DEFAULT_ANSWERS)


# --- 2./3. release histories through `synctool update` ---------------------

COPIER_V1 = "name: {type: str, default: demo}\n"


def settings(
    head: str = "# settings for {{ name }}",
    delta: str = "delta = 4",
    epsilon: str = "epsilon = 5",
) -> str:
    """A file the releases change at the end while users edit its top."""
    return f"{head}\nalpha = 1\nbeta = 2\ngamma = 3\n{delta}\n{epsilon}\n"


class Edit(NamedTuple):
    """The user replaces one line of a file (committed before the update)."""

    path: str  # at the service's first version
    old: str
    new: str
    moved_to: str | None = None  # where the release moves the file, if it does


class History(NamedTuple):
    versions: Mapping[str, Files]  # tag -> the blueprint's files
    init_data: Mapping[str, str]
    steps: Sequence[tuple[str, Mapping[str, str]]]  # `update --to REF --data ...`
    copy_data: Mapping[str, str]  # the answers of the fresh copy at the last ref
    edits: Sequence[Edit]
    expect: Mapping[str, str | None]  # after the update (None: absent)
    answers: Mapping[str, Any]  # recorded after the update, exactly
    answers_file: str = DEFAULT_ANSWERS  # at the last ref


ALPHA = Edit("settings.ini", "alpha = 1\n", "alpha = 100\n")
# For releases that also change the first line: git merges changes to
# adjacent lines as a conflict, so the user's line is further down.
GAMMA = Edit("settings.ini", "gamma = 3\n", "gamma = 300\n")

ADD_WITH_DEFAULT = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1,
            **ANSWERS,
            "settings.ini.jinja": settings(),
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1 + "log_level: {type: str, default: info}\n",
            **ANSWERS,
            "settings.ini.jinja": settings(epsilon="log_level = {{ log_level }}"),
        },
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "orders"},
    edits=[ALPHA],
    expect={
        "settings.ini": settings("# settings for orders", epsilon="log_level = info")
    },
    answers={"name": "orders", "log_level": "info"},
)

REMOVE_QUESTION = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1 + "use_legacy: {type: bool, default: true}\n",
            **ANSWERS,
            "settings.ini.jinja": settings(epsilon="legacy = {{ use_legacy }}"),
            "{% if use_legacy %}legacy.cfg{% endif %}.jinja": "legacy = on\n",
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1,
            **ANSWERS,
            "settings.ini.jinja": settings(epsilon="legacy = gone"),
        },
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "orders"},
    edits=[ALPHA],
    expect={
        "settings.ini": settings("# settings for orders", epsilon="legacy = gone"),
        "legacy.cfg": None,
    },
    answers={"name": "orders"},
)

PACKAGE_Q = "package: {type: str, default: \"{{ name|replace('-', '_') }}\"}\n"

RENAME_TEMPLATED_DIR = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1 + PACKAGE_Q,
            **ANSWERS,
            "{{ package }}/__init__.py.jinja": "NAME = '{{ name }}'\n",
            "{{ package }}/settings.ini.jinja": settings(),
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1 + PACKAGE_Q,
            **ANSWERS,
            "src/{{ package }}/__init__.py.jinja": "NAME = '{{ name }}'\n",
            "src/{{ package }}/settings.ini.jinja": settings(epsilon="epsilon = 50"),
        },
    },
    init_data={"name": "my-orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "my-orders"},
    edits=[
        Edit(
            "my_orders/settings.ini",
            "alpha = 1\n",
            "alpha = 100\n",
            moved_to="src/my_orders/settings.ini",
        )
    ],
    expect={
        "src/my_orders/settings.ini": settings(
            "# settings for my-orders", epsilon="epsilon = 50"
        ),
        "src/my_orders/__init__.py": "NAME = 'my-orders'\n",
        "my_orders/settings.ini": None,
        "my_orders/__init__.py": None,
    },
    answers={"name": "my-orders", "package": "my_orders"},
)

SUBDIRECTORY_INTRODUCED = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1,
            **ANSWERS,
            "settings.ini.jinja": settings(),
            "app.py.jinja": "NAME = '{{ name }}'\n",
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1 + "_subdirectory: template\n",
            "README.md": "# The blueprint itself (not rendered)\n",
            **{f"template/{k}": v for k, v in ANSWERS.items()},
            "template/settings.ini.jinja": settings(epsilon="epsilon = 50"),
            "template/app.py.jinja": "NAME = '{{ name }}'\n",
        },
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "orders"},
    edits=[ALPHA],
    expect={
        "settings.ini": settings("# settings for orders", epsilon="epsilon = 50"),
        "app.py": "NAME = 'orders'\n",
        "README.md": None,
        "template/app.py": None,
    },
    answers={"name": "orders"},
)

SUBDIRECTORY_CHANGED = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1 + "_subdirectory: template\n",
            **{f"template/{k}": v for k, v in ANSWERS.items()},
            "template/settings.ini.jinja": settings(),
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1 + "_subdirectory: project\n",
            **{f"project/{k}": v for k, v in ANSWERS.items()},
            "project/settings.ini.jinja": settings(epsilon="epsilon = 50"),
            "template/settings.ini.jinja": "# the old layout, no longer rendered\n",
        },
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "orders"},
    edits=[ALPHA],
    expect={"settings.ini": settings("# settings for orders", epsilon="epsilon = 50")},
    answers={"name": "orders"},
)

ANSWERS_FILE_MOVED = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1,
            **ANSWERS,
            "settings.ini.jinja": settings(),
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1 + "_answers_file: .config/copier-answers.yml\n",
            **ANSWERS,
            "settings.ini.jinja": settings(
                epsilon="answers = {{ _copier_conf.answers_file }}"
            ),
        },
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "orders"},
    edits=[ALPHA],
    expect={
        "settings.ini": settings(
            "# settings for orders", epsilon="answers = .config/copier-answers.yml"
        ),
        DEFAULT_ANSWERS: None,  # moved: .config/copier-answers.yml, as copier's
    },
    answers={"name": "orders"},
    answers_file=".config/copier-answers.yml",
)

BANNER_V1 = "Welcome to {{ name }}\none\ntwo\nthree\nfour\nbye\n"

PLAIN_AND_JINJA_SWAP = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1,
            **ANSWERS,
            "settings.ini": settings("# settings for the service"),
            "banner.txt.jinja": BANNER_V1,
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1,
            **ANSWERS,
            "settings.ini.jinja": settings(epsilon="epsilon = {{ name|length }}"),
            "banner.txt": BANNER_V1.replace("bye", "see you"),  # now literal braces
        },
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "orders"},
    edits=[GAMMA, Edit("banner.txt", "three\n", "THREE\n")],
    expect={
        "settings.ini": settings("# settings for orders", epsilon="epsilon = 6"),
        "banner.txt": "Welcome to {{ name }}\none\ntwo\nthree\nfour\nsee you\n",
    },
    answers={"name": "orders"},
)

THREE_RELEASES_FILES: dict[str, Files] = {
    "v1.0.0": {
        "copier.yml": COPIER_V1,
        **ANSWERS,
        "settings.ini.jinja": settings(),
        "NOTES.txt": "notes\n",
    },
    "v2.0.0": {
        "copier.yml": COPIER_V1 + "log_level: {type: str, default: info}\n",
        **ANSWERS,
        "settings.ini.jinja": settings(epsilon="log_level = {{ log_level }}"),
        "docs/NOTES.txt": "notes\n",
    },
    "v3.0.0": {
        "copier.yml": COPIER_V1 + "log_level: {type: str, default: info}\n",
        **ANSWERS,
        "settings.ini.jinja": settings(
            delta="delta = 40", epsilon="log_level = {{ log_level|upper }}"
        ),
        "docs/NOTES.txt": "notes, v3\n",
    },
}
THREE_RELEASES_EXPECT: dict[str, str | None] = {
    "settings.ini": settings(
        "# settings for orders", delta="delta = 40", epsilon="log_level = INFO"
    ),
    "docs/NOTES.txt": "notes, v3\n",
    "NOTES.txt": None,
}

THREE_RELEASES_ONE_JUMP = History(
    versions=THREE_RELEASES_FILES,
    init_data={"name": "orders"},
    steps=[("v3.0.0", {})],
    copy_data={"name": "orders"},
    edits=[ALPHA],
    expect=THREE_RELEASES_EXPECT,
    answers={"name": "orders", "log_level": "info"},
)

THREE_RELEASES_STEP_BY_STEP = THREE_RELEASES_ONE_JUMP._replace(
    steps=[("v2.0.0", {}), ("v3.0.0", {})]
)

NO_DEFAULT_V2: Files = {
    "copier.yml": COPIER_V1 + "owner:\n  type: str\n  help: The owning team\n",
    **ANSWERS,
    "settings.ini.jinja": settings(epsilon="owner = {{ owner }}"),
}

ADD_WITHOUT_DEFAULT_ANSWERED = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1,
            **ANSWERS,
            "settings.ini.jinja": settings(),
        },
        "v2.0.0": NO_DEFAULT_V2,
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {"owner": "team-a"})],
    copy_data={"name": "orders", "owner": "team-a"},
    edits=[ALPHA],
    expect={
        "settings.ini": settings("# settings for orders", epsilon="owner = team-a")
    },
    answers={"name": "orders", "owner": "team-a"},
)

COMPUTED_FILES: Files = {
    "copier.yml": """\
project_name: {type: str, default: My Service}
package:
  type: str
  default: "{{ project_name|lower|replace(' ', '_') }}"
  when: false
""",
    **ANSWERS,
    "{{ package }}/settings.ini.jinja": settings("# settings for {{ project_name }}"),
}

COMPUTED_FOLLOWS_A_CHANGED_ANSWER = History(
    versions={"v1.0.0": COMPUTED_FILES},
    init_data={},
    steps=[("v1.0.0", {"project_name": "Big Shop"})],
    copy_data={"project_name": "Big Shop"},
    edits=[
        Edit(
            "my_service/settings.ini",
            "gamma = 3\n",
            "gamma = 300\n",
            moved_to="big_shop/settings.ini",
        )
    ],
    expect={
        "big_shop/settings.ini": settings("# settings for Big Shop"),
        "my_service/settings.ini": None,
    },
    answers={"project_name": "Big Shop"},
)

QUESTION_BECOMES_COMPUTED = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1 + 'package: {type: str, default: "{{ name }}"}\n',
            **ANSWERS,
            "{{ package }}/settings.ini.jinja": settings(),
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1
            + "package:\n  type: str\n  default: \"{{ name|replace('-', '_') }}\"\n"
            + "  when: false\n",
            **ANSWERS,
            "{{ package }}/settings.ini.jinja": settings(epsilon="epsilon = 50"),
        },
    },
    init_data={"name": "my-orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "my-orders"},
    edits=[
        Edit(
            "my-orders/settings.ini",
            "alpha = 1\n",
            "alpha = 100\n",
            moved_to="my_orders/settings.ini",
        )
    ],
    expect={
        "my_orders/settings.ini": settings(
            "# settings for my-orders", epsilon="epsilon = 50"
        ),
        "my-orders/settings.ini": None,
    },
    answers={"name": "my-orders"},
)


ANSWER_BECOMES_HIDDEN_FILES: Files = {
    "copier.yml": COPIER_V1
    + "custom_package: {type: bool, default: false}\n"
    + "package:\n  type: str\n  default: \"{{ name|replace('-', '_') }}\"\n"
    + '  when: "{{ custom_package }}"\n',
    **ANSWERS,
    "{{ package }}/settings.ini.jinja": settings(),
}

ANSWER_BECOMES_HIDDEN = History(
    versions={"v1.0.0": ANSWER_BECOMES_HIDDEN_FILES},
    init_data={"name": "my-orders", "custom_package": "true", "package": "core"},
    steps=[("v1.0.0", {"custom_package": "false"})],
    copy_data={"name": "my-orders", "custom_package": "false"},
    edits=[
        Edit(
            "core/settings.ini",
            "alpha = 1\n",
            "alpha = 100\n",
            moved_to="my_orders/settings.ini",
        )
    ],
    expect={
        "my_orders/settings.ini": settings("# settings for my-orders"),
        "core/settings.ini": None,
    },
    answers={"name": "my-orders", "custom_package": False},
)

SECRET_KEPT = History(
    versions={
        "v1.0.0": {
            "copier.yml": SECRET.files["copier.yml"],
            **ANSWERS,
            ".env.jinja": "TOKEN={{ api_token }}\n" + settings(),
        },
        "v2.0.0": {
            "copier.yml": SECRET.files["copier.yml"],
            **ANSWERS,
            ".env.jinja": "TOKEN={{ api_token }}\n" + settings(epsilon="epsilon = 50"),
        },
    },
    init_data={"api_token": "s3cr3t-value"},
    steps=[("v2.0.0", {})],
    copy_data={"api_token": "s3cr3t-value"},
    edits=[Edit(".env", "gamma = 3\n", "gamma = 300\n")],
    expect={
        ".env": "TOKEN=s3cr3t-value\n"
        + settings("# settings for svc", epsilon="epsilon = 50")
    },
    answers={"name": "svc"},
)

MULTISELECT_KEPT = History(
    versions={
        "v1.0.0": {
            "copier.yml": CHOICES.files["copier.yml"],
            **ANSWERS,
            "settings.ini.jinja": settings(
                head="# {{ python_versions|join(' ') }} {{ ci }}"
            ),
        },
        "v2.0.0": {
            "copier.yml": CHOICES.files["copier.yml"].replace(
                '"3.12"]', '"3.12", "3.13"]'
            ),
            **ANSWERS,
            "settings.ini.jinja": settings(
                head="# {{ python_versions|join(' ') }} {{ ci }}",
                epsilon="epsilon = {{ python_versions|length }} {{ license }}",
            ),
        },
    },
    init_data={
        "python_versions": '["3.10", "3.12"]',
        "ci": "gitlab",
        "license": "Apache-2.0",
    },
    steps=[("v2.0.0", {})],
    copy_data={
        "python_versions": '["3.10", "3.12"]',
        "ci": "gitlab",
        "license": "Apache-2.0",
    },
    edits=[ALPHA],
    expect={
        "settings.ini": settings("# 3.10 3.12 gitlab", epsilon="epsilon = 2 Apache-2.0")
    },
    answers={
        "name": "demo",
        "license": "Apache-2.0",
        "python_versions": ["3.10", "3.12"],
        "ci": "gitlab",
        "port": 8080,
    },
)

EXCLUDE_NEGATION_CHANGES = History(
    versions={
        "v1.0.0": {
            "copier.yml": COPIER_V1
            + '_exclude: [copier.yml, .git, "*.md", "!README.md"]\n',
            **ANSWERS,
            "README.md": "readme\n",
            "CHANGELOG.md": "changes\n",
            "settings.ini.jinja": settings(),
        },
        "v2.0.0": {
            "copier.yml": COPIER_V1
            + '_exclude: [copier.yml, .git, "*.md", "!README.md", "!CHANGELOG.md"]\n',
            **ANSWERS,
            "README.md": "readme\n",
            "CHANGELOG.md": "changes\n",
            "settings.ini.jinja": settings(epsilon="epsilon = 50"),
        },
    },
    init_data={"name": "orders"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "orders"},
    edits=[ALPHA],
    expect={"CHANGELOG.md": "changes\n", "README.md": "readme\n"},
    answers={"name": "orders"},
)

FLAVOURS: Files = {
    "copier.yml": TEMPLATED_SUBDIRECTORY.files["copier.yml"],
    **{f"api/{k}": v for k, v in ANSWERS.items()},
    **{f"worker/{k}": v for k, v in ANSWERS.items()},
    "api/main.py.jinja": "# api {{ name }}\n",
    "api/settings.ini.jinja": settings(epsilon="epsilon = api"),
    "worker/run.py.jinja": "# worker {{ name }}\n",
    "worker/settings.ini.jinja": settings(epsilon="epsilon = worker"),
}

SUBDIRECTORY_FOLLOWS_AN_ANSWER = History(
    versions={"v1.0.0": FLAVOURS},
    init_data={"name": "orders"},
    steps=[("v1.0.0", {"flavour": "worker"})],
    copy_data={"name": "orders", "flavour": "worker"},
    edits=[ALPHA],
    expect={
        "main.py": None,
        "run.py": "# worker orders\n",
        "settings.ini": settings("# settings for orders", epsilon="epsilon = worker"),
    },
    answers={"name": "orders", "flavour": "worker"},
)

EMPTY_SUFFIX_RELEASE = History(
    versions={
        "v1.0.0": {**EMPTY_SUFFIX.files, "settings.ini": settings()},
        "v2.0.0": {
            **EMPTY_SUFFIX.files,
            "assets/logo.png": PNG + b"\x00v2",
            "settings.ini": settings(epsilon="epsilon = {{ name|upper }}"),
        },
    },
    init_data={"name": "shop"},
    steps=[("v2.0.0", {})],
    copy_data={"name": "shop"},
    edits=[ALPHA],
    expect={"settings.ini": settings("# settings for shop", epsilon="epsilon = SHOP")},
    answers={"name": "shop"},
)

HISTORIES = {
    "add-question-with-default": ADD_WITH_DEFAULT,
    "add-question-without-default-answered": ADD_WITHOUT_DEFAULT_ANSWERED,
    "remove-question": REMOVE_QUESTION,
    "rename-templated-dir": RENAME_TEMPLATED_DIR,
    "subdirectory-introduced": SUBDIRECTORY_INTRODUCED,
    "subdirectory-changed": SUBDIRECTORY_CHANGED,
    "answers-file-moved": ANSWERS_FILE_MOVED,
    "plain-and-jinja-swap": PLAIN_AND_JINJA_SWAP,
    "three-releases-step-by-step": THREE_RELEASES_STEP_BY_STEP,
    "computed-follows-a-changed-answer": COMPUTED_FOLLOWS_A_CHANGED_ANSWER,
    "question-becomes-computed": QUESTION_BECOMES_COMPUTED,
    "answer-becomes-hidden": ANSWER_BECOMES_HIDDEN,
    "secret-kept": SECRET_KEPT,
    "multiselect-kept": MULTISELECT_KEPT,
    "exclude-negation-changes": EXCLUDE_NEGATION_CHANGES,
    "subdirectory-follows-an-answer": SUBDIRECTORY_FOLLOWS_AN_ANSWER,
    "empty-suffix-release": EMPTY_SUFFIX_RELEASE,
}
KNOWN_BUGS: dict[str, str] = {}  # history -> why it is a strict xfail


def _history_params() -> list[Any]:
    return [
        pytest.param(
            h,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])]
            if name in KNOWN_BUGS
            else [],
        )
        for name, h in HISTORIES.items()
    ]


def apply_edits(svc: Path, edits: Sequence[Edit]) -> None:
    for edit in edits:
        path = svc / edit.path
        text = path.read_text()
        assert text.count(edit.old) == 1, (edit.path, text)
        path.write_text(text.replace(edit.old, edit.new))


def with_edits(t: Tree, edits: Sequence[Edit]) -> Tree:
    """copier's fresh copy, with the user's lines where the user put them."""
    out = dict(t)
    for edit in edits:
        rel = edit.moved_to or edit.path
        data, executable = out[rel]
        text = data.decode()
        assert text.count(edit.old) == 1, (rel, text)  # the release kept that line
        out[rel] = (text.replace(edit.old, edit.new).encode(), executable)
    return out


def generate(
    capsys: pytest.CaptureFixture[str],
    bp: Path,
    svc: Path,
    h: History,
    edits: Sequence[Edit] = (),
) -> None:
    """The service at the history's first release, committed (with the edits)."""
    first = next(iter(h.versions))
    result = init(capsys, bp, svc, first, h.init_data)
    assert result.code == 0, result.err
    if edits:
        apply_edits(svc, edits)
        commit_all(svc, "Local edits")


def run_steps(capsys: pytest.CaptureFixture[str], svc: Path, h: History) -> None:
    for ref, data in h.steps:
        result = update(capsys, svc, ref, data)
        assert result.code == 0, result.out + result.err
        assert git(svc, "status", "--porcelain", "--", *sorted(SYNCTOOL_FILES)) != ""
        commit_all(svc, f"Update to {ref}")


@pytest.mark.parametrize("h", _history_params())
def test_update_equals_a_fresh_copier_copy_and_keeps_local_edits(
    h: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bp = make_blueprint(tmp_path / "bp", h.versions)
    last = h.steps[-1][0]
    copy = start_copier_copy(bp, last, h.copy_data, tmp_path / "copy")
    svc, edited = tmp_path / "svc", tmp_path / "edited"
    generate(capsys, bp, svc, h)
    generate(capsys, bp, edited, h, h.edits)
    run_steps(capsys, svc, h)
    run_steps(capsys, edited, h)

    # Unmodified: what the release says, and exactly what copier copy writes.
    got = texts(tree(svc))
    for rel, want in h.expect.items():
        assert got.get(rel) == want, rel
    assert declared(svc)["answers"] == h.answers
    assert (declared(svc)["ref"], locked(svc)["ref"]) == (last, last)
    copied = copy()
    assert_same_as_copier(svc, copied, h.answers_file)
    # Settled: a sync is a no-op.
    settled = tree(svc)
    again = run_cli(capsys, "sync", str(svc))
    assert again.code == 0, again.err
    assert tree(svc) == settled

    # Customised: the same, with the user's lines where the user put them.
    expected = with_edits(tree(copied), h.edits)
    assert texts(tree(edited, sorted(SYNCTOOL_FILES))) == texts(expected)
    assert tree(edited, sorted(SYNCTOOL_FILES)) == expected
    assert declared(edited)["answers"] == h.answers


def test_a_new_question_without_default_stops_off_a_terminal_then_takes_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = ADD_WITHOUT_DEFAULT_ANSWERED
    bp = make_blueprint(tmp_path / "bp", h.versions)
    svc = tmp_path / "svc"
    generate(capsys, bp, svc, h)
    before = tree(svc)
    head = git(svc, "rev-parse", "HEAD")

    stopped = update(capsys, svc, "v2.0.0")
    assert stopped.code == 2, stopped.out + stopped.err
    lines = [line for line in stopped.err.splitlines() if line.strip()]
    assert len(lines) == 1, stopped.err
    assert "owner" in lines[0] and "--data" in lines[0], lines[0]
    assert "Traceback" not in stopped.out + stopped.err
    assert tree(svc) == before  # nothing written, .synctool.yml included
    assert git(svc, "status", "--porcelain", "--ignored") == ""
    assert git(svc, "rev-parse", "HEAD") == head
    # Then with the answer: the history test above compares the result with
    # copier; here, that the answer is taken and recorded.
    done = update(capsys, svc, "v2.0.0", {"owner": "team-a"})
    assert done.code == 0, done.out + done.err
    assert declared(svc)["answers"] == {"name": "orders", "owner": "team-a"}
    assert (svc / "settings.ini").read_text() == settings(
        "# settings for orders", epsilon="owner = team-a"
    )


def test_update_names_every_new_question_without_default_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v2 = dict(NO_DEFAULT_V2)
    v2["copier.yml"] = str(v2["copier.yml"]) + "region:\n  type: str\n"
    bp = make_blueprint(
        tmp_path / "bp",
        {"v1.0.0": ADD_WITHOUT_DEFAULT_ANSWERED.versions["v1.0.0"], "v2.0.0": v2},
    )
    svc = tmp_path / "svc"
    assert init(capsys, bp, svc, "v1.0.0").code == 0
    before = tree(svc)
    stopped = update(capsys, svc, "v2.0.0")
    assert stopped.code == 2, stopped.out + stopped.err
    assert tree(svc) == before
    lines = [line for line in stopped.err.splitlines() if line.strip()]
    assert len(lines) == 1, stopped.err
    assert "owner" in lines[0] and "region" in lines[0] and "--data" in lines[0]


def test_three_releases_one_jump_and_step_by_step_give_the_same_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """(Step by step is compared with copier copy in the history test.)"""
    bp = make_blueprint(tmp_path / "bp", THREE_RELEASES_FILES)
    results = []
    for i, h in enumerate((THREE_RELEASES_ONE_JUMP, THREE_RELEASES_STEP_BY_STEP)):
        for edits in ((), h.edits):
            svc = tmp_path / f"svc-{i}-{len(edits)}"
            generate(capsys, bp, svc, h, edits)
            run_steps(capsys, svc, h)
            assert texts(tree(svc)).get("NOTES.txt") is None
            results.append(tree(svc, [".synctool.lock"]))
    one_jump, one_jump_edited, stepwise, stepwise_edited = results
    assert stepwise == one_jump
    assert stepwise_edited == one_jump_edited
    assert texts(one_jump)["settings.ini"] == THREE_RELEASES_EXPECT["settings.ini"]
    assert texts(one_jump_edited)["settings.ini"] == str(
        THREE_RELEASES_EXPECT["settings.ini"]
    ).replace("alpha = 1\n", "alpha = 100\n")


# --- copier features that act on update: compared with `copier update` -------


def start_copier_update(
    src: Path,
    first: str,
    last: str,
    data: Mapping[str, str],
    dst: Path,
    edits: Sequence[Edit],
) -> Callable[[], Path]:
    """copier copy at ``first``, commit, the user's edits, commit, copier update
    to ``last``: in a thread (its commands are processes) while synctool works."""

    def story() -> Path:
        start_copier_copy(src, first, data, dst)()
        git(dst, "init", "-q")
        commit_all(dst, "copier copy")
        apply_edits(dst, edits)
        commit_all(dst, "Local edits")
        cmd = [sys.executable, "-m", "copier", "update", "--defaults", "--quiet"]
        done = subprocess.run(
            [*cmd, "--vcs-ref", last], cwd=dst, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return dst

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(story)
    pool.shutdown(wait=False)
    return future.result


def _copier_update_story(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    v1: Files,
    v2: Files,
    edits: Sequence[Edit],
) -> dict[str, tuple[Tree, Result, Tree]]:
    """The same story through copier update and synctool update, unmodified and
    customised: {"unmodified"|"customised": (copier's tree, synctool's result,
    synctool's tree)}."""
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": v1, "v2.0.0": v2})
    data = {"name": "orders"}
    stories = {"unmodified": (), "customised": edits}
    by_copier = {
        name: start_copier_update(
            bp, "v1.0.0", "v2.0.0", data, tmp_path / f"copier-{name}", e
        )
        for name, e in stories.items()
    }
    out: dict[str, tuple[Tree, Result, Tree]] = {}
    for name, e in stories.items():
        svc = tmp_path / f"svc-{name}"
        assert init(capsys, bp, svc, "v1.0.0", data).code == 0
        if e:
            apply_edits(svc, e)
            commit_all(svc, "Local edits")
        result = update(capsys, svc, "v2.0.0")
        out[name] = (
            tree(by_copier[name]()),
            result,
            tree(svc, sorted(SYNCTOOL_FILES)),
        )
    return out


def assert_synctool_did_what_copier_did(
    stories: Mapping[str, tuple[Tree, Result, Tree]],
) -> None:
    for name, (by_copier, result, by_synctool) in stories.items():
        assert result.code == 0, (name, result.out + result.err)
        assert texts(by_synctool) == texts(by_copier), name
        assert by_synctool == by_copier, name


def _base_files(copier_yml: str, **files: str) -> Files:
    return {
        "copier.yml": COPIER_V1 + copier_yml,
        **ANSWERS,
        "settings.ini.jinja": settings(),
        **files,
    }


SETTINGS_V2 = settings("# settings for orders", epsilon="epsilon = 50")


def test_update_leaves_skip_if_exists_files_alone_like_copier_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = _base_files(
        "_skip_if_exists: [.env]\n", **{".env.jinja": "NAME={{ name }}\nTOKEN=dev\n"}
    )
    v2 = {
        **v1,
        ".env.jinja": "NAME={{ name }}\nTOKEN=dev\nDEBUG=0\n",
        "settings.ini.jinja": settings(epsilon="epsilon = 50"),
    }
    mine = Edit(".env", "TOKEN=dev\n", "TOKEN=mine\n")
    stories = _copier_update_story(tmp_path, capsys, v1, v2, [mine, ALPHA])
    for name, token, alpha in (
        ("unmodified", "dev", "1"),
        ("customised", "mine", "100"),
    ):
        assert texts(
            stories[name][0], [DEFAULT_ANSWERS]
        ) == {  # what copier update does
            ".env": f"NAME=orders\nTOKEN={token}\n",
            "settings.ini": SETTINGS_V2.replace("alpha = 1\n", f"alpha = {alpha}\n"),
        }, name
    assert_synctool_did_what_copier_did(stories)


def test_update_honours_copier_operation_exclusions_like_copier_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """copier's documented way to seed example files once: excluded on update."""
    exclude = """\
_exclude:
  - copier.yml
  - .git
  - "{% if _copier_operation == 'update' %}examples{% endif %}"
"""
    v1 = _base_files(
        exclude, **{"examples/hello.py.jinja": "print('hello from {{ name }}')\n"}
    )
    v2 = {
        **v1,
        "examples/hello.py.jinja": "print('hello again from {{ name }}')\n",
        "examples/world.py": "print('world')\n",
        "settings.ini.jinja": settings(epsilon="epsilon = 50"),
    }
    mine = Edit("examples/hello.py", "hello from", "hi from")
    stories = _copier_update_story(tmp_path, capsys, v1, v2, [mine, ALPHA])
    for name, hello, alpha in (
        ("unmodified", "hello", "1"),
        ("customised", "hi", "100"),
    ):
        assert texts(
            stories[name][0], [DEFAULT_ANSWERS]
        ) == {  # what copier update does
            "examples/hello.py": f"print('{hello} from orders')\n",
            "settings.ini": SETTINGS_V2.replace("alpha = 1\n", f"alpha = {alpha}\n"),
        }, name
    assert_synctool_did_what_copier_did(stories)


def test_an_answer_the_release_no_longer_offers_is_a_clear_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = _base_files("db: {type: str, choices: [postgres, mysql], default: postgres}\n")
    v2 = {
        **v1,
        "copier.yml": COPIER_V1
        + "db: {type: str, choices: [postgres, sqlite], default: postgres}\n",
        "settings.ini.jinja": settings(epsilon="db = {{ db }}"),
    }
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": v1, "v2.0.0": v2})
    svc = tmp_path / "svc"
    assert init(capsys, bp, svc, "v1.0.0", {"name": "orders", "db": "mysql"}).code == 0
    before = tree(svc)
    stopped = update(capsys, svc, "v2.0.0")
    assert stopped.code == 2, stopped.out + stopped.err
    assert tree(svc) == before
    assert git(svc, "status", "--porcelain") == ""

    done = update(capsys, svc, "v2.0.0", {"db": "sqlite"})
    assert done.code == 0, done.out + done.err
    assert declared(svc)["answers"] == {"name": "orders", "db": "sqlite"}
    assert (svc / "settings.ini").read_text() == settings(
        "# settings for orders", epsilon="db = sqlite"
    )
    # The first refusal said what to do, in one line: the answer, not the
    # blueprint, is the problem.
    lines = [line for line in stopped.err.splitlines() if line.strip()]
    assert len(lines) == 1, stopped.err
    assert "db" in lines[0] and "mysql" in lines[0], lines[0]
    assert "--data db=" in lines[0], lines[0]
    assert "could not be rendered" not in lines[0], lines[0]


def test_recorded_answers_spelled_differently_but_valid_are_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-edited `.synctool.yml` with `flag: yes` or a quoted number is
    valid for copier: the sync goes through, nothing is called invalid."""
    v1 = _base_files(
        "flag: {type: bool, default: false}\nport: {type: int, default: 8080}\n"
    )
    v2 = {**v1, "settings.ini.jinja": settings(epsilon="epsilon = {{ port }}")}
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": v1, "v2.0.0": v2})
    svc = tmp_path / "svc"
    assert init(capsys, bp, svc, "v1.0.0", {"name": "orders"}).code == 0
    text = (svc / ".synctool.yml").read_text()
    text = text.replace("flag: false", "flag: yes").replace(
        "port: 8080", "port: '9000'"
    )
    (svc / ".synctool.yml").write_text(text)
    git(svc, "commit", "-qam", "hand-edited answers")
    done = update(capsys, svc, "v2.0.0")
    assert done.code == 0, done.out + done.err
    assert "epsilon = 9000" in (svc / "settings.ini").read_text()
