"""The bundled blueprint's releases are frozen, so its services sync offline forever."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from synctool.blueprint import releases, sources
from tests.helpers import REPO, git, run_cli


def test_current_bundled_release_is_frozen_unchanged() -> None:
    version = sources.bundled_version()
    frozen = releases.frozen_files(version)
    assert frozen is not None, f"run `python tools/freeze_release.py` for {version}"
    current = releases.snapshot(sources.bundled_dir())
    current.pop("VERSION", None)
    assert frozen == current, (
        f"blueprint/ differs from the frozen release {version}: bump blueprint/VERSION "
        "and run `python tools/freeze_release.py`"
    )


def test_freezing_again_with_other_content_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(releases, "STORE", tmp_path / "store")
    (tmp_path / "bp").mkdir()
    (tmp_path / "bp/copier.yml").write_text("name: {type: str, default: x}\n")
    assert releases.freeze(tmp_path / "bp", "1.0.0") is True
    assert releases.freeze(tmp_path / "bp", "1.0.0") is False
    (tmp_path / "bp/copier.yml").write_text("name: {type: str, default: y}\n")
    from synctool.errors import BlueprintError

    with pytest.raises(BlueprintError, match="already frozen"):
        releases.freeze(tmp_path / "bp", "1.0.0")


def test_service_from_an_older_bundled_release_updates_offline(
    capsys: pytest.CaptureFixture[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service made by an older synctool (bundled 0.9.0) moves to the newest."""
    store = workdir / "store"
    shutil.copytree(releases.STORE, store)
    monkeypatch.setattr(releases, "STORE", store)
    old = workdir / "old-blueprint"
    shutil.copytree(sources.bundled_dir(), old)
    makefile = old / "template/Makefile.jinja"
    makefile.write_text(
        makefile.read_text().replace("\nlint:", "\nold-target:\n\t@true\n\nlint:", 1)
    )
    assert releases.freeze(old, "0.9.0")

    result = run_cli(capsys, "init", "svc", "--defaults", "--ref", "0.9.0")
    assert result.code == 0, result.err
    svc = workdir / "svc"
    assert "old-target:" in (svc / "Makefile").read_text()
    assert "ref: 0.9.0\n" in (svc / ".synctool.yml").read_text()
    readme = svc / "README.md"
    readme.write_text(readme.read_text() + "\nOur own notes.\n")
    git(svc, "commit", "-qam", "notes")

    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.err
    assert "old-target:" not in (svc / "Makefile").read_text()
    assert (svc / "README.md").read_text().endswith("\nOur own notes.\n")
    assert f"ref: {sources.bundled_version()}\n" in (svc / ".synctool.yml").read_text()


def test_no_blueprint_file_is_ignored_by_git() -> None:
    """A file git ignores in blueprint/ is missing from every clone and release."""
    import subprocess

    repo = REPO
    out = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "blueprint"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [line for line in out.splitlines() if "__pycache__" not in line] == []


# What 1.0.0 shipped, file by file: services made from it render it again as
# their base on every sync, so no later change may touch it.
RELEASE_1_0_0 = "28f567726a0aa15068f5029295bac3acf872a8599241d004d3f7b23909f46de5"


def test_release_1_0_0_stays_as_shipped() -> None:
    import hashlib
    import json

    index = json.loads((releases.STORE / "index.json").read_text())["versions"]
    entry = json.dumps(index["1.0.0"], sort_keys=True).encode()
    assert hashlib.sha256(entry).hexdigest() == RELEASE_1_0_0
    for rel, (data, _mode) in (releases.frozen_files("1.0.0") or {}).items():
        sha = index["1.0.0"][rel][0]
        assert hashlib.sha256(data).hexdigest() == sha, rel


def test_releases_sort_as_versions_not_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(releases, "STORE", tmp_path / "store")
    (tmp_path / "bp").mkdir()
    for n, version in enumerate(["1.10.0", "1.9.0", "1.2.0rc1", "1.2.0"]):
        (tmp_path / "bp/copier.yml").write_text(f"n: {{type: int, default: {n}}}\n")
        releases.freeze(tmp_path / "bp", version)
    assert releases.versions() == ["1.2.0rc1", "1.2.0", "1.9.0", "1.10.0"]


def test_the_maintainers_freeze_script_freezes_the_bundled_blueprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tools/freeze_release.py (not part of the package) freezes blueprint/."""
    import importlib.util
    import sys

    script = REPO / "tools" / "freeze_release.py"
    spec = importlib.util.spec_from_file_location("freeze_release", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(releases, "STORE", tmp_path / "store")
    (tmp_path / "bp").mkdir()
    (tmp_path / "bp/copier.yml").write_text("name: {type: str, default: x}\n")
    monkeypatch.setattr(sources, "bundled_dir", lambda: tmp_path / "bp")
    monkeypatch.setattr(sources, "bundled_version", lambda: "1.0.0")

    assert module.main(["freeze"]) == 2  # it takes no arguments
    assert releases.versions() == []
    assert module.main([]) == 0
    assert releases.versions() == ["1.0.0"]
    assert module.main([]) == 0  # frozen already: nothing changes
    assert releases.versions() == ["1.0.0"]


def test_messages_name_the_bundled_blueprint_not_where_its_files_lie() -> None:
    version = sources.bundled_version()
    assert sources.shown(str(sources.bundled_dir())) == f"bundled {version}"
    frozen = releases.materialize("1.0.0")
    assert sources.shown(str(frozen)) == "bundled 1.0.0"
    assert sources.shown("/srv/bp") == "/srv/bp"
    assert sources.shown("https://example.com/bp.git", "v2.0.0") == (
        "https://example.com/bp.git at v2.0.0"
    )
