from __future__ import annotations

import pytest

from synctool.merge.drivers import run_driver
from synctool.merge.types import Labels
from synctool.merge.yaml import guess_layout
from tests.merge.helpers import LABELS
from tests.merge.helpers import clean_yaml as clean
from tests.merge.helpers import yaml_merge as merge

WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Checkout
        uses: actions/checkout@v4
      - name: Test
        run: pytest
"""

DEPLOY = "      - name: Deploy\n        run: ./deploy.sh  # ours\n"


def test_blueprint_step_after_checkout_and_user_step_at_the_end() -> None:
    theirs = WORKFLOW.replace(
        "      - name: Test\n",
        "      - name: Lint\n        run: ruff check .\n      - name: Test\n",
    )
    assert clean(WORKFLOW, WORKFLOW + DEPLOY, theirs) == (
        WORKFLOW.replace(
            "      - name: Test\n",
            "      - name: Lint\n        run: ruff check .\n      - name: Test\n",
        )
        + DEPLOY
    )


def test_both_append_a_step_where_lines_conflict() -> None:
    theirs = WORKFLOW + "      - name: Coverage\n        run: coverage report\n"
    # The blueprint's step follows the step it follows in the blueprint.
    assert clean(WORKFLOW, WORKFLOW + DEPLOY, theirs) == (
        WORKFLOW + "      - name: Coverage\n        run: coverage report\n" + DEPLOY
    )


def test_comments_stay_with_the_steps_they_describe() -> None:
    base = """\
steps:
  - name: Checkout
    uses: actions/checkout@v4
  # Run the suite
  - name: Test
    run: pytest
"""
    ours = """\
steps:
  - name: Checkout
    uses: actions/checkout@v4
  # Run the suite (with coverage)
  - name: Test
    run: pytest --cov
  # Ship it
  - name: Deploy
    run: ./deploy
"""
    theirs = """\
steps:
  - name: Checkout
    uses: actions/checkout@v4
  # Lint first
  - name: Lint
    run: ruff check .
  # Run the suite
  - name: Test
    run: pytest
  # Coverage report
  - name: Coverage
    run: coverage report
"""
    assert (
        clean(base, ours, theirs)
        == """\
steps:
  - name: Checkout
    uses: actions/checkout@v4
  # Lint first
  - name: Lint
    run: ruff check .
  # Run the suite (with coverage)
  - name: Test
    run: pytest --cov
  # Coverage report
  - name: Coverage
    run: coverage report
  # Ship it
  - name: Deploy
    run: ./deploy
