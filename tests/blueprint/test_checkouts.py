"""The kept checkouts: moved in whole, copied across file systems, misses on damage."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from synctool.blueprint import checkouts

SHA = "a" * 40
META = {
    "commit": "v1.0.0",
    "commit_hash": SHA,
    "version": "1.0.0",
    "git_index_modes": {},
}


def _clone(tmp: Path) -> Path:
    clone = tmp / "clone"
    (clone / "src").mkdir(parents=True)
    (clone / "src/app.py").write_text("print('hi')\n")
    (clone / "run.sh").write_text("#!/bin/sh\n")
    (clone / "run.sh").chmod(0o755)
    os.symlink("run.sh", clone / "link.sh")
    return clone


def _assert_kept(found: checkouts.Checkout | None) -> None:
    assert found is not None
    assert (found.root / "src/app.py").read_text() == "print('hi')\n"
    assert os.access(found.root / "run.sh", os.X_OK)
    assert os.readlink(found.root / "link.sh") == "run.sh"
    assert found.meta["version"] == "1.0.0"


def test_a_clone_is_moved_in_and_found_again(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    assert checkouts.find("bp", "v1.0.0", SHA) is None
    checkouts.keep("bp", "v1.0.0", SHA, clone, META)
    assert not clone.exists()  # moved, not copied
    _assert_kept(checkouts.find("bp", "v1.0.0", SHA))
    # Another ref naming the commit, another blueprint: other entries.
    assert checkouts.find("bp", "main", SHA) is None
    assert checkouts.find("other", "v1.0.0", SHA) is None


def test_another_file_system_means_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _clone(tmp_path)
    rename = os.rename

    def cross_device(src: object, dst: object) -> None:
        if Path(str(src)) == clone:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(checkouts.os, "rename", cross_device)
    checkouts.keep("bp", "v1.0.0", SHA, clone, META)
    _assert_kept(checkouts.find("bp", "v1.0.0", SHA))


def test_a_moved_ref_or_a_damaged_entry_is_never_used(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    checkouts.keep("bp", "v1.0.0", "b" * 40, clone, META)  # git said another sha
    assert checkouts.find("bp", "v1.0.0", "b" * 40) is None
    assert clone.exists()  # left for copier to delete
    checkouts.keep("bp", "v1.0.0", SHA, clone, META)
    entry = next(checkouts.cache_dir().glob("*/meta.json"))
    entry.write_text(json.dumps({**META, "format": 0}))
    assert checkouts.find("bp", "v1.0.0", SHA) is None
    entry.write_text("[1, 2")
    assert checkouts.find("bp", "v1.0.0", SHA) is None


def test_an_unwritable_cache_costs_nothing_but_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be\n")
    monkeypatch.setattr(checkouts, "cache_dir", lambda: blocked / "checkouts")
    clone = _clone(tmp_path)
    checkouts.keep("bp", "v1.0.0", SHA, clone, META)
    assert checkouts.find("bp", "v1.0.0", SHA) is None
    assert clone.exists()


def test_processes_rendering_a_remote_blueprint_at_once_all_succeed(
    tmp_path: Path,
) -> None:
    """copier clones a remote template through one shared mirror; renders in
    parallel processes (a fleet's workers) take turns for that clone."""
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from tests.helpers import git, make_blueprint

    files = {"copier.yml": "name: {type: str}\n", "a.txt.jinja": "{{ name }}\n"}
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": files})
    bare = tmp_path / "bp.git"
    git(tmp_path, "clone", "-q", "--bare", str(bp), str(bare))
    sha = git(bp, "rev-parse", "v1.0.0^{commit}").strip()
    code = (
        "import sys\n"
        "from synctool.blueprint.render import render\n"
        "out = render(sys.argv[1], 'v1.0.0', {'name': sys.argv[2]}, defaults=True,"
        f" interactive=False, trust=False, commit={sha!r}, operation='update')\n"
        "print(out.tree['a.txt'].data.decode(), end='')\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def one(i: int) -> subprocess.CompletedProcess[str]:
        args = [sys.executable, "-c", code, bare.as_uri(), f"svc{i}"]
        return subprocess.run(args, env=env, capture_output=True, text=True)

    assert one(0).returncode == 0  # copier's mirror of the remote now exists
    for _round in range(3):  # each round: no kept checkout, so every one clones
        shutil.rmtree(tmp_path / "cache" / "synctool", ignore_errors=True)
        with ThreadPoolExecutor(8) as pool:
            done = list(pool.map(one, range(8)))
        assert [(p.returncode, p.stdout) for p in done] == [
            (0, f"svc{i}\n") for i in range(8)
        ], [p.stderr[-300:] for p in done if p.returncode]


def test_an_entry_left_half_written_long_ago_is_cleared(tmp_path: Path) -> None:
    folder = checkouts.cache_dir()
    old, recent = folder / ".tmp-old", folder / ".tmp-recent"
    for stale in (old, recent):
        (stale / "tree").mkdir(parents=True)
    os.utime(old, (1, 1))  # a process killed in 1970, say
    checkouts.keep("bp", "v1.0.0", SHA, _clone(tmp_path), META)
    assert not old.exists()
    assert recent.exists()  # maybe another process writing it right now
    assert checkouts.find("bp", "v1.0.0", SHA) is not None
