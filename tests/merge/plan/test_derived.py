"""Derived files (locks): never spliced; the plan says when to regenerate one."""

from __future__ import annotations

from synctool.merge.plan import Plan, build_plan
from synctool.merge.records import Regenerate
from synctool.tree import DerivedRule, default_rule

from . import FakeMerge, sniff, tree

PY1 = '[project]\ndependencies = ["fastapi"]\n'
PY2 = '[project]\ndependencies = ["fastapi", "uvicorn"]\n'  # blueprint adds one
PY_MINE = '[project]\ndependencies = ["fastapi", "httpx"]\n'  # team adds one
LOCK1 = "lock: fastapi\n"
LOCK2 = "lock: fastapi uvicorn\n"
LOCK_MINE = "lock: fastapi httpx\n"


def plan(
    base: dict[str, str], theirs: dict[str, str], ours: dict[str, str]
) -> tuple[Plan, FakeMerge]:
    fake = FakeMerge()
    p = build_plan(
        tree(base),
        tree(theirs),
        tree(ours),
        ownership=lambda path: "merged",
        driver_for=sniff,
        merge=fake,
        derived=default_rule,
    )
    return p, fake


def entry_of(p: Plan, path: str) -> tuple[str, bytes | None]:
    (e,) = (e for e in p.entries if e.path == path)
    return e.action, e.result.data if e.result else None


def test_lock_changed_on_both_sides_is_kept_not_merged() -> None:
    p, fake = plan(
        {"pyproject.toml": PY1, "uv.lock": LOCK1},
        {"pyproject.toml": PY2, "uv.lock": LOCK2},
        {"pyproject.toml": PY_MINE, "uv.lock": LOCK_MINE},
    )
    assert entry_of(p, "uv.lock") == ("keep", None)
    assert [call[0] for call in fake.calls] == ["text"]  # pyproject.toml only
    assert p.conflicts == ()
    assert p.regenerate == (
        Regenerate("uv.lock", ("pyproject.toml",), "uv lock", "", "yours"),
    )


def test_lock_taken_from_blueprint_but_team_dependency_merged_needs_relock() -> None:
    # The team added a dependency but never locked (1.0.0 shipped no lock).
    p, _ = plan(
        {"pyproject.toml": PY1},
        {"pyproject.toml": PY2, "uv.lock": LOCK2},
        {"pyproject.toml": PY_MINE},
    )
    assert entry_of(p, "uv.lock") == ("create", LOCK2.encode())
    assert p.regenerate == (
        Regenerate("uv.lock", ("pyproject.toml",), "uv lock", "", "blueprint"),
    )


def test_blueprint_release_taken_whole_is_up_to_date() -> None:
    p, _ = plan(
        {"pyproject.toml": PY1, "uv.lock": LOCK1},
        {"pyproject.toml": PY2, "uv.lock": LOCK2},
        {"pyproject.toml": PY1, "uv.lock": LOCK1},
    )
    assert entry_of(p, "uv.lock") == ("update", LOCK2.encode())
    assert entry_of(p, "pyproject.toml") == ("update", PY2.encode())
    assert p.regenerate == ()


def test_team_lock_kept_while_blueprint_changed_pyproject_needs_relock() -> None:
    # Only the blueprint changed pyproject.toml (say, a bound), not its lock.
    p, _ = plan(
        {"pyproject.toml": PY1, "uv.lock": LOCK1},
        {"pyproject.toml": PY2, "uv.lock": LOCK1},
        {"pyproject.toml": PY1, "uv.lock": LOCK_MINE},
    )
    assert entry_of(p, "uv.lock") == ("keep", None)
    assert p.regenerate == (
        Regenerate("uv.lock", ("pyproject.toml",), "uv lock", "", "yours"),
    )


def test_untouched_lock_and_sources_report_nothing() -> None:
    p, _ = plan(
        {"pyproject.toml": PY1, "uv.lock": LOCK1, "README": "a\n"},
        {"pyproject.toml": PY1, "uv.lock": LOCK1, "README": "b\n"},
        {"pyproject.toml": PY_MINE, "uv.lock": LOCK1, "README": "a\n"},
    )
    assert p.regenerate == ()  # a stale lock the sync did not make


def test_lock_in_a_subfolder_names_its_folder() -> None:
    p, _ = plan(
        {"web/package.json": "{}\n", "web/package-lock.json": "1\n"},
        {"web/package.json": '{"a": 1}\n', "web/package-lock.json": "2\n"},
        {"web/package.json": '{"b": 1}\n', "web/package-lock.json": "3\n"},
    )
    assert p.regenerate == (
        Regenerate(
            "web/package-lock.json",
            ("web/package.json",),
            "npm install --package-lock-only",
            "web",
            "yours",
        ),
    )


def test_without_rules_a_lock_is_merged_like_any_file() -> None:
    fake = FakeMerge()
    p = build_plan(
        tree({"uv.lock": LOCK1}),
        tree({"uv.lock": LOCK2}),
        tree({"uv.lock": LOCK_MINE}),
        ownership=lambda path: "merged",
        driver_for=sniff,
        merge=fake,
    )
    assert entry_of(p, "uv.lock")[0] == "merge"
    assert p.regenerate == ()


def test_policy_names_its_own_derived_files() -> None:
    from synctool.check import policy

    applied = policy.from_raw(
        {
            "derived": {
                "requirements.txt": {
                    "from": ["requirements.in"],
                    "command": "make lock",
                }
            }
        }
    )
    assert applied.derived_rule("requirements.txt") == DerivedRule(
        ("requirements.in",), "make lock"
    )
    assert applied.derived_rule("sub/uv.lock") == DerivedRule(
        ("pyproject.toml",), "uv lock"
    )
    assert applied.derived_rule("README.md") is None


def test_malformed_derived_policy_is_refused() -> None:
    import pytest

    from synctool.check import policy
    from synctool.errors import BlueprintError

    for bad in (
        ["uv.lock"],
        {"uv.lock": {"from": ["pyproject.toml"]}},
        {"uv.lock": {"from": [], "command": "uv lock"}},
        {"uv.lock": {"from": ["pyproject.toml"], "command": "  "}},
    ):
        with pytest.raises(BlueprintError, match="derived"):
            policy.from_raw({"derived": bad})


def test_entries_unchanged_by_rules_elsewhere() -> None:
    # The derived rule touches only lock files: a pyproject merge is the driver's.
    p, _ = plan(
        {"pyproject.toml": PY1, "uv.lock": LOCK1},
        {"pyproject.toml": PY2, "uv.lock": LOCK2},
        {"pyproject.toml": PY_MINE, "uv.lock": LOCK1},
    )
    action, data = entry_of(p, "pyproject.toml")
    assert action == "merge" and data is not None and data.startswith(b"merged(")
    # ours' lock was untouched: the blueprint's lock is taken, but the merged
    # pyproject is neither side's, so it must be regenerated.
    assert entry_of(p, "uv.lock") == ("update", LOCK2.encode())
    assert [r.kept for r in p.regenerate] == ["blueprint"]
