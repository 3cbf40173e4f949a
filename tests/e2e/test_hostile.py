"""Hostile input to every command: one clear line, exit 2, nothing written.

Bad input is a `.synctool.yml` or `.synctool.lock` of the wrong shape, a
blueprint that cannot be rendered, an option that makes no sense, a damaged
journal, a fleet option that is wrong. For each: exit 2, exactly one line on
stderr that names the file or option, and the service (its files, git index,
HEAD) byte-identical afterwards. A traceback (exit 3) is a bug. Files that
cannot be merged structurally fall back, never crash and never lose the local
content; a kill while undoing a sync is recoverable too.

Where synctool does not behave so yet, the test asserts what it should do and
is marked ``xfail(strict=True)`` with the bug in one line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from synctool.cli import run as cli_run
from tests.helpers import (
    REPO,
    Result,
    git,
    init_service,
    make_blueprint,
    release,
    run_cli,
    snapshot,
)

COPIER = "name:\n  type: str\n  default: orders\n"
V1 = {
    "copier.yml": COPIER,
    "README.md": "hi\n",
    "conf.yml": "a: 1\nb: 2\n",
    "docs/guide.md": "guide\n",
}
V2 = {**V1, "README.md": "hello\n", "conf.yml": "a: 1\nb: 3\n"}
XDG = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")

State = tuple[dict[str, bytes], str, str]


def state(svc: Path) -> State:
    """Everything that must not change: files, git status (index too) and HEAD."""
    status = git(svc, "status", "--porcelain", "--untracked-files=all")
    return snapshot(svc), status, git(svc, "rev-parse", "HEAD")


def refused(result: Result, *needles: str) -> str:
    """Exit 2, nothing on stdout, one `error:` line on stderr holding ``needles``."""
    code, out, err = result
    assert code == 2, (code, out, err)
    assert "internal error" not in err and "Traceback" not in err, err
    assert out == "", out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, "--allow-empty")


# -- a service at blueprint 1.0.0, with 1.1.0 released ------------------------


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Built once; each test works on its own copy (see ``svc``)."""
    root = tmp_path_factory.mktemp("origin")
    with pytest.MonkeyPatch.context() as mp:
        for var in XDG:  # never the user's cache, even for a module fixture
            mp.setenv(var, str(root / "home" / var.lower()))
        bp = make_blueprint(root / "bp", {"v1.0.0": V1})
        args = ["init", str(root / "svc"), "--blueprint", str(bp), "--defaults"]
        assert cli_run([*args, "--no-color"]) == 0
        release(bp, "v1.1.0", V2)
    return bp, root / "svc"


@pytest.fixture
def svc(origin: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "svc"
    shutil.copytree(origin[1], copy, symlinks=True)
    assert git(copy, "status", "--porcelain") == ""
    return copy


@pytest.fixture
def bp(origin: tuple[Path, Path]) -> Path:
    return origin[0]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new, 1))


# -- .synctool.yml of the wrong shape -----------------------------------------

DECLARED_SHAPES = {
    "a-list": (None, "- blueprint\n- ref\n", "expected a mapping"),
    "a-string": (None, "just a sentence\n", "expected a mapping"),
    "empty": (None, "", "expected a mapping"),
    "answers-5": ("answers:\n  name: orders\n", "answers: 5\n", "`answers`"),
    "answers-list": ("answers:\n  name: orders\n", "answers: [a, b]\n", "`answers`"),
    "ref-a-list": ("ref: v1.0.0", "ref: [1]", "`ref`"),
    "ref-a-mapping": ("ref: v1.0.0", "ref: {tag: v1.0.0}", "`ref`"),
    "no-blueprint": ("blueprint: ", "source: ", "`blueprint`"),
    "blueprint-a-number": ("blueprint: ", "blueprint: 5\nold: ", "`blueprint`"),
    "duplicate-key": ("ref: v1.0.0", "ref: v1.0.0\nref: v1.1.0", "duplicate key"),
}


