"""Bad input to `synctool init`: one clear line, exit 2, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.commands.test_init import COPIER_YML, V1
from tests.helpers import make_blueprint, run_cli, snapshot


def _outside(workdir: Path) -> dict[str, bytes]:
    """Everything around the service: nothing there may change either."""
    return {k: v for k, v in snapshot(workdir).items() if not k.startswith("bp/")}


@pytest.fixture
def blueprint(workdir: Path) -> Path:
    return make_blueprint(workdir / "bp", {"v1.0.0": V1})


def _assert_refused(
    result: object, workdir: Path, before: dict[str, bytes], *needles: str
) -> None:
    code, _out, err = result  # type: ignore[misc]
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in err
    assert not (workdir / "svc").exists()
    assert _outside(workdir) == before


def test_unknown_ref(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    before = _outside(workdir)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--ref",
        "v9.9.9",
        "--defaults",
        "-d",
        "service_name=x",
    )
    _assert_refused(
        result, workdir, before, "unknown ref 'v9.9.9'", "release tags: v1.0.0"
    )


def test_missing_answers_off_a_tty_are_listed(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    before = _outside(workdir)
    result = run_cli(capsys, "init", "svc", "--blueprint", str(blueprint))
    _assert_refused(
        result, workdir, before, "no answer for: service_name, port.", "--defaults"
    )


def test_question_without_default_with_defaults(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    before = _outside(workdir)
    result = run_cli(capsys, "init", "svc", "--blueprint", str(blueprint), "--defaults")
    _assert_refused(
        result, workdir, before, "service_name", "--data service_name=VALUE"
    )


def test_answer_failing_a_validator(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    before = _outside(workdir)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--defaults",
        "-d",
        "service_name=Bad_Name",
    )
    _assert_refused(
        result, workdir, before, "service_name", "lowercase letters, digits and dashes"
    )


def test_answer_of_the_wrong_type(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    before = _outside(workdir)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--defaults",
        "-d",
        "service_name=x",
        "-d",
        "port=eighty",
    )
    _assert_refused(result, workdir, before, "port")


def test_bad_data_pair(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    before = _outside(workdir)
    result = run_cli(
        capsys, "init", "svc", "--blueprint", str(blueprint), "-d", "service_name"
    )
    _assert_refused(result, workdir, before, "is not KEY=VALUE")


def test_malformed_data_file(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    (workdir / "answers.yml").write_text("service_name: x\nport: [1,\n")
    before = _outside(workdir)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--data-file",
        "answers.yml",
    )
    _assert_refused(result, workdir, before, "answers.yml:", "malformed YAML")


def test_source_not_found(capsys: pytest.CaptureFixture[str], workdir: Path) -> None:
    before = _outside(workdir)
    result = run_cli(capsys, "init", "svc", "--blueprint", "no-such-dir", "--defaults")
    _assert_refused(result, workdir, before, "blueprint source not found: no-such-dir")


def test_ref_on_a_folder_without_git(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    from tests.helpers import write_tree

    write_tree(workdir / "plain", V1)
    before = _outside(workdir)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        "plain",
        "--ref",
        "v1.0.0",
        "--defaults",
        "-d",
        "service_name=x",
    )
    _assert_refused(result, workdir, before, "is not a git repository", "Drop --ref")


def test_reinit_refuses(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    assert (
        run_cli(
            capsys,
            "init",
            "svc",
            "--blueprint",
            str(blueprint),
            "--defaults",
            "-d",
            "service_name=x",
        ).code
        == 0
    )
    (workdir / "svc/README.md").write_text("# mine\n")
    before = snapshot(workdir / "svc")
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--defaults",
        "-d",
        "service_name=y",
        "--force",
    )
    assert result.code == 2
    assert (
        "already a synctool service" in result.err and "synctool update" in result.err
    )
    assert snapshot(workdir / "svc") == before


def test_non_empty_dest_refused_without_force(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    (workdir / "svc").mkdir()
    (workdir / "svc/README.md").write_text("# my notes\n")
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--defaults",
        "-d",
        "service_name=x",
    )
    assert result.code == 2
    assert "exists and is not empty" in result.err and "--force" in result.err
    assert snapshot(workdir / "svc") == {"README.md": b"# my notes\n"}


def test_force_never_overwrites_or_deletes_user_files(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    (workdir / "svc").mkdir()
    (workdir / "svc/README.md").write_text("# my notes\n")
    (workdir / "svc/other.txt").write_text("keep me\n")
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--defaults",
        "-d",
        "service_name=x",
        "--force",
    )
    assert result.code == 0, result.err
    files = snapshot(workdir / "svc")
    assert files["README.md"] == b"# my notes\n"
    assert files["other.txt"] == b"keep me\n"
    assert files["app/config.toml"] == b'name = "x"\nport = 8080\n'
    assert "skip  README.md" in result.out
    assert "kept as they were" in result.err


@pytest.mark.parametrize(
    "target", ["../escaped.txt", "/tmp/synctool-abs-escape.txt", "a/../../escaped.txt"]
)
def test_template_path_escaping_dest(
    capsys: pytest.CaptureFixture[str], workdir: Path, target: str
) -> None:
    copier_yml = COPIER_YML + f"target:\n  type: str\n  default: {target!r}\n"
    files = {**V1, "copier.yml": copier_yml, "{{ target }}.jinja": "escaped\n"}
    bp = make_blueprint(workdir / "bp", {"v1.0.0": files})
    before = _outside(workdir)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "--defaults",
        "-d",
        "service_name=x",
    )
    _assert_refused(result, workdir, before, "outside the service")
    assert not Path("/tmp/synctool-abs-escape.txt").exists()
    assert not (workdir / "escaped.txt").exists()


def test_template_symlink_leaving_dest(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(
        workdir / "bp",
        {"v1.0.0": {**V1, "copier.yml": COPIER_YML + "_preserve_symlinks: true\n"}},
    )
    os.symlink("../../outside-secret", bp / "link")
    from tests.helpers import git

    git(bp, "add", "-A")
    git(bp, "commit", "-qm", "link")
    git(bp, "tag", "v1.0.1")
    before = _outside(workdir)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "--defaults",
        "-d",
        "service_name=x",
    )
    _assert_refused(
        result,
        workdir,
        before,
        "symlink that leaves the service",
        "link -> ../../outside-secret",
    )


def test_template_symlink_inside_is_kept(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(
        workdir / "bp",
        {"v1.0.0": {**V1, "copier.yml": COPIER_YML + "_preserve_symlinks: true\n"}},
    )
    os.symlink("README.md", bp / "README")
    from tests.helpers import git

    git(bp, "add", "-A")
    git(bp, "commit", "-qm", "link")
    git(bp, "tag", "v1.0.1")
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "--defaults",
        "-d",
        "service_name=x",
    )
    assert result.code == 0, result.err
    assert os.readlink(workdir / "svc/README") == "README.md"
    assert "README: {sha256:" in (workdir / "svc/.synctool.lock").read_text()
