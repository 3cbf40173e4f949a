"""The structural YAML merge under real conditions (issue #10).

A clean result is valid YAML that holds both sides' changes; anything the
two sides changed differently is a conflict the user sees, around just the
lines concerned, never a silent pick, a duplicate or a misaligned item.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests.helpers import git, make_blueprint, run_cli
from tests.merge.helpers import clean_yaml, file_merge
from tests.merge.helpers import yaml_merge as merge


def clean(base: str, ours: str, theirs: str) -> str:
    text = clean_yaml(base, ours, theirs)
    list(YAML(typ="rt").load_all(text))  # valid, no key twice
    return text


def conflict(ours: str, base: str, theirs: str) -> str:
    return f"<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}>>>>>>> theirs\n"


def sides(text: str, side: str) -> str:
    """The file as it reads once every conflict is resolved to ``side``."""
    out, keep = [], True
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<< "):
            keep = side == "ours"
        elif line.startswith("||||||| "):
            keep = side == "base"
        elif line == "=======\n":
            keep = side == "theirs"
        elif line.startswith(">>>>>>> "):
            keep = True
        elif keep:
            out.append(line)
    return "".join(out)


def data(text: str) -> Any:
    return list(YAML(typ="safe").load_all(text))


# 1. Never an invalid or duplicated clean result.


def test_the_same_key_added_with_different_values_is_a_conflict_not_two_keys() -> None:
    base = "a: 1\nb: 2\nc: 3\nd: 4\n"
    got = merge(base, "timeout: 5\n" + base, base + "timeout: 6\n")
    assert (got.conflicts, got.driver) == (1, "yaml")
    assert got.data.decode() == conflict("timeout: 5\n", "", "timeout: 6\n") + base


def test_a_text_fallback_that_would_repeat_a_key_is_a_conflict() -> None:
    # Anchors send the file to the line merge; its clean answer has ``t`` twice.
    base = "x: &a 1\ny: *a\nb: 2\nc: 3\nd: 4\n"
    got = merge(base, "t: 5\n" + base, base + "t: 6\n")
    assert got.conflicts == 1
    assert got.data.decode() == conflict("t: 5\n" + base, base, base + "t: 6\n")


# 2. Scalar lists are sequences.


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("fastapi==0.110", "fastapi==0.111"),
        ("fastapi>=0.110", "fastapi~=0.111"),
        ("fastapi[all]==0.109", "fastapi==0.111"),
    ],
)
def test_a_package_pinned_differently_on_both_sides_is_a_conflict(
    ours: str, theirs: str
) -> None:
    base = "deps:\n  - fastapi==0.109\n  - uvicorn\nother: 1\n"
    got = merge(
        base,
        base.replace("fastapi==0.109", ours),
        base.replace("fastapi==0.109", theirs).replace("other: 1", "other: 2"),
    )
    assert (got.conflicts, got.driver) == (1, "yaml")
    assert got.data.decode() == (
        "deps:\n"
        + conflict(f"  - {ours}\n", "  - fastapi==0.109\n", f"  - {theirs}\n")
        + "  - uvicorn\nother: 2\n"
    )


def test_a_pin_bumped_on_one_side_and_a_package_added_on_the_other_merge() -> None:
    base = "deps:\n  - fastapi==0.109\n  - uvicorn\n"
    ours = base.replace("0.109", "0.110")
    theirs = base + "  - httpx\n"
    assert clean(base, ours, theirs) == (
        "deps:\n  - fastapi==0.110\n  - uvicorn\n  - httpx\n"
    )


def test_a_compose_variable_changed_on_both_sides_is_a_conflict() -> None:
    base = "environment:\n  - LOG_LEVEL=info\n  - PORT=8000\n"
    ours = base.replace("info", "debug") + "  - MINE=1\n"
    theirs = base.replace("info", "warning") + "  - NEW=1\n"
    got = merge(base, ours, theirs)
    assert (got.conflicts, got.driver) == (1, "yaml")
    assert sides(got.data.decode(), "ours") == (
        "environment:\n  - LOG_LEVEL=debug\n  - PORT=8000\n  - NEW=1\n  - MINE=1\n"
    )
    assert "<<<<<<< ours\n  - LOG_LEVEL=debug\n" in got.data.decode()
    assert "=======\n  - LOG_LEVEL=warning\n>>>>>>> theirs\n" in got.data.decode()


def test_a_compose_variable_changed_on_one_side_is_taken_in_place() -> None:
    base = "environment:\n  - LOG_LEVEL=info\n  - PORT=8000\n"
    ours = base.replace("info", "debug") + "  - MINE=1\n"
    theirs = base.replace("8000", "8080") + "  - NEW=1\n"
    assert clean(base, ours, theirs) == (
        "environment:\n  - LOG_LEVEL=debug\n  - PORT=8080\n  - NEW=1\n  - MINE=1\n"
    )


@pytest.mark.parametrize("flow", [True, False])
def test_an_argument_changed_differently_on_both_sides_is_a_conflict(
    flow: bool,
) -> None:
    def doc(*argv: str) -> str:
        if flow:
            return "command: [" + ", ".join(argv) + "]\nx: 1\n"
        return "command:\n" + "".join(f"  - {a}\n" for a in argv) + "x: 1\n"

    base = doc("uvicorn", "app:app", "--port", "'8000'")
    got = merge(
        base,
        doc("uvicorn", "app:app", "--port", "'9000'"),
        doc("uvicorn", "app:app", "--port", "'8080'").replace("x: 1", "x: 2"),
    )
    assert got.conflicts == 1
    assert got.driver == "yaml"
    text = got.data.decode()
    assert text.endswith("x: 2\n")
    assert data(sides(text, "ours")) == [
        {"command": ["uvicorn", "app:app", "--port", "9000"], "x": 2}
    ]
    assert data(sides(text, "theirs")) == [
        {"command": ["uvicorn", "app:app", "--port", "8080"], "x": 2}
    ]


def test_an_argument_changed_on_one_side_keeps_its_place() -> None:
    base = "command: [uvicorn, app:app, --port, '8000']\n"
    ours = "command: [uvicorn, app:app, --port, '9000']\n"
    theirs = "command: [uvicorn, app:app, --port, '8000', --reload]\n"
    assert clean(base, ours, theirs) == (
        "command: [uvicorn, app:app, --port, '9000', --reload]\n"
    )


def test_both_sides_appending_different_values_of_one_flag_is_a_conflict() -> None:
    base = "command:\n- uvicorn\n- app:app\n"
    got = merge(base, base + "- --port\n- '9000'\n", base + "- --port\n- '8080'\n")
    assert got.conflicts == 1
    assert "- '9000'\n" not in sides(got.data.decode(), "theirs")


# 3. An item moved by both sides appears once.


def test_a_scalar_moved_differently_by_both_sides_is_a_conflict_not_a_copy() -> None:
    base = "x:\n- a\n- b\n- c\n- d\n"
    got = merge(base, "x:\n- d\n- a\n- b\n- c\n", "x:\n- a\n- d\n- b\n- c\n")
    assert (got.conflicts, got.driver) == (1, "yaml")
    for side in ("ours", "theirs"):
        assert data(sides(got.data.decode(), side))[0]["x"].count("d") == 1


def test_a_step_moved_differently_by_both_sides_is_a_conflict_not_a_copy() -> None:
    base = "steps:\n- name: A\n- name: B\n- name: C\n"
    ours = "steps:\n- name: C\n- name: A\n- name: B\n"
    theirs = "steps:\n- name: A\n- name: C\n- name: B\n"
    got = merge(base, ours, theirs)
    assert (got.conflicts, got.driver) == (1, "yaml")
    for side in ("ours", "theirs"):
        names = [s["name"] for s in data(sides(got.data.decode(), side))[0]["steps"]]
        assert sorted(names) == ["A", "B", "C"]


def test_an_item_moved_the_same_way_by_both_sides_appears_once() -> None:
    base = "x:\n- a\n- b\n- c\n- d\n"
    ours = "x:\n- d\n- a\n- b\n- c\n- mine\n"
    theirs = "x:\n- d\n- a\n- b\n- c\n- new\n"
    assert clean(base, ours, theirs) == "x:\n- d\n- a\n- b\n- c\n- new\n- mine\n"


# 4. Documents match by identity.

SVC = "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  port: 80\n"
DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n"
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  A: '1'\n"


def test_a_document_inserted_by_one_side_does_not_misalign_the_others() -> None:
    base = SVC + "---\n" + DEPLOY
    ours = SVC + "---\n" + DEPLOY.replace("replicas: 1", "replicas: 3")
    theirs = CONFIG + "---\n" + SVC.replace("port: 80", "port: 8080") + "---\n" + DEPLOY
    assert clean(base, ours, theirs) == (
        CONFIG
        + "---\n"
        + SVC.replace("port: 80", "port: 8080")
        + "---\n"
        + DEPLOY.replace("replicas: 1", "replicas: 3")
    )


def test_a_document_removed_by_one_side_and_one_added_by_the_other() -> None:
    base = SVC + "---\n" + DEPLOY
    ours = SVC + "---\n" + DEPLOY.replace("replicas: 1", "replicas: 3")
    ours += "---\n" + CONFIG
    theirs = DEPLOY
    assert clean(base, ours, theirs) == (
        DEPLOY.replace("replicas: 1", "replicas: 3") + "---\n" + CONFIG
    )


def test_documents_without_names_are_matched_by_content() -> None:
    one, two = "a: 1\nb: 2\ne: 5\n", "c: 3\nd: 4\nf: 6\n"
    base = one + "---\n" + two
    ours = "x: 0\n---\n" + one.replace("e: 5", "e: 50") + "---\n" + two
    theirs = one.replace("a: 1", "a: 10") + "---\n" + two.replace("d: 4", "d: 40")
    assert clean(base, ours, theirs) == (
        "x: 0\n---\na: 10\nb: 2\ne: 50\n---\nc: 3\nd: 40\nf: 6\n"
    )


# 5. Items without an identity key are matched by content.


def test_items_without_an_identity_key_are_aligned_by_content() -> None:
    base = (
        "ports:\n- port: 80\n  target: 8080\n  protocol: TCP\n"
        "- port: 443\n  target: 8443\n  protocol: TCP\n"
    )
    ours = (
        base.replace("8443", "9443") + "- port: 9000\n  target: 9000\n  protocol: UDP\n"
    )
    theirs = (
        "ports:\n- port: 81\n  target: 8081\n  protocol: TCP\n"
        + base.split("\n", 1)[1].replace("port: 80\n", "port: 8000\n")
        + "- port: 9100\n  target: 9100\n  protocol: TCP\n"
    )
    assert clean(base, ours, theirs) == (
        "ports:\n- port: 81\n  target: 8081\n  protocol: TCP\n"
        "- port: 8000\n  target: 8080\n  protocol: TCP\n"
        "- port: 443\n  target: 9443\n  protocol: TCP\n"
        "- port: 9100\n  target: 9100\n  protocol: TCP\n"
        "- port: 9000\n  target: 9000\n  protocol: UDP\n"
    )


# 6. A clash is a conflict on that key only.

WORKFLOW = """\
name: CI
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: Checkout
        uses: actions/checkout@v4
      - name: Test
        run: pytest