@pytest.mark.parametrize("command", ["update", "sync", "diff", "check"])
@pytest.mark.parametrize("shape", list(DECLARED_SHAPES))
def test_declared_file_of_the_wrong_shape_is_refused(
    capsys: pytest.CaptureFixture[str], svc: Path, shape: str, command: str
) -> None:
    old, new, says = DECLARED_SHAPES[shape]
    declared = svc / ".synctool.yml"
    if old is None:
        declared.write_text(new)
    elif shape == "blueprint-a-number":
        text = declared.read_text()
        declared.write_text(re.sub(r"^blueprint: (.*)$", new + r"\1", text, flags=re.M))
    else:
        edit(declared, old, new)
    commit_all(svc, f"garble: {shape}")
    before = state(svc)
    refused(run_cli(capsys, command, str(svc)), ".synctool.yml", says)
    assert state(svc) == before


def test_unknown_top_level_key_in_the_declared_file_is_refused(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    with (svc / ".synctool.yml").open("a") as declared:
        declared.write("refs: v1.1.0\n")  # meant: ref
    commit_all(svc, "ask for 1.1.0, with a typo")
    before = state(svc)
    refused(run_cli(capsys, "sync", str(svc)), ".synctool.yml", "refs")
    assert state(svc) == before


@pytest.mark.parametrize(
    ("name", "garbage"), [(".synctool.yml", "x: \0\n"), (".synctool.lock", "\x07\n")]
)
@pytest.mark.parametrize("command", ["update", "check"])
def test_control_characters_in_synctool_files_are_one_line(
    capsys: pytest.CaptureFixture[str],
    svc: Path,
    name: str,
    garbage: str,
    command: str,
) -> None:
    with (svc / name).open("a") as handle:
        handle.write(garbage)
    commit_all(svc, "control character")
    before = state(svc)
    refused(run_cli(capsys, command, str(svc)), name, "malformed YAML")
    assert state(svc) == before


def test_a_ref_that_yaml_reads_as_a_number_is_never_another_tag(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    versions = {
        tag: {"copier.yml": COPIER, "version.txt": f"{tag}\n"}
        for tag in ("1.1", "1.9", "1.10")
    }
    bp = make_blueprint(workdir / "bp", versions)
    args = ["init", "svc", "--blueprint", str(bp), "--ref", "1.9", "--defaults"]
    assert run_cli(capsys, *args).code == 0
    svc = workdir / "svc"
    edit(svc / ".synctool.yml", "ref: '1.9'", "ref: 1.10")  # as people write it
    commit_all(svc, "Blueprint 1.10")
    before = state(svc)
    result = run_cli(capsys, "sync", "svc")
    if result.code == 2:  # refusing the ambiguous value is right too
        refused(result, ".synctool.yml", "ref")
        assert state(svc) == before
    else:
        assert result.code == 0, result.err
        assert (svc / "version.txt").read_text() == "1.10\n"


# -- .synctool.lock of the wrong shape ----------------------------------------


@pytest.mark.parametrize("path", ["/etc/passwd", "../x", ".git/config", "a\\b"])
def test_lock_naming_an_unsafe_path_is_refused_by_update(
    capsys: pytest.CaptureFixture[str], svc: Path, path: str
) -> None:
    edit(svc / ".synctool.lock", "  README.md:", f"  {json.dumps(path)}:")
    commit_all(svc, "hostile lock")
    before = state(svc)
    refused(run_cli(capsys, "update", str(svc)), ".synctool.lock", "unsafe path")
    assert state(svc) == before
    assert not (svc.parent / "x").exists()


LOCK_SHAPES = {
    "answers-a-list": (r"answers:\n  name: orders\n", "answers: [1, 2]\n"),
    "answers-a-string": (r"answers:\n  name: orders\n", "answers: hello\n"),
    "policy-a-list": (r"policy: \{\}\n", "policy: [1]\n"),
    "sha256-not-a-hash": (
        r"README.md: \{sha256: [0-9a-f]+,",
        "README.md: {sha256: zz,",
    ),
    "mode-negative": (r"README.md: (\{[^}]*)mode: '644'", r"README.md: \1mode: '-7'"),
}


@pytest.mark.parametrize("command", ["update", "check"])
@pytest.mark.parametrize("shape", list(LOCK_SHAPES))
def test_lock_entries_of_the_wrong_shape_are_refused(
    capsys: pytest.CaptureFixture[str], svc: Path, shape: str, command: str
) -> None:
    pattern, replacement = LOCK_SHAPES[shape]
    lock = svc / ".synctool.lock"
    text, count = re.subn(pattern, replacement, lock.read_text(), count=1)
    assert count == 1
    lock.write_text(text)
    commit_all(svc, f"garble: {shape}")
    before = state(svc)
    refused(run_cli(capsys, command, str(svc)), ".synctool.lock")
    assert state(svc) == before


# -- a blueprint that cannot be used ------------------------------------------

BAD_RULES = {
    "unknown-kind": "rules:\n  - id: x\n    kind: bogus\n    paths: [a]\n",
    "rules-not-a-list": "rules: 5\n",
    "bad-regex": "rules:\n  - id: x\n    kind: contains\n    paths: [a]\n    pattern: '('\n",
}


@pytest.mark.parametrize("rules", list(BAD_RULES))
def test_blueprint_policy_with_a_bad_rule_is_refused_at_init(
    capsys: pytest.CaptureFixture[str], workdir: Path, rules: str
) -> None:
    files = {**V1, "synctool.yml": BAD_RULES[rules]}
    bp = make_blueprint(workdir / "bp", {"v1.0.0": files})
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    refused(result, "synctool.yml")
    assert not (workdir / "svc").exists()


def test_blueprint_release_with_a_bad_rule_is_refused_at_update(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, bp = init_service(capsys, workdir, V1)
    release(bp, "v1.1.0", {**V2, "synctool.yml": BAD_RULES["unknown-kind"]})
    before = state(svc)
    refused(run_cli(capsys, "update", "svc"), "synctool.yml", "bogus")
    assert state(svc) == before


@pytest.mark.parametrize(
    "files",
    [
        {"copier.yml": "- name\n- port\n"},
        {"copier.yml": "just a sentence\n"},
        {"copier.yml": COPIER + "_subdirectory: 5\n"},
        {"README.md.jinja": "{% if %}\n"},
        {"README.md.jinja": "{{ nothing.here }}\n"},
    ],
    ids=[
        "copier-a-list",
        "copier-a-string",
        "subdirectory-a-number",
        "jinja-syntax",
        "undefined",
    ],
)
def test_blueprint_that_cannot_render_is_an_input_error(
    capsys: pytest.CaptureFixture[str], workdir: Path, files: dict[str, str]
) -> None:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": {**V1, **files}})
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    refused(result, str(bp))
    assert not (workdir / "svc").exists()


def test_malformed_copier_yml_names_the_file_and_line(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(workdir / "bp", {"v1.0.0": {**V1, "copier.yml": "name: [\n"}})
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    line = refused(result, "copier.yml")
    assert "copier._vcs.clone" not in line  # a folder the user never saw
    assert re.search(r"copier\.yml:\d+", line), line
    assert not (workdir / "svc").exists()


def test_a_declared_blueprint_that_is_a_file_or_missing_is_refused(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc.parent / "a-file").write_text("not a template\n")
    for source, says in (
        (svc.parent / "a-file", "is not a folder"),
        (svc.parent / "nowhere", "blueprint source not found"),
        (svc.parent, "has no copier.yml"),
    ):
        text = (svc / ".synctool.yml").read_text()
        text = re.sub(r"^blueprint: .*$", f"blueprint: {source}", text, flags=re.M)
        (svc / ".synctool.yml").write_text(text)
        commit_all(svc, f"blueprint {source}")
        before = state(svc)
        line = refused(run_cli(capsys, "update", str(svc)), str(source), says)
        assert line.startswith("error: .synctool.yml: "), line
        if says == "blueprint source not found":  # update has no --blueprint
            assert "Set `blueprint:` in .synctool.yml to where" in line, line
        assert state(svc) == before


def test_an_unreachable_blueprint_says_why(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    text = (svc / ".synctool.yml").read_text()
    text = re.sub(
        r"^blueprint: .*$", "blueprint: file:///nonexistent/bp.git", text, flags=re.M
    )
    (svc / ".synctool.yml").write_text(text)
    commit_all(svc, "a blueprint that moved")
    before = state(svc)
    line = refused(run_cli(capsys, "update", str(svc)), "file:///nonexistent/bp.git")
    assert "does not appear to be a git repository" in line, line
    assert state(svc) == before


# -- options ------------------------------------------------------------------


@pytest.mark.parametrize("what", ["tree", "blob", "path"])
def test_update_to_a_tree_or_a_blob_is_an_unknown_ref(
    capsys: pytest.CaptureFixture[str], svc: Path, bp: Path, what: str
) -> None:
    ref = {
        "tree": git(bp, "rev-parse", "v1.1.0^{tree}").strip(),
        "blob": git(bp, "rev-parse", "v1.1.0:README.md").strip(),
        "path": "v1.1.0:README.md",
    }[what]
    before = state(svc)
    refused(run_cli(capsys, "update", str(svc), "--to", ref), f"unknown ref {ref!r}")
    assert state(svc) == before


def test_update_to_an_unknown_ref_names_the_to_option(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    before = state(svc)
    line = refused(run_cli(capsys, "update", str(svc), "--to", "v9.9.9"), "v9.9.9")
    assert "--to" in line and "--ref" not in line, line
    assert state(svc) == before


@pytest.mark.parametrize("pair", ["name", "=orders", "na me=x", ""])
def test_update_data_that_is_not_key_value(
    capsys: pytest.CaptureFixture[str], svc: Path, pair: str
) -> None:
    before = state(svc)
    result = run_cli(capsys, "update", str(svc), "--data", pair)
    refused(result, f"--data {pair!r} is not KEY=VALUE")
    assert state(svc) == before


@pytest.mark.parametrize("where", ["init", "update", "declared"])
def test_an_answer_named_like_a_copier_internal_is_refused(
    capsys: pytest.CaptureFixture[str], svc: Path, bp: Path, where: str
) -> None:
    before = state(svc)
    if where == "init":
        dest = svc.parent / "other"
        result = run_cli(
            capsys, "init", str(dest), "--blueprint", str(bp), "--defaults",
            "--data", "_copier_conf=x",
        )  # fmt: skip
        refused(result, "_copier_conf")
        assert not dest.exists()
        return
    if where == "update":
        result = run_cli(capsys, "update", str(svc), "--data", "_copier_conf=x")
    else:
        edit(
            svc / ".synctool.yml",
            "  name: orders\n",
            "  name: orders\n  _copier_conf: x\n",
        )
        commit_all(svc, "an odd answer")
        before = state(svc)
        result = run_cli(capsys, "sync", str(svc))
    refused(result, "_copier_conf")
    assert state(svc) == before


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"- service_name\n- port\n", "must be a YAML mapping"),
        (b"orders\n", "must be a YAML mapping"),
        (b"1: orders\n", "must be a YAML mapping"),
        (None, "cannot be read (Is a directory)"),
    ],
    ids=["a-list", "a-string", "number-keys", "a-folder"],
)
def test_data_file_that_is_not_a_mapping(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    bp: Path,
    content: bytes | None,
    says: str,
) -> None:
    answers = workdir / "answers.yml"
    if content is None:
        answers.mkdir()
    else:
        answers.write_bytes(content)
    args = ["init", "svc", "--blueprint", str(bp), "--data-file", "answers.yml"]
    refused(run_cli(capsys, *args, "--defaults"), "answers.yml", says)
    assert not (workdir / "svc").exists()


def test_data_file_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str], workdir: Path, bp: Path
) -> None:
    (workdir / "answers.yml").write_bytes(b"name: caf\xe9\n")
    args = ["init", "svc", "--blueprint", str(bp), "--data-file", "answers.yml"]
    refused(run_cli(capsys, *args, "--defaults"), "answers.yml")
    assert not (workdir / "svc").exists()


@pytest.mark.parametrize("command", ["update", "sync", "check"])
@pytest.mark.parametrize("where", ["a-file", "missing", "a-subfolder"])
def test_a_service_path_that_is_no_service(
    capsys: pytest.CaptureFixture[str], svc: Path, where: str, command: str
) -> None:
    (svc.parent / "a-file").write_text("x\n")
    path = {
        "a-file": svc.parent / "a-file",
        "missing": svc.parent / "missing",
        "a-subfolder": svc / "docs",
    }[where]
    before = state(svc)
    says = "does not exist" if where == "missing" else "is not a synctool service"
    refused(run_cli(capsys, command, str(path)), str(path), says)
    assert state(svc) == before
    assert not (svc.parent / "missing").exists()


# -- files that cannot be merged the way the policy asks ----------------------


def _release_after_local(
    svc: Path, bp_root: Path, local: dict[str, bytes], theirs: dict[str, str]
) -> State:
    for rel, data in local.items():
        (svc / rel).write_bytes(data)
    commit_all(svc, "local edits")
    make_blueprint(bp_root, {"v1.1.0": {"copier.yml": COPIER, **theirs}})
    return state(svc)


@pytest.mark.parametrize(
    ("name", "base", "ours", "theirs", "says"),
    [
        ("c.yml", "a: 1\nb: 2\n", "a: 1\nb: 2\nc: [oops\n", "a: 1\nb: 3\n", "YAML"),
        (
            "c.toml",
            "a = 1\nb = 2\n",
            "a = 1\nb = 2\nc = [oops\n",
            "a = 1\nb = 3\n",
            "TOML",
        ),
        ("c.yml", "a: 1\nb: 2\n", "a: 1\nb: 2\na: 5\n", "a: 1\nb: 3\n", "YAML"),
        ("c.toml", "a = 1\nb = 2\n", "a = 1\nb = 2\na = 5\n", "a = 1\nb = 3\n", "TOML"),
    ],
    ids=["yaml-unclosed", "toml-unclosed", "yaml-duplicate-key", "toml-duplicate-key"],
)
def test_unparseable_local_file_falls_back_to_text_and_keeps_every_local_line(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    name: str,
    base: str,
    ours: str,
    theirs: str,
    says: str,
) -> None:
    svc, bp = init_service(capsys, workdir, {"copier.yml": COPIER, name: base})
    _release_after_local(svc, bp, {name: ours.encode()}, {name: theirs})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1, result.err
    assert f"does not parse as {says}" in result.out
    merged = (svc / name).read_text()
    assert "<<<<<<< service (working tree)" in merged
    assert ">>>>>>> blueprint 1.1.0" in merged
    for line in ours.splitlines():  # nothing of the user's is lost
        assert line in merged.splitlines(), (line, merged)
    assert theirs.splitlines()[-1] in merged.splitlines()


@pytest.mark.parametrize(
    "ours",
    [b"a: 1\nb: 2\nc: caf\xe9\n", b"a: 1\nb: 2\nc: \x00\n"],
    ids=["latin-1", "nul-byte"],
)
def test_non_utf8_or_nul_local_file_is_kept_and_theirs_written_beside(
    capsys: pytest.CaptureFixture[str], workdir: Path, ours: bytes
) -> None:
    svc, bp = init_service(
        capsys, workdir, {"copier.yml": COPIER, "c.yml": "a: 1\nb: 2\n"}
    )
    _release_after_local(svc, bp, {"c.yml": ours}, {"c.yml": "a: 1\nb: 3\n"})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1, result.err
    assert (svc / "c.yml").read_bytes() == ours
    assert (svc / "c.yml.blueprint").read_text() == "a: 1\nb: 3\n"
    check = run_cli(capsys, "check", "svc")
    assert check.code == 1 and "conflict" in check.out


def test_a_nul_byte_arriving_from_the_blueprint_never_overwrites_a_local_edit(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    svc, bp = init_service(
        capsys, workdir, {"copier.yml": COPIER, "n.txt": "1\n2\n3\n"}
    )
    _release_after_local(
        svc, bp, {"n.txt": b"0\n1\n2\n3\n"}, {"n.txt": "1\n2\x00\n4\n"}
    )
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1, result.err
    assert (svc / "n.txt").read_bytes() == b"0\n1\n2\n3\n"
    assert (svc / "n.txt.blueprint").read_bytes() == b"1\n2\x00\n4\n"


def test_very_long_lines_merge_line_by_line(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    long = "x" * 300_000
    bp = make_blueprint(
        workdir / "bp",
        {"v1.0.0": {"copier.yml": COPIER, "n.txt": f"1\n{long}\n3\n"}},
    )
    assert (
        run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults").code == 0
    )
    svc = workdir / "svc"
    ours = f"0\n1\n{long}\n3\n"
    _release_after_local(
        svc, bp, {"n.txt": ours.encode()}, {"n.txt": f"1\n{long}y\n3\n"}
    )
    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.err
    assert (svc / "n.txt").read_text() == f"0\n1\n{long}y\n3\n"


@pytest.mark.parametrize("swap", ["file-to-folder", "folder-to-file"])
def test_a_managed_path_whose_kind_the_user_changed_is_refused(
    capsys: pytest.CaptureFixture[str], workdir: Path, swap: str
) -> None:
    policy = {"synctool.yml": "ownership:\n  managed: [cfg, cfg/**]\n"}
    v1 = {"cfg": "a\n"} if swap == "file-to-folder" else {"cfg/x.txt": "a\n"}
    v2 = {"cfg": "b\n"} if swap == "file-to-folder" else {"cfg/x.txt": "b\n"}
    svc, bp = init_service(capsys, workdir, {"copier.yml": COPIER, **policy, **v1})
    if (svc / "cfg").is_dir():
        shutil.rmtree(svc / "cfg")
    else:
        (svc / "cfg").unlink()
    if swap == "file-to-folder":
        (svc / "cfg").mkdir()
        (svc / "cfg/mine.txt").write_text("mine\n")
    else:
        (svc / "cfg").write_text("mine\n")
    commit_all(svc, "cfg, my way")
    release(bp, "v1.1.0", {"copier.yml": COPIER, **policy, **v2})
    before = state(svc)
    refused(run_cli(capsys, "update", "svc"), "cfg", "nothing was written")
    assert state(svc) == before


# -- the journal --------------------------------------------------------------

JOURNAL = ".synctool-journal"


DAMAGED_MANIFESTS = {
    "not-json": "not json at all",
    "no-ops": "{}",
    "ops-a-number": '{"ops": 5}',
    "path-outside": '{"ops": [{"n": 0, "path": "../x", "delete": true}]}',
}


@pytest.mark.parametrize("command", [["sync"], ["sync", "--abort"], ["update"]])
@pytest.mark.parametrize(
    "manifest", list(DAMAGED_MANIFESTS.values()), ids=list(DAMAGED_MANIFESTS)
)
def test_a_damaged_journal_is_an_input_error(
    capsys: pytest.CaptureFixture[str], svc: Path, manifest: str, command: list[str]
) -> None:
    (svc / JOURNAL).mkdir()
    (svc / JOURNAL / "manifest.json").write_text(manifest)
    before = state(svc)
    refused(run_cli(capsys, *command, str(svc)), JOURNAL)
    assert state(svc) == before
    assert not (svc.parent / "x").exists()


def test_a_file_named_like_the_journal_is_never_removed(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    (svc / JOURNAL).write_text("my notes\n")
    commit_all(svc, "notes")
    before = state(svc)
    refused(run_cli(capsys, "update", str(svc)), JOURNAL)
    assert state(svc) == before


KILLER = """\
import os, sys
import synctool.service.journal.steps
from synctool.cli import main

target = sys.argv[1]

def hook(name):
    if name == target:
        os._exit(137)

synctool.service.journal.steps.step_hook = hook
sys.argv = ["synctool", *sys.argv[2:]]
main()
"""


def killed_at(step: str, *args: str, cwd: Path) -> None:
    """Run synctool ``args`` in a process SIGKILLed right after journal ``step``."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, step, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 137, (step, done.stdout, done.stderr)


@pytest.fixture
def three_files(workdir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    files = {"copier.yml": COPIER, "a.txt": "a1\n", "b.txt": "b1\n", "c.txt": "c1\n"}
    _svc, bp = init_service(capsys, workdir, files)
    files = {**files, "b.txt": "b2\n", "c.txt": "c2\n", "d.txt": "d\n"}
    release(bp, "v1.1.0", files)
    return workdir / "svc"


def test_abort_killed_half_way_then_aborted_again_restores_everything(
    capsys: pytest.CaptureFixture[str], three_files: Path
) -> None:
    svc = three_files
    before = state(svc)
    killed_at("write c.txt", "update", str(svc), cwd=svc.parent)
    assert (svc / JOURNAL / "manifest.json").is_file()
    killed_at("restore c.txt", "sync", str(svc), "--abort", cwd=svc.parent)
    result = run_cli(capsys, "sync", str(svc), "--abort")
    assert result.code == 0, result.err
    assert snapshot(svc).get("c.txt") == b"c1\n"  # restored by the first --abort
    assert state(svc) == before


def test_abort_killed_half_way_then_sync_gives_before_or_after(
    capsys: pytest.CaptureFixture[str], three_files: Path, tmp_path: Path
) -> None:
    svc = three_files
    before = snapshot(svc)
    clean = tmp_path / "clean" / "svc"
    shutil.copytree(svc, clean, symlinks=True)
    assert run_cli(capsys, "update", str(clean)).code == 0
    after = snapshot(clean)
    killed_at("write .synctool.yml", "update", str(svc), cwd=svc.parent)
    killed_at("restore .synctool.lock", "sync", str(svc), "--abort", cwd=svc.parent)
    result = run_cli(capsys, "sync", str(svc))
    assert result.code == 0, result.err
    assert not (svc / JOURNAL).exists()
    got = snapshot(svc)
    assert got in (before, after), {
        rel: (before.get(rel), got.get(rel))
        for rel in set(before) | set(got)
        if before.get(rel) != got.get(rel)
    }


# -- fleet --------------------------------------------------------------------


@pytest.fixture
def remote(workdir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A service at 1.0.0 in a bare remote; the blueprint has released 1.1.0."""
    _svc, bp = init_service(capsys, workdir, V1)
    bare = workdir / "svc.git"
    git(workdir, "clone", "-q", "--bare", str(workdir / "svc"), str(bare))
    release(bp, "v1.1.0", V2)
    return bare


def refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


def test_unreachable_repos_fail_alone_and_the_others_are_updated(
    capsys: pytest.CaptureFixture[str], workdir: Path, remote: Path
) -> None:
    unreachable = [
        "file:///nonexistent/repo.git",
        "https://127.0.0.1:1/team/repo.git",  # nothing listens on port 1
        str(workdir / "missing"),
    ]
    (workdir / "fleet.txt").write_text("\n".join([*unreachable, str(remote)]) + "\n")
    result = run_cli(
        capsys, "fleet", "update", "--repos", "fleet.txt", "--workdir", "w",
        "--jobs", "1", "--push", "--format", "json",
    )  # fmt: skip
    assert result.code == 1, result.err
    assert "internal error" not in result.out + result.err
    records: dict[str, dict[str, Any]] = {
        r["repo"]: r for r in json.loads(result.out)["repos"]
    }
    assert records[str(remote)]["status"] == "updated"
    for spec in unreachable:
        assert records[spec]["status"] == "failed", records[spec]
        assert records[spec]["error"], records[spec]
    assert "refs/heads/synctool/update-1.1.0" in refs(remote)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--shard", ""), ("--workdir", "a-file"), ("--branch", "bad..name")],
    ids=["empty-shard", "workdir-a-file", "invalid-branch"],
)
def test_fleet_options_are_checked_before_any_repo_is_touched(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    remote: Path,
    option: str,
    value: str,
) -> None:
    (workdir / "a-file").write_text("not a folder\n")
    args = ["fleet", "update", str(remote), "--jobs", "1", "--push"]
    if option != "--workdir":
        args += ["--workdir", "w"]
    remote_refs = refs(remote)
    refused(run_cli(capsys, *args, option, value), option)
    assert not (workdir / "w").exists()
    assert refs(remote) == remote_refs
    assert (workdir / "a-file").read_text() == "not a folder\n"


def test_fleet_report_path_that_is_a_folder_is_refused_before_pushing(
    capsys: pytest.CaptureFixture[str], workdir: Path, remote: Path
) -> None:
    (workdir / "reports").mkdir()
    remote_refs = refs(remote)
    result = run_cli(
        capsys, "fleet", "update", str(remote), "--workdir", "w", "--jobs", "1",
        "--push", "--report", "reports",
    )  # fmt: skip
    assert refs(remote) == remote_refs  # nothing pushed
    assert not (workdir / "w").exists()  # nothing cloned
    refused(result, "--report")
