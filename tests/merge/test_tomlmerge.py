from __future__ import annotations

from synctool.merge.drivers import merge_content
from synctool.merge.types import Labels
from tests.merge.helpers import clean_toml as clean
from tests.merge.helpers import toml_merge as merge

PYPROJECT = """\
[project]
name = "svc"  # the service
dependencies = [
    "fastapi>=0.110",
    "uvicorn[standard]",  # server
]
keywords = ["api", "service"]

[tool.ruff]
line-length = 88
"""


def add_dependency(text: str, line: str) -> str:
    return text.replace("  # server\n", f"  # server\n    {line},\n")


def test_both_sides_append_dependencies_and_a_bump_is_taken() -> None:
    ours = add_dependency(PYPROJECT, '"sqlalchemy>=2"')
    theirs = add_dependency(PYPROJECT, '"httpx"').replace("0.110", "0.115")
    assert (
        clean(PYPROJECT, ours, theirs)
        == """\
[project]
name = "svc"  # the service
dependencies = [
    "fastapi>=0.115",
    "uvicorn[standard]",  # server
    "httpx",
    "sqlalchemy>=2",
]
keywords = ["api", "service"]

[tool.ruff]
line-length = 88
"""
    )


def test_a_dependency_changed_on_both_sides_falls_back_to_text() -> None:
    got = merge(
        PYPROJECT,
        add_dependency(PYPROJECT.replace("0.110", "0.111"), '"a"'),
        add_dependency(PYPROJECT.replace("0.110", "0.115"), '"b"'),
    )
    assert got.driver == "text"
    assert got.note == (
        "toml: merged as text (project.dependencies[fastapi] changed on both sides)"
    )
    assert got.conflicts == 2


def test_a_dependency_removed_here_and_bumped_there_is_not_decided() -> None:
    ours = add_dependency(PYPROJECT, '"a"').replace('    "fastapi>=0.110",\n', "")
    theirs = add_dependency(PYPROJECT, '"b"').replace("0.110", "0.115")
    got = merge(PYPROJECT, ours, theirs)
    assert got.driver == "text"
    assert "project.dependencies[fastapi] removed here, changed in the blueprint" in (
        got.note
    )


def test_dependencies_keep_ours_removals_and_take_theirs() -> None:
    base = '[project]\ndependencies = ["a", "b", "c"]\n'
    ours = '[project]\ndependencies = ["a", "c", "mine>=1"]\n'
    theirs = '[project]\ndependencies = ["a", "b", "c>=2", "new"]\n'
    assert clean(base, ours, theirs) == (
        '[project]\ndependencies = ["a", "c>=2", "new", "mine>=1"]\n'
    )


def test_strings_that_are_not_requirements_match_by_their_text() -> None:
    base = 'exclude = ["docs/a.md", "docs/b.md"]\nx = 1\n'
    ours = 'exclude = ["docs/a.md", "docs/b.md", "docs/c.md"]\nx = 1\n'
    theirs = 'exclude = ["docs/b.md", "docs/d.md"]\nx = 2\n'
    assert clean(base, ours, theirs) == (
        'exclude = ["docs/b.md", "docs/d.md", "docs/c.md"]\nx = 2\n'
    )


def test_new_tables_and_keys_go_where_theirs_has_them() -> None:
    base = "top = 1\n\n[project]\nname = 'svc'\nversion = '1'\n\n[tool.ruff]\nx = 1\n"
    ours = base.replace("top = 1\n", "top = 1\nmine = 2\n").replace(
        "version = '1'\n", "version = '1'\nlocal = true\n"
    )
    theirs = (
        base.replace("top = 1\n", "top = 1\nadded = 3\n")
        .replace("version = '1'\n", "version = '1'\nlicense = 'MIT'\n")
        .replace("x = 1\n", "x = 1\n\n[tool.mypy]\nstrict = true\n")
    )
    assert clean(base, ours, theirs) == (
        "top = 1\nadded = 3\nmine = 2\n\n"
        "[project]\nname = 'svc'\nversion = '1'\nlicense = 'MIT'\nlocal = true\n\n"
        "[tool.ruff]\nx = 1\n\n[tool.mypy]\nstrict = true\n"
    )


def test_arrays_of_tables_merge_by_identity_key() -> None:
    base = '[[tool.checks]]\nid = "lint"\nlevel = 1\n\n[[tool.checks]]\nid = "test"\nlevel = 1\n'
    ours = base.replace('"lint"\nlevel = 1', '"lint"\nlevel = 2') + (
        '\n[[tool.checks]]\nid = "mine"\n'
    )
    theirs = base.replace('"test"\nlevel = 1', '"test"\nlevel = 3') + (
        '\n[[tool.checks]]\nid = "types"\n'
    )
    assert clean(base, ours, theirs) == (
        '[[tool.checks]]\nid = "lint"\nlevel = 2\n\n'
        '[[tool.checks]]\nid = "test"\nlevel = 3\n\n'
        '[[tool.checks]]\nid = "types"\n\n'
        '[[tool.checks]]\nid = "mine"\n'
    )