"""
    )


def test_a_step_changed_on_both_sides_merges_inside_the_step() -> None:
    base = "steps:\n- name: Test\n  run: pytest\n  env: {A: '1'}\n"
    ours = "steps:\n- name: Test\n  run: pytest -x\n  env: {A: '1'}\n"
    theirs = "steps:\n- name: Test\n  run: pytest\n  env: {A: '2'}\n"
    assert clean(base, ours, theirs) == (
        "steps:\n- name: Test\n  run: pytest -x\n  env: {A: '2'}\n"
    )


def test_the_same_value_changed_differently_is_a_conflict_on_that_key() -> None:
    got = merge(
        WORKFLOW,
        WORKFLOW.replace("run: pytest", "run: pytest -x"),
        WORKFLOW.replace("run: pytest", "run: pytest -q"),
    )
    assert got.driver == "yaml"
    assert got.note == "yaml: jobs.test.steps[Test].run changed on both sides"
    assert got.conflicts == 1
    assert got.data.decode() == WORKFLOW.replace(
        "        run: pytest\n",
        "<<<<<<< ours\n        run: pytest -x\n||||||| base\n        run: pytest\n"
        "=======\n        run: pytest -q\n>>>>>>> theirs\n",
    )


def test_a_step_changed_here_and_removed_in_the_blueprint_is_a_conflict() -> None:
    ours = WORKFLOW.replace("run: pytest", "run: pytest -x")
    theirs = WORKFLOW.replace("      - name: Test\n        run: pytest\n", "")
    got = merge(WORKFLOW, ours, theirs)
    assert got.driver == "yaml"
    assert got.note == (
        "yaml: jobs.test.steps[Test] changed here, removed in the blueprint"
    )
    assert got.conflicts == 1
    assert got.data.decode() == WORKFLOW.replace(
        "      - name: Test\n        run: pytest\n",
        "<<<<<<< ours\n      - name: Test\n        run: pytest -x\n"
        "||||||| base\n      - name: Test\n        run: pytest\n"
        "=======\n>>>>>>> theirs\n",
    )


def test_a_key_deleted_by_the_blueprint_keeps_the_users_comment_below_it() -> None:
    base = "a: 1\n# about b\nb: 2\nc: 3\n"
    ours = "a: 1\n# about b (edited)\nb: 2\nc: 3\n"
    theirs = "# about b\nb: 2\nc: 4\n"
    assert clean(base, ours, theirs) == "# about b (edited)\nb: 2\nc: 4\n"


def test_new_keys_come_with_their_comments_and_quoting() -> None:
    base = "a: 'x'\nb: 2\n"
    ours = "a: 'x'\nb: 2\nmine: 1\n"
    theirs = "a: 'x'\nb: 2\n# the new thing\nnew: \"3\"  # eol\n"
    assert clean(base, ours, theirs) == (
        "a: 'x'\nb: 2\n# the new thing\nnew: \"3\"  # eol\nmine: 1\n"
    )


def test_scalar_lists_merge_as_sets_in_ours_order() -> None:
    base = "branches: [main, develop]\npython:\n  - '3.10'\n  - '3.11'\n"
    ours = "branches: [main, develop, release]\npython:\n  - '3.10'\n  - '3.11'\n  - '3.13'\n"
    theirs = "branches: [main]\npython:\n  - '3.11'\n  - '3.12'\n"
    assert clean(base, ours, theirs) == (
        "branches: [main, release]\npython:\n  - '3.11'\n  - '3.12'\n  - '3.13'\n"
    )


def test_multi_document_files_merge_document_by_document() -> None:
    base = "kind: Service\nmetadata:\n  name: svc\n---\nkind: Deployment\nspec:\n  replicas: 1\n"
    ours = base.replace("replicas: 1", "replicas: 3").replace(
        "name: svc", "name: svc\n  labels:\n    team: a"
    )
    theirs = base.replace("name: svc", "name: svc\n  labels:\n    app: svc").replace(
        "replicas: 1\n", "replicas: 1\n  strategy: {}\n"
    )
    assert clean(base, ours, theirs) == (
        "kind: Service\nmetadata:\n  name: svc\n  labels:\n    app: svc\n    team: a\n"
        "---\nkind: Deployment\nspec:\n  replicas: 3\n  strategy: {}\n"
    )


def test_a_changed_number_of_documents_merges_document_by_document() -> None:
    assert clean("a: 1\n", "a: 2\n", "a: 1\n---\nb: 1\n") == "a: 2\n---\nb: 1\n"


def test_the_same_key_added_in_two_places_is_one_key() -> None:
    # Lines merge cleanly into a file with the key twice, which is no YAML.
    base = "a: 1\nb: 2\nc: 3\nd: 4\n"
    ours = "timeout: 5\n" + base
    theirs = base + "timeout: 5\n"
    assert clean(base, ours, theirs) == ours


def test_kubernetes_layout_with_dashes_at_the_key_column_is_kept() -> None:
    base = "spec:\n  containers:\n  - name: app\n    image: app:1\n"
    ours = (
        base
        + "    env:\n    - name: A\n      value: '1'\n  - name: sidecar\n    image: side:1\n"
    )
    theirs = base.replace("app:1", "app:2") + "  - name: metrics\n    image: m:1\n"
    assert clean(base, ours, theirs) == (
        "spec:\n  containers:\n  - name: app\n    image: app:2\n"
        "    env:\n    - name: A\n      value: '1'\n"
        "  - name: metrics\n    image: m:1\n  - name: sidecar\n    image: side:1\n"
    )


def test_parts_of_ours_ruamel_would_rewrite_are_left_as_they_are() -> None:
    base = "name:   CI\nenv:\n    A: 1\nsteps:\n  - name: Test\n    run: pytest\n"
    ours = base + "  - name: Deploy\n    run: ./deploy\n"
    theirs = base + "  - name: Lint\n    run: ruff\n"
    assert clean(base, ours, theirs) == (
        base + "  - name: Lint\n    run: ruff\n  - name: Deploy\n    run: ./deploy\n"
    )


def test_the_blueprint_reordering_a_list_is_a_conflict_on_that_list() -> None:
    base = "steps:\n- name: A\n- name: B\n- name: C\n"
    ours = base + "- name: D\n"
    theirs = "steps:\n- name: B\n- name: A\n- name: C\n- name: E\n"
    got = merge("on: push\n" + base, "on: push\n" + ours, "on: pull\n" + theirs)
    assert (got.driver, got.conflicts) == ("yaml", 1)
    assert got.note == "yaml: steps: items were reordered"
    assert got.data.decode() == (
        "on: pull\nsteps:\n<<<<<<< ours\n"
        + ours.split("\n", 1)[1]
        + "||||||| base\n"
        + base.split("\n", 1)[1]
        + "=======\n"
        + theirs.split("\n", 1)[1]
        + ">>>>>>> theirs\n"
    )


def test_lists_of_mappings_without_an_identity_key_are_not_matched_by_position() -> (
    None
):
    # Theirs dropped the first item and appended one; ours edited the first.
    # By position, ours' edit would land in the wrong item without a word.
    # (Three fields each: an item with one of two fields changed is as much
    # another item as the same one, and is not paired.)
    base = "x:\n- {a: 1, b: 1, c: 1}\n- {a: 2, b: 1, c: 1}\n"
    ours = "x:\n- {a: 1, b: 9, c: 1}\n- {a: 2, b: 1, c: 1}\n"
    theirs = "x:\n- {a: 2, b: 1, c: 1}\n- {a: 3, b: 1, c: 1}\n"
    got = merge(base, ours, theirs)
    assert (got.driver, got.conflicts) == ("yaml", 1)
    assert got.note == "yaml: x[0] changed here, removed in the blueprint"
    assert got.data.decode() == (
        "x:\n<<<<<<< ours\n- {a: 1, b: 9, c: 1}\n||||||| base\n"
        "- {a: 1, b: 1, c: 1}\n=======\n>>>>>>> theirs\n"
        "- {a: 2, b: 1, c: 1}\n- {a: 3, b: 1, c: 1}\n"
    )


def test_identity_keys_come_from_the_policy() -> None:
    base = "rules:\n- id: r1\n  level: warn\n- id: r2\n  level: warn\n"
    ours = base.replace("warn\n- id: r2", "error\n- id: r2") + "- id: mine\n"
    theirs = base + "- id: r3\n  level: warn\n"
    assert clean(base, ours, theirs) == (
        "rules:\n- id: r1\n  level: error\n- id: r2\n  level: warn\n"
        "- id: r3\n  level: warn\n- id: mine\n"
    )
    # Without the key, the items are told apart by their content.
    assert merge(base, ours, theirs, keys=("rule",)) == merge(base, ours, theirs)


def test_types_count_a_string_true_is_not_a_boolean_true() -> None:
    got = merge("a: true\nb: 1\n", "a: 'true'\nb: 1\n", "a: true\nb: 2\n")
    assert got.data.decode() == "a: 'true'\nb: 2\n"
    got = merge("a: true\n", "a: 'true'\n", "a: 1\n")
    assert got.conflicts == 1


@pytest.mark.parametrize(
    ("ours", "note"),
    [
        ("a: [1\n", "yaml: merged as text (the service's file does not parse as YAML)"),
        (
            "x: &a 1\ny: *a\n",
            "yaml: merged as text (the service's file uses anchors or aliases)",
        ),
        ("# only a comment\n", "yaml: merged as text (a side holds no YAML document)"),
    ],
)
def test_files_the_structure_cannot_handle_merge_as_text(ours: str, note: str) -> None:
    got = merge("a: 1\n", ours, "a: 2\n")
    assert (got.driver, got.note) == ("text", note)


def test_both_sides_adding_the_file_merge_against_nothing() -> None:
    assert clean("", "a: 1\nb: 2\n", "a: 1\nc: 3\n") == "a: 1\nc: 3\nb: 2\n"
    got = merge("", "a: 1\nb: 1\n", "a: 2\nb: 1\n")
    assert (got.driver, got.note, got.conflicts) == (
        "yaml",
        "yaml: a changed on both sides",
        1,
    )
    assert got.data.decode() == (
        "<<<<<<< ours\na: 1\n||||||| base\n=======\na: 2\n>>>>>>> theirs\nb: 1\n"
    )


def test_not_utf8_merges_as_text() -> None:
    got = run_driver("yaml", b"a: 1\n", b"a: \xff\n", b"a: 2\n", LABELS)
    assert (got.driver, got.note) == ("text", "yaml: merged as text (not UTF-8)")


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        (WORKFLOW, (2, 4, 2)),
        ("spec:\n  containers:\n  - name: a\n    env:\n    - x\n", (2, 2, 0)),
        ("a:\n    b:\n        c: 1\n", (4, 4, 0)),
        ("a: 1\n", (2, 2, 0)),
        ("- a\n- b\n", (2, 2, 0)),
    ],
)
def test_guess_layout(text: str, layout: tuple[int, int, int]) -> None:
    assert guess_layout(text) == layout


RUN_BASE = b"""jobs:
  test:
    steps:
      - name: Test
        run: |
          uv sync --locked
          uv run ruff check .
          uv run mypy
          uv run pytest
"""


def test_a_block_scalar_edited_on_different_lines_merges_as_text() -> None:
    from synctool.merge.drivers import merge_content

    ours = RUN_BASE.replace(b"uv sync --locked", b"uv sync --locked --all-extras")
    theirs = RUN_BASE.replace(b"uv run pytest", b"uv run pytest --cov")
    got = merge_content("yaml", RUN_BASE, ours, theirs, Labels())
    assert got.conflicts == 0, got
    assert got.data == RUN_BASE.replace(
        b"uv sync --locked", b"uv sync --locked --all-extras"
    ).replace(b"uv run pytest", b"uv run pytest --cov")


def test_a_block_scalar_line_changed_both_ways_is_still_a_conflict() -> None:
    from synctool.merge.drivers import merge_content

    ours = RUN_BASE.replace(b"uv run mypy", b"uv run mypy --strict")
    theirs = RUN_BASE.replace(b"uv run mypy", b"uv run mypy src")
    got = merge_content("yaml", RUN_BASE, ours, theirs, Labels())
    assert got.conflicts >= 1
    assert b"uv run mypy --strict" in got.data and b"uv run mypy src" in got.data
