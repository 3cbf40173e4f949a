from __future__ import annotations

import pytest

from synctool.check.rules.yamlpath import Miss, Node, PathError, Step, parse_path
from synctool.check.rules.yamlselect import select
from synctool.check.rules.yamlvalues import same_value, scalar_text, to_plain

from . import load


def test_parse_steps() -> None:
    path = parse_path('jobs.*.steps[*].name[0][-1]["a.b"].\'c d\'[?name="my app"]')
    assert path.steps == (
        Step("key", key="jobs"),
        Step("any-key"),
        Step("key", key="steps"),
        Step("any-item"),
        Step("key", key="name"),
        Step("index", position=0),
        Step("index", position=-1),
        Step("key", key="a.b"),
        Step("key", key="c d"),
        Step("filter", key="name", value="my app"),
    )


def test_parse_leading_bracket_and_filter_forms() -> None:
    assert parse_path("[0].x").steps == (
        Step("index", position=0),
        Step("key", key="x"),
    )
    assert parse_path("a[?enabled=true]").steps[1] == Step(
        "filter", key="enabled", value="true"
    )
    assert parse_path("a[?tag=]").steps[1] == Step("filter", key="tag", value="")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty path expression"),
        ("a..b", "expected a key at column 3 of 'a..b'"),
        (".a", "expected a key at column 1 of '.a'"),
        ("a.", "expected a key at column 3 of 'a.'"),
        ("a[", "unclosed '[' at column 2 of 'a['"),
        ("a[x]", "expected [*], [N], [\"key\"] or [?key=value] at column 2 of 'a[x]'"),
        (
            "a[?=x]",
            "expected [*], [N], [\"key\"] or [?key=value] at column 2 of 'a[?=x]'",
        ),
        ("fo*", "'*' must be a whole key (no partial wildcards) at column 1 of 'fo*'"),
        ('a"b"', "expected '.' or '[' at column 2 of 'a\"b\"'"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(PathError) as info:
        parse_path(text)
    assert str(info.value) == message


WORKFLOW = """\
jobs:
  build:
    steps:
      - name: Lint
        run: make lint
      - uses: actions/checkout@v4
  test:
    steps:
      - name: Test
"""


def test_select_wildcards_with_locations_and_lines() -> None:
    selection = select(load(WORKFLOW), parse_path("jobs.*.steps[*].name"))
    assert selection.nodes == (
        Node("Lint", "jobs.build.steps[0].name", 4),
        Node("Test", "jobs.test.steps[0].name", 9),
    )
    assert selection.misses == (Miss("jobs.build.steps[1].name", 6, "is missing"),)


def test_select_missing_key_names_the_whole_rest_of_the_path() -> None:
    doc = load("spec:\n  containers:\n    - name: app\n")
    expr = parse_path("spec.containers[*].securityContext.runAsNonRoot")
    assert select(doc, expr) == (
        (),
        (Miss("spec.containers[0].securityContext.runAsNonRoot", 3, "is missing"),),
    )


def test_select_wrong_types_and_index_out_of_range() -> None:
    doc = load("a: 1\nb: [x]\nc: {k: v}\n")
    assert select(doc, parse_path("a.x")).misses == (Miss("a", 1, "is not a mapping"),)
    assert select(doc, parse_path("c[*]")).misses == (
        Miss("c", 3, "is not a sequence"),
    )
    assert select(doc, parse_path("b[3]")).misses == (Miss("b[3]", 2, "is missing"),)
    assert select(doc, parse_path("b[-1]")).nodes == (Node("x", "b[0]", 2),)
    assert select(load("- 1\n"), parse_path("a")).misses == (
        Miss("<document>", 1, "is not a mapping"),
    )


def test_select_empty_wildcards_select_nothing_and_miss_nothing() -> None:
    doc = load("jobs: {}\nitems: []\n")
    assert select(doc, parse_path("jobs.*.steps")) == ((), ())
    assert select(doc, parse_path("items[*].name")) == ((), ())


def test_filters_on_sequences_and_on_mapping_values() -> None:
    doc = load(
        "containers:\n"
        "  - name: app\n"
        "    image: a\n"
        "  - name: sidecar\n"
        "    image: b\n"
        "jobs:\n"
        "  one: {runs-on: ubuntu, x: 1}\n"
        "  two: {runs-on: macos, x: 2}\n"
        "ports:\n"
        "  - {port: 8080, enabled: true}\n"
    )
    assert select(doc, parse_path("containers[?name=sidecar].image")).nodes == (
        Node("b", "containers[1].image", 5),
    )
    assert select(doc, parse_path("containers[*][?name=app].image")).nodes == (
        Node("a", "containers[0].image", 3),
    )
    assert select(doc, parse_path("jobs.*[?runs-on=macos].x")).nodes == (
        Node(2, "jobs.two.x", 8),
    )
    assert select(doc, parse_path("ports[?port=8080][?enabled=true].port")).nodes == (
        Node(8080, "ports[0].port", 10),
    )
    assert select(doc, parse_path("containers[?name=nope].image")) == ((), ())


def test_quoted_and_non_string_keys() -> None:
    doc = load('metadata:\n  labels:\n    "app.kubernetes.io/name": web\n200: ok\n')
    expr = parse_path('metadata.labels."app.kubernetes.io/name"')
    assert select(doc, expr).nodes == (
        Node("web", 'metadata.labels."app.kubernetes.io/name"', 3),
    )
    assert select(doc, parse_path("200")).nodes == (Node("ok", "200", 4),)


def test_select_on_plain_data_has_no_lines() -> None:
    assert select({"a": [{"b": 1}]}, parse_path("a[*].b")).nodes == (
        Node(1, "a[0].b", None),
    )


def test_values() -> None:
    assert scalar_text(True) == "true"
    assert scalar_text(None) == "null"
    assert scalar_text(3) == "3"
    assert scalar_text([1]) is None
    assert to_plain(load("a: [1, {b: true}]\n")) == {"a": [1, {"b": True}]}
    assert same_value(True, True)
    assert not same_value(True, 1)
    assert not same_value(1, True)
    assert not same_value({"a": [1]}, {"a": [True]})
    assert same_value({"a": [1, "x"]}, {"a": [1, "x"]})