def test_a_table_ours_changed_and_theirs_removed_is_not_decided() -> None:
    base = "[a]\nx = 1\n\n[b]\ny = 1\n"
    got = merge(base, base.replace("x = 1", "x = 2"), "[b]\ny = 2\n")
    assert (got.driver, got.note) == (
        "text",
        "toml: merged as text (a changed here, removed in the blueprint)",
    )


def test_types_count_one_is_not_true() -> None:
    got = merge("a = true\nb = 1\n", "a = 1\nb = 1\n", "a = true\nb = 2\n")
    assert got.data.decode() == "a = 1\nb = 2\n"
    assert merge("a = true\n", "a = 1\n", "a = 'true'\n").driver == "text"


def test_unparsable_toml_merges_as_text() -> None:
    got = merge("a = 1\n", "a = [\n", "a = 2\n")
    assert got.driver == "text"
    assert (
        got.note == "toml: merged as text (the service's file does not parse as TOML)"
    )


def test_both_sides_adding_the_file_merge_against_nothing() -> None:
    assert clean("", "a = 1\nb = 2\n", "a = 1\nc = 3\n") == "a = 1\nc = 3\nb = 2\n"


def test_the_same_package_twice_matches_by_the_whole_string() -> None:
    base = '[project]\ndependencies = ["tomli>=1; python_version<\'3.11\'", "a"]\n'
    ours = base.replace('"a"', '"a", "mine"')
    theirs = base.replace('"a"', '"a", "tomli>=2; python_version>=\'3.11\'"')
    assert clean(base, ours, theirs) == (
        '[project]\ndependencies = ["tomli>=1; python_version<\'3.11\'", "a", '
        '"tomli>=2; python_version>=\'3.11\'", "mine"]\n'
    )


def test_arrays_of_tables_without_identity_are_not_matched_by_position() -> None:
    base = "[[x]]\na = 1\n\n[[x]]\na = 2\n"
    got = merge(base, base.replace("a = 1", "a = 9"), "[[x]]\na = 2\n\n[[x]]\na = 3\n")
    assert got.driver == "text"
    assert (
        got.note
        == "toml: merged as text (x: array changed on both sides, no identity key)"
    )


def test_a_comment_stays_above_its_key_when_a_new_key_cannot_go_before_it() -> None:
    base = "[p]\na = 1\n# about b\nb = 2\n\n[q]\nx = 1\n"
    ours = base.replace("a = 1\n", "a = 1\nown = 0\n")
    theirs = base.replace("a = 1\n", "a = 1\nnew = 5\n")
    assert clean(base, ours, theirs) == (
        "[p]\na = 1\nown = 0\n# about b\nb = 2\nnew = 5\n\n[q]\nx = 1\n"
    )


def test_tables_both_sides_added_after_the_same_table_get_one_blank_line() -> None:
    base = '[project]\nname = "svc"\n\n[tool.ruff]\nline-length = 88\n'
    ours = base + '\n[tool.pytest.ini_options]\naddopts = "-q"\n'
    theirs = base + "\n[tool.mypy]\nstrict = true\n"
    assert clean(base, ours, theirs) == (
        '[project]\nname = "svc"\n\n[tool.ruff]\nline-length = 88\n\n'
        '[tool.mypy]\nstrict = true\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'
    )


MARKED = b"""[project]
dependencies = [
  "numpy>=1.24; python_version < '3.12'",
  "numpy>=1.26; python_version >= '3.12'",
  "fastapi>=0.100",
]
"""


def test_a_package_listed_per_marker_is_one_pin_per_marker() -> None:
    """The same pin changed both ways is a conflict, never two pins."""
    ours = MARKED.replace(b"numpy>=1.26", b"numpy>=1.26.4")
    theirs = MARKED.replace(b"numpy>=1.26", b"numpy>=2.0")
    got = merge_content("toml", MARKED, ours, theirs, Labels())
    assert got.conflicts == 1
    assert got.data.count(b"python_version >= '3.12'") == 3  # ours, base, theirs
    assert b"<<<<<<< " in got.data


def test_pins_of_one_package_under_different_markers_merge() -> None:
    ours = MARKED.replace(b"numpy>=1.26", b"numpy>=1.26.4")
    theirs = MARKED.replace(b"numpy>=1.24", b"numpy>=1.25")
    got = merge_content("toml", MARKED, ours, theirs, Labels())
    assert got.conflicts == 0
    assert got.data == MARKED.replace(b"numpy>=1.26", b"numpy>=1.26.4").replace(
        b"numpy>=1.24", b"numpy>=1.25"
    )
