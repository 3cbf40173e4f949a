"""The planner, one story per rule: blueprint v1 applied, v2 declared, a local edit."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import pytest

from synctool.merge.plan import (
    Plan,
    PlanEntry,
    SideFile,
    apply_plan_to_tree,
    build_plan,
    check_path,
    two_way_conflict,
)
from synctool.merge.types import ContentMerge, Labels
from synctool.tree import Driver, FileEntry

from . import FakeMerge, exe, owner, plan, sniff, tree

V1 = "FROM python:3.11\nRUN pip install .\nCMD serve\n"
V2 = "FROM python:3.12\nRUN pip install .\nCMD serve\n"
MINE = "FROM python:3.11\nRUN pip install .\nCMD serve --workers 4\n"


def only(p: Plan, path: str) -> PlanEntry:
    (entry,) = (e for e in p.entries if e.path == path)
    return entry


def sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


# -- one file, three versions -------------------------------------------------


def test_nothing_changed_is_a_noop() -> None:
    p = plan({"Dockerfile": V1}, {"Dockerfile": V1}, {"Dockerfile": V1})
    assert p.entries == (
        PlanEntry(
            "Dockerfile",
            "keep",
            "text",
            "merged",
            "unchanged",
            theirs_path="Dockerfile",
        ),
    )
    assert p.is_noop and p.changes == () and p.conflicts == () and not p.fallback


def test_local_edit_alone_is_kept() -> None:
    p = plan({"Dockerfile": V1}, {"Dockerfile": V1}, {"Dockerfile": MINE})
    e = only(p, "Dockerfile")
    assert (e.action, e.reason, e.result) == ("keep", "changed here only", None)


def test_blueprint_change_alone_is_taken_exactly() -> None:
    p = plan({"Dockerfile": V1}, {"Dockerfile": V2}, {"Dockerfile": V1})
    e = only(p, "Dockerfile")
    assert (e.action, e.reason) == ("update", "changed in blueprint")
    assert e.result == FileEntry(V2.encode())
    assert apply_plan_to_tree(tree({"Dockerfile": V1}), p) == tree({"Dockerfile": V2})


def test_same_change_on_both_sides_is_kept() -> None:
    p = plan({"a": V1}, {"a": V2}, {"a": V2})
    assert (only(p, "a").action, only(p, "a").reason) == (
        "keep",
        "same change on both sides",
    )


def test_changes_on_both_sides_go_to_the_driver() -> None:
    fake = FakeMerge()
    p = plan({"Dockerfile": V1}, {"Dockerfile": V2}, {"Dockerfile": MINE}, merge=fake)
    e = only(p, "Dockerfile")
    assert fake.calls == [("text", V1.encode(), MINE.encode(), V2.encode())]
    assert (e.action, e.conflicts, e.reason) == (
        "merge",
        0,
        "changed on both sides: merged",
    )
    assert e.result == FileEntry(f"merged({V1}|{MINE}|{V2})".encode())


def test_driver_conflicts_are_written_with_markers() -> None:
    p = plan({"a": "x\n"}, {"a": "y\n"}, {"a": "CONFLICT\n"})
    e = only(p, "a")
    assert (e.action, e.conflicts) == ("conflict", 1)
    assert e.reason == "changed on both sides: 1 conflict(s) (fake)"
    assert e.result == FileEntry(b"merged(x\n|CONFLICT\n|y\n)")
    assert p.conflicts == (e,) and p.conflict_count == 1 and p.changes == (e,)


def test_labels_and_identity_keys_reach_the_driver() -> None:
    seen: list[tuple[Labels, tuple[str, ...]]] = []

    def merge(
        driver: Driver,
        base: bytes | None,
        ours: bytes,
        theirs: bytes,
        labels: Labels,
        identity_keys: Sequence[str] = (),
    ) -> ContentMerge:
        seen.append((labels, tuple(identity_keys)))
        return FakeMerge()(driver, base, ours, theirs, labels)

    labels = Labels("svc", "bp 1", "bp 2")
    build_plan(
        tree({"a": "1"}),
        tree({"a": "2"}),
        tree({"a": "3"}),
        ownership=lambda _: "merged",
        driver_for=sniff,
        labels=labels,
        identity_keys=("key",),
        merge=merge,
    )
    assert seen == [(labels, ("key",))]


# -- added and removed ---------------------------------------------------------


def test_file_added_in_blueprint_is_created() -> None:
    p = plan({}, {"ci.yml": "on: push\n"}, {})
    e = only(p, "ci.yml")
    assert (e.action, e.reason, e.result) == (
        "create",
        "added in blueprint",
        FileEntry(b"on: push\n"),
    )


def test_added_on_both_sides_identically_is_kept() -> None:
    p = plan({}, {"a": "same\n"}, {"a": "same\n"})
    assert (only(p, "a").action, only(p, "a").reason) == (
        "keep",
        "added on both sides, identical",
    )


def test_added_on_both_sides_differently_merges_against_empty_base() -> None:
    fake = FakeMerge()
    p = plan({}, {"a": "theirs\n"}, {"a": "ours\n"}, merge=fake)
    assert fake.calls == [("text", None, b"ours\n", b"theirs\n")]
    e = only(p, "a")
    assert (e.action, e.reason) == ("merge", "added on both sides: merged")
    assert e.result == FileEntry(b"merged(-|ours\n|theirs\n)")


def test_removed_in_blueprint_and_untouched_here_is_deleted() -> None:
    p = plan(
        {"old.cfg": "x\n", "keep": "k"}, {"keep": "k"}, {"old.cfg": "x\n", "keep": "k"}
    )
    e = only(p, "old.cfg")
    assert (e.action, e.reason, e.result, e.theirs_path) == (
        "delete",
        "removed in blueprint",
        None,
        None,
    )
    assert apply_plan_to_tree(tree({"old.cfg": "x\n", "keep": "k"}), p) == tree(
        {"keep": "k"}
    )


def test_removed_in_blueprint_but_modified_here_is_kept_as_a_conflict() -> None:
    ours = tree({"old.cfg": "x\nmine\n"})
    p = plan({"old.cfg": "x\n"}, {}, ours)
    e = only(p, "old.cfg")
    assert (e.action, e.conflicts, e.result) == ("conflict", 1, None)
    assert e.reason == "removed in blueprint 1.1.0, modified here"
    assert apply_plan_to_tree(ours, p) == ours and p.is_noop and p.conflict_count == 1


def test_removed_on_both_sides_needs_nothing() -> None:
    p = plan({"gone": "x"}, {}, {})
    assert (only(p, "gone").action, only(p, "gone").reason) == (
        "keep",
        "removed in blueprint and here",
    )


def test_file_deleted_here_stays_deleted_when_blueprint_changes_it() -> None:
    p = plan({"docs.md": "v1"}, {"docs.md": "v2"}, {})
    e = only(p, "docs.md")
    assert (e.action, e.result) == ("keep", None)
    assert e.reason == "deleted here; blueprint changes to it not applied"
    assert apply_plan_to_tree({}, p) == {}


def test_managed_file_deleted_here_is_recreated_when_blueprint_changes_it() -> None:
    managed = owner({".github/": "managed"})
    p = plan({".github/ci.yml": "v1"}, {".github/ci.yml": "v2"}, {}, ownership=managed)
    e = only(p, ".github/ci.yml")
    assert (e.action, e.ownership) == ("create", "managed")
    assert e.reason == "managed file deleted here: recreated from blueprint"
    assert e.result == FileEntry(b"v2")
    # ...but a deletion the blueprint did not touch is drift for check, not sync.
    p = plan({".github/ci.yml": "v1"}, {".github/ci.yml": "v1"}, {}, ownership=managed)
    assert (only(p, ".github/ci.yml").action, only(p, ".github/ci.yml").reason) == (
        "keep",
        "deleted here",
    )


# -- ownership -----------------------------------------------------------------


def test_managed_file_edited_here_only_stays_as_drift() -> None:
    p = plan(
        {"Dockerfile": V1},
        {"Dockerfile": V1},
        {"Dockerfile": MINE},
        ownership=owner({"D": "managed"}),
    )
    assert (only(p, "Dockerfile").action, only(p, "Dockerfile").reason) == (
        "keep",
        "changed here only",
    )


def test_managed_file_changed_on_both_sides_keeps_ours_beside_the_blueprint() -> None:
    fake = FakeMerge()
    p = plan(
        {"Dockerfile": V1},
        {"Dockerfile": V2},
        {"Dockerfile": exe(MINE)},
        ownership=owner({"D": "managed"}),
        merge=fake,
    )
    e = only(p, "Dockerfile")
    assert fake.calls == []
    # The blueprint's version is applied; the team's edits are never lost:
    # kept beside it, a conflict for the team to decide.
    assert (e.action, e.ownership, e.conflicts) == ("conflict", "managed", 1)
    assert e.result == FileEntry(V2.encode(), 0o755)
    assert e.side_file == SideFile("Dockerfile.local", exe(MINE), "yours")
    assert e.reason == (
        "managed file edited here: blueprint version written, yours kept in "
        "Dockerfile.local"
    )
    assert apply_plan_to_tree({"Dockerfile": exe(MINE)}, p) == {
        "Dockerfile": FileEntry(V2.encode(), 0o755),
        "Dockerfile.local": exe(MINE),
    }


def test_managed_file_edited_on_both_sides_in_fallback_keeps_ours_too() -> None:
    p = plan(
        None,
        {"Dockerfile": V2},
        {"Dockerfile": MINE, "Dockerfile.local": "older decision\n"},
        ownership=owner({"D": "managed"}),
        base_hashes={"Dockerfile": sha(V1)},
    )
    e = only(p, "Dockerfile")
    assert (e.action, e.result) == ("conflict", FileEntry(V2.encode()))
    # An existing .local file is never overwritten.
    assert e.side_file == SideFile(
        "Dockerfile.local.1", FileEntry(MINE.encode()), "yours"
    )


def test_side_files_are_never_named_over_a_file_on_disk() -> None:
    taken = {"Dockerfile.local"}  # e.g. an ignored file no tree lists
    p = build_plan(
        tree({"Dockerfile": V1}),
        tree({"Dockerfile": V2}),
        tree({"Dockerfile": MINE}),
        ownership=owner({"D": "managed"}),
        driver_for=sniff,
        occupied=taken.__contains__,
    )
    side = only(p, "Dockerfile").side_file
    assert side is not None and side.path == "Dockerfile.local.1"


def test_a_file_locked_without_a_hash_counts_as_not_in_base() -> None:
    # A file that held a secret is locked without a hash: in fallback its
    # base is unknown, so both versions are there for the user to pick.
    p = plan(
        None,
        {"app.env": "TOKEN=x\nW=2\n", "a": "a2"},
        {"app.env": "TOKEN=secret\nW=1\n", "a": "a1"},
        base_hashes={"app.env": None, "a": sha("a1")},
    )
    assert only(p, "a").action == "update"
    e = only(p, "app.env")
    assert e.action == "merge" and e.reason.startswith("added on both sides")


def test_nothing_is_written_inside_another_git_repository() -> None:
    p = build_plan(
        tree({"libs/x/a": "1", "libs/x/gone": "g", "top": "1"}),
        tree({"libs/x/a": "2", "libs/x/new": "n", "libs/xy": "n", "top": "2"}),
        tree({"libs/x/a": "1", "libs/x/gone": "g", "top": "1"}),
        ownership=lambda _: "merged",
        driver_for=sniff,
        foreign={"libs/x"},
    )
    actions = {e.path: (e.action, e.result) for e in p.entries}
    assert actions == {
        "libs/x/a": ("conflict", None),
        "libs/x/gone": ("conflict", None),
        "libs/x/new": ("conflict", None),
        "libs/xy": ("create", FileEntry(b"n")),
        "top": ("update", FileEntry(b"2")),
    }
    assert only(p, "libs/x/new").reason == (
        "inside libs/x/, another git repository (a submodule or nested "
        "repository): not written (would create: added in blueprint)"
    )
    assert apply_plan_to_tree(tree({"libs/x/a": "1", "libs/x/gone": "g"}), p) == {
        "libs/x/a": FileEntry(b"1"),
        "libs/x/gone": FileEntry(b"g"),
        "libs/xy": FileEntry(b"n"),
        "top": FileEntry(b"2"),
    }


def test_seeded_files_are_never_touched_after_init() -> None:
    seeded = owner({"src/": "seeded"})
    base = {"src/app.py": "v1", "src/gone.py": "g", "src/deleted.py": "d"}
    theirs = {"src/app.py": "v2", "src/deleted.py": "d2", "src/new.py": "n"}
    ours = {"src/app.py": "v1", "src/gone.py": "g"}
    p = plan(base, theirs, ours, ownership=seeded)
    assert [(e.path, e.action, e.reason) for e in p.entries] == [
        ("src/app.py", "keep", "seeded: blueprint changes not applied"),
        ("src/deleted.py", "keep", "seeded: deleted here, not recreated"),
        ("src/gone.py", "keep", "seeded: kept (removed in blueprint)"),
        ("src/new.py", "create", "added in blueprint"),  # new to the service
    ]
    assert apply_plan_to_tree(tree(ours), p) == tree({**ours, "src/new.py": "n"})


# -- modes and line endings ----------------------------------------------------


def test_blueprint_making_a_script_executable_wins_the_mode() -> None:
    p = plan(
        {"run.sh": "echo 1\n"},
        {"run.sh": exe("echo 1\n")},
        {"run.sh": "echo 1\n# mine\n"},
    )
    e = only(p, "run.sh")
    assert (e.action, e.reason) == ("update", "mode changed in blueprint")
    assert e.result == FileEntry(b"echo 1\n# mine\n", 0o755)


def test_mode_and_content_change_merge_together() -> None:
    p = plan({"run.sh": "a\n"}, {"run.sh": exe("b\n")}, {"run.sh": "c\n"})
    e = only(p, "run.sh")
    assert (e.action, e.result) == ("merge", FileEntry(b"merged(a\n|c\n|b\n)", 0o755))


def test_local_exec_bit_survives_a_blueprint_change() -> None:
    p = plan({"run.sh": "a\n"}, {"run.sh": "b\n"}, {"run.sh": exe("a\n")})
    assert only(p, "run.sh").result == FileEntry(b"b\n", 0o755)


def test_crlf_checkout_takes_blueprint_changes_in_its_own_line_endings() -> None:
    p = plan(
        {"a.txt": "one\ntwo\n"}, {"a.txt": "one\n2\n"}, {"a.txt": "one\r\ntwo\r\n"}
    )
    e = only(p, "a.txt")
    assert (e.action, e.result) == ("update", FileEntry(b"one\r\n2\r\n"))


def test_crlf_checkout_of_a_removed_file_is_deleted_not_a_conflict() -> None:
    p = plan({"a.txt": "one\n"}, {}, {"a.txt": "one\r\n"})
    assert only(p, "a.txt").action == "delete"


# -- binary --------------------------------------------------------------------


def test_binary_changed_on_both_sides_keeps_ours_and_writes_theirs_beside() -> None:
    fake = FakeMerge()
    ours = tree({"logo.png": b"\0ours"})
    p = plan({"logo.png": b"\0base"}, {"logo.png": b"\0theirs"}, ours, merge=fake)
    e = only(p, "logo.png")
    assert fake.calls == []
    assert (e.action, e.driver, e.conflicts, e.result) == (
        "conflict",
        "binary",
        1,
        None,
    )
    assert e.side_file == SideFile("logo.png.blueprint", FileEntry(b"\0theirs"))
    assert (
        e.reason
        == "changed on both sides (binary): blueprint version written to logo.png.blueprint"
    )
    assert apply_plan_to_tree(ours, p) == {
        **ours,
        "logo.png.blueprint": FileEntry(b"\0theirs"),
    }


def test_binary_side_file_never_overwrites_an_existing_file() -> None:
    ours: dict[str, str | bytes] = {"x.bin": b"\0o", "x.bin.blueprint": "mine"}
    p = plan({"x.bin": b"\0b"}, {"x.bin": b"\0t"}, ours)
    assert only(p, "x.bin").side_file == SideFile(
        "x.bin.blueprint.1", FileEntry(b"\0t")
    )


def test_text_here_binary_in_blueprint_is_not_text_merged() -> None:
    fake = FakeMerge()
    p = plan({"f": "base\n"}, {"f": b"\0new"}, {"f": "mine\n"}, merge=fake)
    assert fake.calls == [] and only(p, "f").driver == "binary"


# -- renames -------------------------------------------------------------------

BODY = "".join(f"line {i}\n" for i in range(20))


def test_user_edits_follow_a_file_the_blueprint_moved() -> None:
    fake = FakeMerge()
    edited = BODY + "my line\n"
    moved = "header\n" + BODY
    ours = tree({"config/app.cfg": edited})
    p = plan({"config/app.cfg": BODY}, {"etc/app.cfg": moved}, ours, merge=fake)
    (e,) = p.entries
    assert fake.calls == [("text", BODY.encode(), edited.encode(), moved.encode())]
    assert (e.path, e.old_path, e.action, e.theirs_path) == (
        "etc/app.cfg",
        "config/app.cfg",
        "rename",
        "etc/app.cfg",
    )
    assert (
        e.reason
        == "moved in blueprint from config/app.cfg: changed on both sides: merged"
    )
    assert apply_plan_to_tree(ours, p) == {
        "etc/app.cfg": FileEntry(f"merged({BODY}|{edited}|{moved})".encode())
    }


def test_untouched_file_moved_by_the_blueprint_is_moved_exactly() -> None:
    ours = tree({"a/x.py": exe(BODY)})
    p = plan({"a/x.py": exe(BODY)}, {"b/x.py": exe(BODY)}, ours)
    (e,) = p.entries
    assert (e.action, e.old_path, e.result) == (
        "rename",
        "a/x.py",
        FileEntry(BODY.encode(), 0o755),
    )
    assert apply_plan_to_tree(ours, p) == tree({"b/x.py": exe(BODY)})


def test_file_the_blueprint_moved_but_the_user_deleted_stays_deleted() -> None:
    p = plan({"a.cfg": BODY}, {"b.cfg": BODY}, {})
    assert [(e.path, e.action, e.reason) for e in p.entries] == [
        ("b.cfg", "keep", "moved in blueprint from a.cfg: deleted here"),
    ]


def test_user_who_already_made_the_same_move_gets_an_in_place_merge() -> None:
    fake = FakeMerge()
    mine = BODY + "mine\n"
    p = plan({"a.cfg": BODY}, {"b.cfg": BODY + "theirs\n"}, {"b.cfg": mine}, merge=fake)
    (e,) = p.entries
    assert fake.calls == [
        ("text", BODY.encode(), mine.encode(), (BODY + "theirs\n").encode())
    ]
    assert (e.path, e.old_path, e.action) == ("b.cfg", None, "merge")


def test_blueprint_changes_follow_a_file_the_user_moved() -> None:
    fake = FakeMerge()
    base = {"app/settings.py": BODY, "README": "r"}
    theirs = {
        "app/settings.py": BODY.replace("line 3\n", "line three\n"),
        "README": "r",
    }
    ours = {"app/config.py": BODY + "local\n", "README": "r"}
    p = plan(base, theirs, ours, merge=fake)
    assert fake.calls == [
        (
            "text",
            BODY.encode(),
            ours["app/config.py"].encode(),
            theirs["app/settings.py"].encode(),
        )
    ]
    e = only(p, "app/config.py")
    assert (e.action, e.old_path, e.theirs_path) == ("merge", None, "app/settings.py")
    assert e.reason == "moved here from app/settings.py: changed on both sides: merged"
    assert "app/settings.py" not in {x.path for x in p.entries}
    assert "app/settings.py" not in apply_plan_to_tree(tree(ours), p)  # not recreated


def test_a_moved_file_keeps_the_ownership_of_its_blueprint_path() -> None:
    managed = owner({"Dockerfile": "managed"})
    ours = {"docker/Dockerfile": MINE + "# local\n"}
    p = plan({"Dockerfile": V1}, {"Dockerfile": V2}, ours, ownership=managed)
    (e,) = p.entries
    assert (e.path, e.ownership, e.action) == (
        "docker/Dockerfile",
        "managed",
        "conflict",
    )
    assert e.result == FileEntry(V2.encode())
    assert e.side_file is not None
    assert e.side_file.path == "docker/Dockerfile.local"


def test_conflict_in_a_moved_file_is_written_at_the_new_path() -> None:
    ours = tree({"a.cfg": BODY + "CONFLICT\n"})
    p = plan({"a.cfg": BODY}, {"b.cfg": BODY + "x\n"}, ours)
    (e,) = p.entries
    assert (e.action, e.old_path, e.conflicts) == ("conflict", "a.cfg", 1)
    assert set(apply_plan_to_tree(ours, p)) == {"b.cfg"}


def test_binary_conflict_in_a_moved_file_moves_ours_and_puts_theirs_beside() -> None:
    ours = tree({"img/a.bin": b"\0" + BODY.encode() + b"o"})
    theirs = {"assets/a.bin": b"\0" + BODY.encode() + b"t"}
    p = plan({"img/a.bin": b"\0" + BODY.encode()}, theirs, ours)
    assert apply_plan_to_tree(ours, p) == {
        "assets/a.bin": ours["img/a.bin"],
        "assets/a.bin.blueprint": FileEntry(theirs["assets/a.bin"]),
    }


def test_a_merge_that_lands_on_ours_is_a_keep() -> None:
    def take_ours(
        driver: Driver,
        base: bytes | None,
        ours: bytes,
        theirs: bytes,
        labels: Labels,
        identity_keys: Sequence[str] = (),
    ) -> ContentMerge:
        return ContentMerge(ours, 0, driver)

    p = plan({"a": "1"}, {"a": "2"}, {"a": "3"}, merge=take_ours)
    assert (only(p, "a").action, only(p, "a").result) == ("keep", None)


def test_user_move_is_not_searched_when_the_blueprint_did_not_change_the_file() -> None:
    p = plan({"a.py": BODY}, {"a.py": BODY}, {"b.py": BODY})
    assert [(e.path, e.action, e.reason) for e in p.entries] == [
        ("a.py", "keep", "deleted here")
    ]


def test_blueprint_and_user_moves_combine() -> None:
    # Blueprint moves a -> b and changes it; the user had moved a -> mine.
    theirs_text = BODY + "new\n"
    p = plan({"a": BODY}, {"b": theirs_text}, {"mine": BODY})
    (e,) = p.entries
    assert (e.path, e.action, e.theirs_path, e.result) == (
        "mine",
        "update",
        "b",
        FileEntry(theirs_text.encode()),
    )


def test_renamed_blueprint_file_with_a_stale_copy_here() -> None:
    # The user already created the new path and kept the old one untouched.
    p = plan({"a": BODY}, {"b": BODY + "x\n"}, {"a": BODY, "b": BODY})
    assert [(e.path, e.action) for e in p.entries] == [("a", "delete"), ("b", "update")]


def test_seeded_file_moved_by_the_blueprint_stays_where_it_is() -> None:
    seeded = owner({"src/new_pkg/": "seeded"})
    p = plan(
        {"src/old_pkg/app.py": BODY},
        {"src/new_pkg/app.py": BODY},
        {"src/old_pkg/app.py": BODY},
        ownership=seeded,
    )
    (e,) = p.entries
    assert (e.path, e.action, e.theirs_path) == (
        "src/old_pkg/app.py",
        "keep",
        "src/new_pkg/app.py",
    )
    assert e.reason == "seeded: left here (blueprint moved it to src/new_pkg/app.py)"


def test_templated_directory_rename_moves_every_file_and_keeps_edits() -> None:
    def render(pkg: str) -> dict[str, str]:
        files = {f"src/{pkg}/mod{i}.py": f"# module {i}\n" + BODY for i in range(200)}
        files |= {f"src/{pkg}/__init__.py": "", f"src/{pkg}/sub/__init__.py": ""}
        files |= {f"src/{pkg}/sub/deep{i}.py": f"deep {i}\n" + BODY for i in range(50)}
        return files

    base, theirs = render("old_pkg"), render("new_pkg")
    theirs["src/new_pkg/mod7.py"] += "blueprint change\n"
    ours = dict(base)
    ours["src/old_pkg/mod7.py"] = "# local\n" + ours["src/old_pkg/mod7.py"]
    fake = FakeMerge()
    start = time.perf_counter()
    p = plan(base, theirs, ours, merge=fake)
    elapsed = time.perf_counter() - start
    assert {(e.old_path, e.path) for e in p.entries} == {
        (old, old.replace("old_pkg", "new_pkg")) for old in base
    }
    assert {e.action for e in p.entries if e.path != "src/new_pkg/mod7.py"} == {
        "rename"
    }
    assert only(p, "src/new_pkg/mod7.py").action == "rename"  # clean merge, moved
    assert len(fake.calls) == 1
    result = apply_plan_to_tree(tree(ours), p)
    assert set(result) == set(theirs)
    assert result["src/new_pkg/sub/__init__.py"] == FileEntry(b"")
    assert elapsed < 0.5


# -- fallback: the base can no longer be rendered -------------------------------


def test_fallback_resolves_one_sided_changes_exactly() -> None:
    hashes = {"a": sha("a1\n"), "b": sha("b1\n"), "gone": sha("g\n"), "c": sha("c1\n")}
    theirs = {"a": "a2\n", "b": "b1\n", "c": "c1\n", "new": "n\n"}
    ours = {"a": "a1\n", "b": "b-mine\n", "gone": "g\n"}
    p = plan(None, theirs, ours, base_hashes=hashes)
    assert p.fallback
    assert [(e.path, e.action, e.reason) for e in p.entries] == [
        ("a", "update", "changed in blueprint"),
        ("b", "keep", "changed here only"),
        ("c", "keep", "deleted here"),
        ("gone", "delete", "removed in blueprint"),
        ("new", "create", "added in blueprint"),
    ]
    assert apply_plan_to_tree(tree(ours), p) == tree(
        {"a": "a2\n", "b": "b-mine\n", "new": "n\n"}
    )


def test_fallback_two_sided_change_is_a_two_way_conflict() -> None:
    fake = FakeMerge()
    base_text = "keep\nold\nend\n"
    p = plan(
        None,
        {"a": "keep\ntheirs\nend\n"},
        {"a": "keep\nours\nend\n"},
        base_hashes={"a": sha(base_text)},
        merge=fake,
    )
    e = only(p, "a")
    assert fake.calls == []
    assert (e.action, e.conflicts) == ("conflict", 1)
    assert e.reason == "changed on both sides; base unavailable: two-way conflict"
    assert e.result == FileEntry(
        b"keep\n<<<<<<< service\nours\n=======\ntheirs\n>>>>>>> blueprint 1.1.0\nend\n"
    )


def test_fallback_pairs_identical_moves_and_keeps_modes_safe() -> None:
    hashes = {"old/x.sh": sha(BODY)}
    p = plan(None, {"new/x.sh": exe(BODY)}, {"old/x.sh": BODY}, base_hashes=hashes)
    (e,) = p.entries
    # Without base modes, an exec bit the blueprint has is added, never dropped.
    assert (e.action, e.old_path, e.result) == (
        "rename",
        "old/x.sh",
        FileEntry(BODY.encode(), 0o755),
    )
    p = plan(
        None,
        {"x.sh": "v2"},
        {"x.sh": "v1"},
        base_hashes={"x.sh": sha("v1")},
        base_modes={"x.sh": 0o755},
    )
    assert only(p, "x.sh").result == FileEntry(b"v2", 0o644)  # the blueprint dropped it


def test_fallback_needs_hashes() -> None:
    with pytest.raises(ValueError, match="base_hashes"):
        build_plan(None, {}, {}, ownership=lambda _: "merged", driver_for=sniff)


def test_two_way_conflict_keeps_crlf_and_closes_unterminated_lines() -> None:
    labels = Labels("o", "b", "t")
    assert (
        two_way_conflict(b"x\r\ny", b"x\nz", labels)
        == b"x\r\n<<<<<<< o\r\ny\r\n=======\r\nz\r\n>>>>>>> t\r\n"
    )


# -- safety and shape ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        ".git/config",
        "sub/.git/HEAD",
        ".GIT/hooks/pre-commit",
        "a//b",
        "a/./b",
        "a\\b",
        "dir/",
    ],
)
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="unsafe path"):
        check_path(path)
    with pytest.raises(ValueError, match="unsafe path"):
        plan({}, {path: "x"}, {})


def test_unsafe_paths_in_the_service_are_never_targets() -> None:
    # A user's .git (if the caller passed it) is no place to move a file to.
    p = plan({"HEAD": BODY}, {"HEAD": BODY + "x\n"}, {".git/HEAD": BODY, "a\\b": "x"})
    assert [(e.path, e.action) for e in p.entries] == [("HEAD", "keep")]


def test_safe_paths_pass() -> None:
    assert check_path(".github/workflows/ci.yml") == ".github/workflows/ci.yml"
    assert check_path(".gitignore") == ".gitignore"


def test_entries_are_sorted_and_files_only_here_get_none() -> None:
    p = plan(
        {"b": "1", "a": "1"},
        {"c": "1", "b": "1", "a": "2"},
        {"a": "1", "b": "1", "local.txt": "x"},
    )
    assert [e.path for e in p.entries] == ["a", "b", "c"]
    assert [e.path for e in p.changes] == ["a", "c"]


def test_a_thousand_files_with_fifty_changes_plan_fast() -> None:
    base = {f"pkg/m{i}.py": f"# {i}\n" + BODY for i in range(1000)}
    theirs = dict(base)
    ours = dict(base)
    for i in range(0, 1000, 20):
        theirs[f"pkg/m{i}.py"] += "blueprint\n"
        ours[f"pkg/m{i + 1}.py"] += "mine\n"
    for i in range(5):  # a few moves and removals too
        theirs[f"moved/m{i + 2}.py"] = theirs.pop(f"pkg/m{i + 2}.py")
        ours[f"local/m{i + 3}.py"] = ours.pop(f"pkg/m{i + 3}.py")
        ours[f"only/mine{i}.txt"] = f"unrelated {i}\n"
    b, t, o = tree(base), tree(theirs), tree(ours)
    best = min(_timed(b, t, o) for _ in range(5))
    assert best < 0.1, best


def _timed(
    b: dict[str, FileEntry], t: dict[str, FileEntry], o: dict[str, FileEntry]
) -> float:
    start = time.perf_counter()
    build_plan(
        b, t, o, ownership=lambda _: "merged", driver_for=sniff, merge=FakeMerge()
    )
    return time.perf_counter() - start


# -- with the real drivers -----------------------------------------------------


def test_real_text_merge_of_disjoint_edits() -> None:
    pytest.importorskip("synctool.merge.drivers")
    base = "a\nb\nc\nd\ne\n"
    p = build_plan(
        tree({"f.txt": base}),
        tree({"f.txt": base.replace("e\n", "E\n")}),
        tree({"f.txt": base.replace("a\n", "A\n")}),
        ownership=lambda _: "merged",
        driver_for=sniff,
    )
    e = only(p, "f.txt")
    assert (e.action, e.conflicts, e.result) == (
        "merge",
        0,
        FileEntry(b"A\nb\nc\nd\nE\n"),
    )


def test_real_text_conflict_has_markers_with_base() -> None:
    pytest.importorskip("synctool.merge.drivers")
    p = build_plan(
        tree({"f.txt": "a\nx\nz\n"}),
        tree({"f.txt": "a\ntheirs\nz\n"}),
        tree({"f.txt": "a\nours\nz\n"}),
        ownership=lambda _: "merged",
        driver_for=sniff,
        labels=Labels("service", "blueprint 1.0.0", "blueprint 1.1.0"),
    )
    e = only(p, "f.txt")
    assert (e.action, e.conflicts) == ("conflict", 1)
    assert e.result is not None
    assert (
        b"<<<<<<< service" in e.result.data
        and b"||||||| blueprint 1.0.0" in e.result.data
    )


def test_real_merge_follows_a_blueprint_move() -> None:
    pytest.importorskip("synctool.merge.drivers")
    edited = BODY.replace("line 1\n", "line one\n")
    moved = BODY.replace("line 18\n", "line eighteen\n")
    p = build_plan(
        tree({"old/app.cfg": BODY}),
        tree({"new/app.cfg": moved}),
        tree({"old/app.cfg": edited}),
        ownership=lambda _: "merged",
        driver_for=sniff,
    )
    (e,) = p.entries
    expected = BODY.replace("line 1\n", "line one\n").replace(
        "line 18\n", "line eighteen\n"
    )
    assert (e.action, e.old_path, e.result) == (
        "rename",
        "old/app.cfg",
        FileEntry(expected.encode()),
    )


def test_real_yaml_story_blueprint_adds_a_step_user_adds_another() -> None:
    drivers = pytest.importorskip("synctool.merge.drivers")
    base = (
        "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        "      - name: test\n        run: make test\n"
    )
    lint = "      - name: lint\n        run: make lint\n"
    theirs = base.replace("      - name: test\n", lint + "      - name: test\n")
    deploy = "      - name: deploy  # ours\n        run: make deploy\n"
    path = ".github/workflows/ci.yml"
    p = build_plan(
        tree({path: base}),
        tree({path: theirs}),
        tree({path: base + deploy}),
        ownership=lambda _: "merged",
        driver_for=drivers.default_driver,
    )
    e = only(p, path)
    assert (e.action, e.conflicts) == ("merge", 0)
    assert e.result == FileEntry((theirs + deploy).encode())
