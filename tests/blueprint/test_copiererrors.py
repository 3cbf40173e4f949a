"""synctool.blueprint.copiererrors: copier's failures told as one sentence."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from copier.errors import (
    ExtensionNotFoundError,
    ForbiddenPathError,
    InvalidConfigFileError,
    UnsafeTemplateError,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from synctool.blueprint.copiererrors import RequiredAnswer, missing_answers, translate
from synctool.errors import BlueprintError, InputError

SRC = "gh:acme/bp"


def test_an_unsafe_template_says_to_trust_it() -> None:
    error = translate(UnsafeTemplateError(["jinja_extensions"]), SRC, "v1")
    assert type(error) is BlueprintError
    assert error.message.startswith(
        "the blueprint gh:acme/bp runs code on your machine (jinja_extensions"
    )
    assert error.hint == (
        "Re-run with --trust if you trust it, or list it under `trust` in "
        "copier's settings."
    )


def test_an_unsafe_template_names_its_features_without_copiers_period() -> None:
    error = translate(UnsafeTemplateError(["tasks", "jinja_extensions"]), SRC, None)
    assert error.message == (
        "the blueprint gh:acme/bp runs code on your machine (tasks, jinja_extensions)."
    )


def test_a_missing_extension_names_the_package_to_install() -> None:
    exc = ExtensionNotFoundError("No module named 'acme_helpers'")
    error = translate(exc, SRC, None)
    assert error.message == (
        "the blueprint gh:acme/bp uses a Jinja extension from the module "
        "'acme_helpers', which is not installed beside synctool."
    )
    assert error.hint == (
        "Install it into synctool's environment (`pip install acme-helpers` in "
        "the same venv, or `pipx inject synctool acme-helpers`), then run again."
    )


def test_a_path_outside_the_service_never_shows_copiers_temporary_clone() -> None:
    exc = ForbiddenPathError(path=Path("/tmp/copier._vcs.clone.x1y2/../../etc"))
    error = translate(exc, SRC, None)
    assert error.message == (
        'the blueprint renders a path outside the service: "../../etc" is forbidden.'
    )


def test_malformed_copier_yml_is_named_by_file_and_line() -> None:
    try:
        YAML(typ="safe").load("name:\n  type: str\n bad: x\n")
    except YAMLError as yaml_error:
        try:
            raise InvalidConfigFileError(
                Path("/tmp/copier._vcs.clone.abc/copier.yml"), True
            ) from yaml_error
        except InvalidConfigFileError as exc:
            error = translate(exc, SRC, None)
    assert error.message == (
        "the blueprint gh:acme/bp: copier.yml:3: malformed YAML: "
        "expected <block end>, but found '<block mapping start>'."
    )
    assert error.hint == "Fix it and release a new version; nothing was written."


def test_a_jinja_syntax_error_names_the_template_and_line() -> None:
    loader = jinja2.DictLoader({"docs/README.md.jinja": "ok\n{% if %}\n"})
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        jinja2.Environment(loader=loader).get_template("docs/README.md.jinja")
    error = translate(caught.value, SRC, None)
    assert error.message == (
        "the blueprint gh:acme/bp has a Jinja syntax error in docs/README.md.jinja:2: "
        "Expected an expression, got 'end of statement block'."
    )


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "Invalid choice for 'db': 'oracle'",
            "Pass one of the question's choices: --data db=VALUE (or --data-file FILE).",
        ),
        (
            "Validation error for question 'port': must be a number",
            "Pass a valid value: --data port=VALUE (or --data-file FILE).",
        ),
    ],
)
def test_a_refused_answer_is_an_input_error(text: str, hint: str) -> None:
    error = translate(ValueError(text), SRC, None)
    assert type(error) is InputError
    assert error.message == text + "."
    assert error.hint == hint


def test_a_required_question_without_answer_says_how_to_pass_it() -> None:
    error = translate(ValueError('Question "service_name" is required'), SRC, None)
    assert isinstance(error, RequiredAnswer)
    assert error.name == "service_name"
    assert error.message == "question 'service_name' has no default and no answer."
    assert error.hint == "Pass it: --data service_name=VALUE (or --data-file FILE)."


def test_a_bug_in_synctools_own_code_stays_a_crash() -> None:
    exc = KeyError("oops")
    assert translate(exc, SRC, None) is exc
    own = BlueprintError("already worded")
    assert translate(own, SRC, None) is own


def test_missing_answers_lists_each_question_once() -> None:
    error = missing_answers(["a", "b", "a", "c", "d"], defaults=False, operation="copy")
    assert error.message == "no answer for: a, b, c, d."
    assert error.hint == (
        "Pass them: --data a=VALUE --data b=VALUE --data c=VALUE (or --data-file "
        "FILE), or use --defaults for the questions that have one."
    )
    one = missing_answers(["name"], defaults=True, operation="copy")
    assert one.hint == "Pass it: --data name=VALUE (or --data-file FILE)."


def test_a_sync_is_told_to_answer_in_its_declared_file() -> None:
    """sync and update have no --data-file, and sync no --data: the answer
    goes in .synctool.yml (or `synctool update --data`)."""
    error = missing_answers(["owner", "team"], defaults=True, operation="update")
    assert error.hint == (
        "Set them under `answers:` in .synctool.yml and sync, or run "
        "`synctool update --data owner=VALUE`."
    )
    refused = translate(
        ValueError("Invalid choice for 'db': 'oracle'"), SRC, None, "update"
    )
    assert refused.hint == (  # type: ignore[attr-defined]
        "Set one of the question's choices under `answers:` in .synctool.yml and "
        "sync, or run `synctool update --data db=VALUE`."
    )
