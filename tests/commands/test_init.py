"""`synctool init`: story-shaped tests on real git blueprints and real renders."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.helpers import git, make_blueprint, run_cli, snapshot

COPIER_YML = """\
service_name:
  type: str
  help: Service name
  validator: "{% if not (service_name | regex_search('^[a-z][a-z0-9-]*$')) %}lowercase letters, digits and dashes{% endif %}"
port:
  type: int
  default: 8080
"""

V1 = {
    "copier.yml": COPIER_YML,
    "README.md.jinja": "# {{ service_name }}\n",
    "app/config.toml.jinja": 'name = "{{ service_name }}"\nport = {{ port }}\n',
    "scripts/run.sh!x": "#!/bin/sh\nexec python -m app\n",
}
V2 = {**V1, "scripts/run.sh!x": "#!/bin/sh\nset -eu\nexec python -m app\n"}


@pytest.fixture
def blueprint(workdir: Path) -> Path:
    return make_blueprint(workdir / "bp", {"v1.0.0": V1, "v1.1.0": V2})


def _yaml(path: Path) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load(path.read_text())


def test_init_renders_newest_release_and_records_declared_and_applied(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--data",
        "service_name=orders",
        "--defaults",
    )
    assert result.code == 0, result.err
    svc = workdir / "svc"
    assert (svc / "README.md").read_text() == "# orders\n"
    assert (svc / "app/config.toml").read_text() == 'name = "orders"\nport = 8080\n'
    assert (
        svc / "scripts/run.sh"
    ).read_text() == "#!/bin/sh\nset -eu\nexec python -m app\n"
    assert os.stat(svc / "scripts/run.sh").st_mode & 0o777 == 0o755
    assert not (svc / "copier.yml").exists()
    assert not (svc / ".copier-answers.yml").exists()

    assert (svc / ".synctool.yml").read_text() == (
        "# synctool: the blueprint this service follows (declared state).\n"
        "# Change `ref` or an answer, then run `synctool sync`; `synctool update` does both.\n"
        f"blueprint: {blueprint}\n"
        "ref: v1.1.0\n"
        "answers:\n"
        "  service_name: orders\n"
        "  port: 8080\n"
    )
    lock = _yaml(svc / ".synctool.lock")
    assert lock["ref"] == "v1.1.0"
    assert lock["version"] == "1.1.0"
    assert lock["commit"] == git(blueprint, "rev-parse", "v1.1.0").strip()
    assert lock["answers"] == {"port": 8080, "service_name": "orders"}
    assert lock["answers_digest"].startswith("sha256:")
    assert list(lock["files"]) == ["README.md", "app/config.toml", "scripts/run.sh"]
    for rel, entry in lock["files"].items():
        assert entry["sha256"] == hashlib.sha256((svc / rel).read_bytes()).hexdigest()
        assert entry["class"] == "merged"
    assert lock["files"]["scripts/run.sh"]["mode"] == "755"
    assert lock["files"]["README.md"]["mode"] == "644"

    assert git(svc, "log", "--format=%s").strip() == "Initial commit from bp 1.1.0"
    assert git(svc, "status", "--porcelain") == ""
    assert "create  app/config.toml" in result.out
    assert "synctool update" in result.out


def test_lock_is_stable_and_sorted(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    for name in ("a", "b"):
        assert (
            run_cli(
                capsys,
                "init",
                name,
                "--blueprint",
                str(blueprint),
                "-d",
                "service_name=x",
                "--defaults",
            ).code
            == 0
        )
    assert (workdir / "a/.synctool.lock").read_text() == (
        workdir / "b/.synctool.lock"
    ).read_text()
    text = (workdir / "a/.synctool.lock").read_text()
    assert "  README.md: {sha256: " in text  # one line per file


def test_init_at_an_older_ref(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--ref",
        "v1.0.0",
        "-d",
        "service_name=orders",
        "--defaults",
    )
    assert result.code == 0, result.err
    assert (
        workdir / "svc/scripts/run.sh"
    ).read_text() == "#!/bin/sh\nexec python -m app\n"
    assert "ref: v1.0.0\n" in (workdir / "svc/.synctool.yml").read_text()


def test_untagged_blueprint_uses_head(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp = make_blueprint(workdir / "bp", {"HEAD": V1})
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "-d",
        "service_name=orders",
        "--defaults",
    )
    assert result.code == 0, result.err
    lock = _yaml(workdir / "svc/.synctool.lock")
    assert lock["ref"] == "HEAD"
    assert lock["commit"] == git(bp, "rev-parse", "HEAD").strip()


def test_plain_folder_blueprint(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    from tests.helpers import write_tree

    write_tree(workdir / "plain", V1)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        "plain",
        "-d",
        "service_name=orders",
        "--defaults",
        "--no-git",
    )
    assert result.code == 0, result.err
    lock = _yaml(workdir / "svc/.synctool.lock")
    assert lock["ref"] is None
    assert lock["commit"].startswith("sha256:")
    assert not (workdir / "svc/.git").exists()


def test_data_file_and_data_override(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    (workdir / "answers.yml").write_text("service_name: from-file\nport: 9000\n")
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(blueprint),
        "--data-file",
        "answers.yml",
        "-d",
        "port=9100",
    )
    assert result.code == 0, result.err
    assert (
        workdir / "svc/app/config.toml"
    ).read_text() == 'name = "from-file"\nport = 9100\n'


def test_inside_an_existing_repo_makes_no_new_repo(
    capsys: pytest.CaptureFixture[str], workdir: Path, blueprint: Path
) -> None:
    mono = workdir / "mono"
    mono.mkdir()
    git(mono, "init", "-q")
    result = run_cli(
        capsys,
        "init",
        "mono/services/svc",
        "--blueprint",
        str(blueprint),
        "-d",
        "service_name=x",
        "--defaults",
    )
    assert result.code == 0, result.err
    assert not (mono / "services/svc/.git").exists()
    assert (mono / "services/svc/.synctool.lock").is_file()


def test_policy_classes_are_recorded(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    files = {
        **V1,
        "copier.yml": COPIER_YML + "_subdirectory: template\n",
        "synctool.yml": "ownership:\n  managed: [scripts/**]\n  seeded: ['src/{{ service_name }}/**']\n",
    }
    files = {
        ("template/" + k if k not in ("copier.yml", "synctool.yml") else k): v
        for k, v in files.items()
    }
    files["template/src/{{ service_name }}/app.py"] = "print('hi')\n"
    bp = make_blueprint(workdir / "bp", {"v1.0.0": files})
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "-d",
        "service_name=orders",
        "--defaults",
    )
    assert result.code == 0, result.err
    lock = _yaml(workdir / "svc/.synctool.lock")
    classes = {rel: e["class"] for rel, e in lock["files"].items()}
    assert classes == {
        "README.md": "merged",
        "app/config.toml": "merged",
        "scripts/run.sh": "managed",
        "src/orders/app.py": "seeded",
    }
    assert lock["policy"]["ownership"]["seeded"] == ["src/orders/**"]
    assert not (workdir / "svc/synctool.yml").exists()


def test_tasks_need_trust(capsys: pytest.CaptureFixture[str], workdir: Path) -> None:
    files = {**V1, "copier.yml": COPIER_YML + "_tasks:\n  - touch task-ran\n"}
    bp = make_blueprint(workdir / "bp", {"v1.0.0": files})
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "-d",
        "service_name=x",
        "--defaults",
    )
    assert result.code == 2
    assert "runs code on your machine" in result.err and "--trust" in result.err
    assert not (workdir / "svc").exists()
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        str(bp),
        "-d",
        "service_name=x",
        "--defaults",
        "--trust",
    )
    assert result.code == 0, result.err
    assert (workdir / "svc/task-ran").exists()


def test_template_dot_git_is_left_out(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    files = {**V1, "sub/.git/config": "[core]\n", "sub/keep.txt": "kept\n"}
    from tests.helpers import write_tree

    write_tree(workdir / "plain", files)
    result = run_cli(
        capsys,
        "init",
        "svc",
        "--blueprint",
        "plain",
        "-d",
        "service_name=x",
        "--defaults",
        "--no-git",
    )
    assert result.code == 0, result.err
    assert (workdir / "svc/sub/keep.txt").read_text() == "kept\n"
    assert not (workdir / "svc/sub/.git").exists()


def test_blueprint_new_then_init_from_it(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    result = run_cli(capsys, "blueprint", "new", "my-blueprint")
    assert result.code == 0, result.err
    bp = workdir / "my-blueprint"
    assert git(bp, "tag").split() == ["v1.0.0"]
    assert git(bp, "status", "--porcelain") == ""
    assert (bp / "copier.yml").is_file()
    assert not (bp / "VERSION").exists()
    assert "git tag" in result.out
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert result.code == 0, result.err
    assert "ref: v1.0.0\n" in (workdir / "svc/.synctool.yml").read_text()


def test_blueprint_new_refuses_non_empty(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    (workdir / "x").mkdir()
    (workdir / "x/file").write_text("mine\n")
    result = run_cli(capsys, "blueprint", "new", "x")
    assert result.code == 2
    assert "not empty" in result.err
    assert snapshot(workdir / "x") == {"file": b"mine\n"}