"""


def test_a_value_changed_differently_is_a_conflict_on_that_key_only() -> None:
    ours = WORKFLOW.replace("run: pytest", "run: pytest -x")
    ours += "      - name: Deploy\n        run: ./deploy\n"
    theirs = WORKFLOW.replace("run: pytest", "run: pytest -q")
    theirs = theirs.replace("ubuntu-latest", "ubuntu-24.04")
    theirs += "      - name: Coverage\n        run: coverage report\n"
    got = merge(WORKFLOW, ours, theirs)
    assert (got.conflicts, got.driver) == (1, "yaml")
    assert got.note == "yaml: jobs.test.steps[Test].run changed on both sides"
    assert got.data.decode() == (
        WORKFLOW.replace("ubuntu-latest", "ubuntu-24.04").replace(
            "        run: pytest\n",
            conflict(
                "        run: pytest -x\n",
                "        run: pytest\n",
                "        run: pytest -q\n",
            ),
        )
        + "      - name: Coverage\n        run: coverage report\n"
        + "      - name: Deploy\n        run: ./deploy\n"
    )


def test_two_clashes_are_two_conflicts_and_the_rest_merges() -> None:
    base = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n"
    ours = "a: 10\nb: 2\nc: 30\nd: 4\ne: 5\nmine: 1\n"
    theirs = "a: 11\nb: 2\nc: 31\nd: 4\ne: 50\n"
    got = merge(base, ours, theirs)
    assert (got.conflicts, got.driver) == (2, "yaml")
    assert got.data.decode() == (
        conflict("a: 10\n", "a: 1\n", "a: 11\n")
        + "b: 2\n"
        + conflict("c: 30\n", "c: 3\n", "c: 31\n")
        + "d: 4\ne: 50\nmine: 1\n"
    )


def test_a_key_changed_here_and_removed_there_is_a_conflict_on_that_key() -> None:
    base = "a: 1\nb: 2\nc: 3\n"
    got = merge(base, "a: 1\nb: 20\nc: 3\nmine: 1\n", "a: 1\nc: 3\nnew: 1\n")
    assert got.conflicts == 1
    assert got.data.decode() == (
        "a: 1\n" + conflict("b: 20\n", "b: 2\n", "") + "c: 3\nnew: 1\nmine: 1\n"
    )


def test_comments_and_quoting_of_ours_survive_a_localized_conflict() -> None:
    base = "# top\nname: 'svc'  # the name\nport: 80\nlevel: info\n"
    ours = "# top (ours)\nname: 'svc'  # the name\nport: 81\nlevel: info\n"
    theirs = "# top\nname: 'svc'  # the name\nport: 82\nlevel: warn\n"
    got = merge(base, ours, theirs)
    assert got.conflicts == 1
    assert got.data.decode() == (
        "# top (ours)\nname: 'svc'  # the name\n"
        + conflict("port: 81\n", "port: 80\n", "port: 82\n")
        + "level: warn\n"
    )


# The laws still hold.


def dump(tree: Any) -> str:
    out = io.StringIO()
    YAML(typ="rt").dump(tree, out)
    return out.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        SVC + "---\n" + DEPLOY,
        "command: [a, b, c]\nenv:\n- A=1\n- B=2\ndeps:\n- x==1\n- y>=2\n",
        "x:\n- {a: 1, b: 2}\n- {a: 3}\n",
    ],
)
def test_one_side_only_is_taken_exactly(text: str) -> None:
    other = text.replace("1", "7")
    assert merge(text, other, text).data.decode() == other
    assert merge(text, text, other).data.decode() == other
    assert merge(text, other, other).data.decode() == other


# Through ``synctool update``, on a real service.

COPIER = "service_name:\n  type: str\n  default: svc\n"
COMPOSE = (
    "services:\n  app:\n    image: svc:1\n    environment:\n"
    "      - LOG_LEVEL=info\n      - PORT=8000\n"
)


def test_update_merges_manifests_by_name_and_marks_only_the_clash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = {
        "copier.yml": COPIER,
        "k8s.yaml": SVC + "---\n" + DEPLOY,
        "compose.yml": COMPOSE,
    }
    v2 = {
        "copier.yml": COPIER,
        "k8s.yaml": CONFIG
        + "---\n"
        + SVC.replace("port: 80", "port: 8080")
        + "---\n"
        + DEPLOY,
        "compose.yml": COMPOSE.replace("LOG_LEVEL=info", "LOG_LEVEL=warning").replace(
            "svc:1", "svc:2"
        ),
    }
    bp = make_blueprint(tmp_path / "bp", {"v1.0.0": v1})
    svc = tmp_path / "svc"
    assert (
        run_cli(capsys, "init", str(svc), "--blueprint", str(bp), "--defaults").code
        == 0
    )
    (svc / "k8s.yaml").write_text(
        SVC + "---\n" + DEPLOY.replace("replicas: 1", "replicas: 3")
    )
    (svc / "compose.yml").write_text(
        COMPOSE.replace("LOG_LEVEL=info", "LOG_LEVEL=debug")
    )
    git(svc, "add", "-A")
    git(svc, "commit", "-qm", "Local edits")
    make_blueprint(bp, {"v1.1.0": v2})

    result = run_cli(capsys, "update", str(svc))

    assert result.code == 1, result.out + result.err
    assert (svc / "k8s.yaml").read_text() == (
        CONFIG
        + "---\n"
        + SVC.replace("port: 80", "port: 8080")
        + "---\n"
        + DEPLOY.replace("replicas: 1", "replicas: 3")
    )
    assert (svc / "compose.yml").read_text() == (
        "services:\n  app:\n    image: svc:2\n    environment:\n"
        "<<<<<<< service (working tree)\n      - LOG_LEVEL=debug\n"
        "||||||| blueprint 1.0.0\n      - LOG_LEVEL=info\n"
        "=======\n      - LOG_LEVEL=warning\n"
        ">>>>>>> blueprint 1.1.0\n      - PORT=8000\n"
    )
    assert "compose.yml" in result.out + result.err


# Generated: clashes anywhere, the result is never a silent pick.

MISSING: Any = object()
KEYS = st.sampled_from(list("abcde"))
LEAVES = st.one_of(
    st.integers(0, 3),
    st.sampled_from(["x", "y", "true"]),
    st.lists(st.sampled_from(["p", "q", "r", "s"]), max_size=4),
)
TREES = st.recursive(
    LEAVES,
    lambda inner: st.dictionaries(KEYS, inner, min_size=1, max_size=3),
    max_leaves=8,
)


class Clash(Exception):
    """The reference merge meets a place both sides changed differently."""


class Lists(Exception):
    """Both sides changed one list: the driver merges it item by item."""


def reference(base: Any, ours: Any, theirs: Any, pick: str = "") -> Any:
    """The three-way merge of plain data; a clash takes ``pick``'s side."""
    if ours == theirs or base == theirs:
        return ours
    if base == ours:
        return theirs
    if all(isinstance(x, dict) for x in (ours, theirs)) and (
        base is MISSING or isinstance(base, dict)
    ):
        base = {} if base is MISSING else base
        out = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            sides = (d.get(key, MISSING) for d in (base, ours, theirs))
            value = reference(*sides, pick=pick)
            if value is not MISSING:
                out[key] = value
        return out
    if all(isinstance(x, list) for x in (ours, theirs)) and (
        base is MISSING or isinstance(base, list)
    ):
        raise Lists
    if pick:
        return ours if pick == "ours" else theirs
    raise Clash


