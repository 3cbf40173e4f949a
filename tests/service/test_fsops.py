"""synctool.service.fsops: writing into a service without ever leaving it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synctool.errors import BlueprintError, InputError
from synctool.service.fsops import create_tree, safe_target, short_name, write_entry
from synctool.tree import FileEntry

SYMLINK = 0o120000


def test_safe_target_is_the_path_inside_the_root(tmp_path: Path) -> None:
    assert safe_target(tmp_path, "a/b.txt") == tmp_path / "a" / "b.txt"


def test_safe_target_refuses_a_folder_symlinked_out_of_the_service(
    tmp_path: Path,
) -> None:
    root, outside = tmp_path / "svc", tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    (root / "conf").symlink_to(outside)
    with pytest.raises(InputError) as caught:
        safe_target(root, "conf/app.yml")
    assert caught.value.message == (
        "conf/app.yml would be written through a symlink that leaves the service "
        f"or enters its .git ({outside})."
    )
    assert caught.value.hint == (
        "Replace the symlinked folder with a real one; nothing was written."
    )


def test_safe_target_refuses_a_folder_symlinked_into_git(tmp_path: Path) -> None:
    (tmp_path / ".git" / "hooks").mkdir(parents=True)
    (tmp_path / "tools").symlink_to(tmp_path / ".git" / "hooks")
    with pytest.raises(InputError, match=r"enters its \.git"):
        safe_target(tmp_path, "tools/pre-commit")


def test_safe_target_refuses_a_bad_path_before_looking_at_the_disk(
    tmp_path: Path,
) -> None:
    with pytest.raises(BlueprintError, match="outside the service"):
        safe_target(tmp_path, "../x")


def test_a_short_name_is_kept_and_a_long_one_cut_to_200_bytes() -> None:
    assert short_name("values.yaml") == "values.yaml"
    long = "é" * 150  # 300 bytes in UTF-8
    cut = short_name(long)
    assert len(os.fsencode(cut)) == 200
    assert long.startswith(cut)


def test_write_entry_writes_content_mode_and_symlinks(tmp_path: Path) -> None:
    write_entry(tmp_path / "bin" / "run", FileEntry(b"#!/bin/sh\n", 0o755))
    write_entry(tmp_path / "link", FileEntry(b"bin/run", SYMLINK))
    assert (tmp_path / "bin" / "run").read_bytes() == b"#!/bin/sh\n"
    assert (tmp_path / "bin" / "run").stat().st_mode & 0o777 == 0o755
    assert os.readlink(tmp_path / "link") == "bin/run"
    assert sorted(p.name for p in (tmp_path / "bin").iterdir()) == ["run"]


def test_create_tree_makes_the_folder_with_every_file(tmp_path: Path) -> None:
    dest = tmp_path / "new" / "svc"
    create_tree(dest, {"README.md": FileEntry(b"hi\n"), "src/a.py": FileEntry(b"")})
    assert sorted(
        p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()
    ) == ["README.md", "src/a.py"]
    assert (dest / "README.md").read_bytes() == b"hi\n"


def test_create_tree_leaves_nothing_when_a_path_is_refused(tmp_path: Path) -> None:
    files = {"ok.txt": FileEntry(b"ok"), ".git/config": FileEntry(b"x")}
    with pytest.raises(BlueprintError, match=r"renders into \.git"):
        create_tree(tmp_path / "svc", files)
    assert list(tmp_path.iterdir()) == []  # no service, no hidden staging folder