@st.composite
def clashing(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    base = draw(st.dictionaries(KEYS, TREES, min_size=1, max_size=4))

    def edited(tree: Any) -> Any:
        out = dict(tree)
        for key in list(out):
            fate = draw(st.sampled_from(["keep", "keep", "edit", "drop"]))
            if fate == "drop":
                del out[key]
            elif fate == "edit":
                out[key] = (
                    edited(out[key]) if isinstance(out[key], dict) else draw(TREES)
                )
        if draw(st.booleans()):
            out[draw(KEYS)] = draw(TREES)
        return out

    return base, edited(base), edited(base)


@settings(max_examples=60, deadline=None)
@given(clashing())
def test_a_merge_is_clean_and_right_or_shows_every_clash(
    docs: tuple[Any, Any, Any],
) -> None:
    base, ours, theirs = (dump(d) for d in docs)
    got = merge(base, ours, theirs)
    text = got.data.decode()
    try:
        want = reference(*docs)
    except Clash:
        assert got.conflicts > 0, got
        want = None
    except Lists:
        want = None
    if got.conflicts == 0:
        assert "<<<<<<<" not in text
        if want is not None:
            assert data(text) == [want]
        else:
            list(YAML(typ="rt").load_all(text))
        return
    assert text.count("<<<<<<< ours\n") == got.conflicts
    for side in ("ours", "theirs"):  # each side of the markers is valid YAML
        resolved = data(sides(text, side))
        # ... holding the other side's changes and this side's clashes.
        with contextlib.suppress(Lists):
            assert resolved == [reference(*docs, pick=side)]


# --- review 3: moves against deletions, comments, clashes that cannot be written


def never_loses(base: str, ours: str, theirs: str, want_clean: str | None) -> None:
    """A clean result is ``want_clean``; anything else must be a conflict."""
    got = file_merge("yaml", base, ours, theirs)
    if got.conflicts == 0:
        assert got.data.decode() == want_clean, got
    else:
        assert "<<<<<<< ours" in got.data.decode()


@pytest.mark.parametrize(
    ("base", "ours", "theirs"),
    [
        (["c", "g"], ["g", "c"], ["c"]),
        (["e", "c", "g"], ["e", "g", "c"], ["e", "c"]),
        (["e", "f", "c", "g"], ["f", "e", "g", "c"], ["e", "f", "c"]),
        (["c", "g"], ["g", "c"], ["c", "h"]),
    ],
)
def test_an_item_moved_here_and_removed_in_the_blueprint_is_a_conflict(
    base: list[str], ours: list[str], theirs: list[str]
) -> None:
    def dump(items: list[str]) -> str:
        return "x: 1\nl:\n" + "".join(f"  - {v}\n" for v in items) + "y: 2\n"

    got = file_merge("yaml", dump(base), dump(ours), dump(theirs))
    assert got.conflicts >= 1, got.data.decode()
    assert "<<<<<<< ours" in got.data.decode()


def test_a_port_moved_here_and_removed_in_the_blueprint_is_a_conflict() -> None:
    base = 'services:\n  api:\n    image: api:1\n    ports:\n      - "8000:8000"\n      - "5678:5678"\n'
    ours = 'services:\n  api:\n    image: api:1\n    ports:\n      - "5678:5678"\n      - "8000:8000"\n'
    theirs = 'services:\n  api:\n    image: api:2\n    ports:\n      - "8000:8000"\n'
    got = file_merge("yaml", base, ours, theirs)
    assert got.conflicts >= 1, got.data.decode()


def test_a_matrix_entry_moved_here_and_removed_in_the_blueprint_is_a_conflict() -> None:
    entry = {
        "a": '          - python: "3.10"\n            os: ubuntu-latest\n',
        "b": '          - python: "3.11"\n            os: ubuntu-latest\n',
        "c": '          - python: "3.12"\n            os: windows-latest\n',
    }
    head = "jobs:\n  test:\n    strategy:\n      matrix:\n        include:\n"

    def doc(order: str) -> str:
        return head + "".join(entry[x] for x in order)

    got = file_merge("yaml", doc("abc"), doc("cab"), doc("ab"))
    assert got.conflicts >= 1, got.data.decode()


def test_a_document_moved_here_and_removed_in_the_blueprint_is_a_conflict() -> None:
    a, b, c = "a: 1\nb: 2\n", "c: 3\nd: 4\n", "e: 5\nf: 6\n"
    got = file_merge(
        "yaml", "---\n".join([a, b, c]), "---\n".join([b, a, c]), "---\n".join([a, c])
    )
    assert got.conflicts >= 1, got.data.decode()


def test_a_move_the_blueprint_left_alone_still_merges_cleanly() -> None:
    def dump(items: list[str]) -> str:
        return "l:\n" + "".join(f"  - {v}\n" for v in items)

    got = file_merge(
        "yaml", dump(["a", "b", "c"]), dump(["c", "a", "b"]), dump(["a", "b", "c", "d"])
    )
    assert (got.conflicts, got.data.decode()) == (0, dump(["c", "a", "b", "d"]))


@pytest.mark.parametrize("lead", ["\n", "%YAML 1.2\n---\n"])
def test_a_clash_in_a_file_that_cannot_be_rewritten_is_never_a_clean_text_merge(
    lead: str,
) -> None:
    def dump(items: str) -> str:
        return lead + "l:\n" + "".join(f"  - {v}\n" for v in items) + "y: 2\n"

    # The line merge is clean (ours' g moved to the end, theirs' removed),
    # but theirs' removal of g would be silently lost.
    got = file_merge("yaml", dump("gabcd"), dump("abcdg"), dump("abcd"))
    assert got.conflicts == 1, got.data.decode()
    text = got.data.decode()
    assert sides(text, "ours") == dump("abcdg")
    assert sides(text, "theirs") == dump("abcd")


def test_items_without_an_identity_half_alike_are_not_blended() -> None:
    # Each side changed one of the two fields: no field of the item is left
    # as it was, so which item it is, is the user's call, not a blend.
    base = "routes:\n  - host: a\n    port: 1\n  - host: b\n    port: 2\n"
    ours = "routes:\n  - host: a\n    port: 9\n  - host: b\n    port: 2\n"
    theirs = "routes:\n  - host: z\n    port: 1\n  - host: b\n    port: 2\n"
    got = file_merge("yaml", base, ours, theirs)
    assert got.conflicts >= 1, got.data.decode()


def test_documents_sharing_one_value_are_not_the_same_document() -> None:
    base = "a: 1\nb: 2\nc: 3\n---\nkind: x\nk: 1\nv: 1\n"
    ours = "kind: x\nk: 1\nv: 1\n---\na: 1\nb: 2\nc: 3\n"  # ours swaps them
    theirs = "a: 1\nb: 2\nc: 3\n---\nkind: y\nk: 2\nv: 1\n"  # theirs replaces doc 2
    never_loses(base, ours, theirs, None)


def test_a_comment_of_ours_after_a_list_item_theirs_replaced_stays() -> None:
    base = "on:\n  push:\n    branches:\n      - main\njobs:\n  test:\n    runs-on: x\n"
    note = "# NOTE(team-x): deploy job lives in deploy.yml\n"
    ours = base.replace("jobs:", note + "jobs:")
    theirs = base.replace("- main", "- trunk")
    assert clean(base, ours, theirs) == theirs.replace("jobs:", note + "jobs:")


def test_a_changed_comment_of_ours_after_a_replaced_item_stays() -> None:
    base = (
        'services:\n  api:\n    ports:\n      - "8000:8000"\n'
        "  # worker: disabled\n  db:\n    image: postgres:15\n"
    )
    ours = base.replace("disabled", "disabled (ours)")
    theirs = base.replace('"8000:8000"', '"8080:8000"')
    assert clean(base, ours, theirs) == ours.replace('"8000:8000"', '"8080:8000"')


def test_a_comment_of_ours_after_a_mapping_theirs_replaced_stays() -> None:
    base = "a:\n  x: 1\n  y: 2\nb: 2\n"
    ours = "a:\n  x: 1\n  y: 2\n  # about b (ours)\nb: 2\n"
    theirs = "a: [1, 2]\nb: 2\n"
    got = clean(base, ours, theirs)
    assert got == "a: [1, 2]\n  # about b (ours)\nb: 2\n"


def test_a_document_the_blueprint_replaced_is_not_blended_with_ours_edit() -> None:
    # Theirs made document 2 another one (one value of three in common); ours
    # edited the old one: a blend (kind y with ours' v) would be neither.
    first = "a: 1\nb: 2\nc: 3\n---\n"
    base = first + "kind: x\nk: 1\nv: 1\n"
    ours = first + "kind: x\nk: 1\nv: 5\n"
    theirs = first + "kind: y\nk: 2\nv: 1\n"
    got = file_merge("yaml", base, ours, theirs)
    assert got.conflicts >= 1, got.data.decode()
    assert sides(got.data.decode(), "theirs") == theirs
