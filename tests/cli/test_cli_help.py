"""The command line as typer and click users know it.

Help shows flags without a type, choices as ``[text|json]`` and ``--data
KEY=VALUE``; every command answers a bad command line in typer's style
(``check`` too, which is parsed without typer for the pre-commit hook's
speed), suggesting only close names; shell completion works through the
``synctool`` executable for bash, zsh and fish.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from synctool import usage
from synctool.cli import app
from synctool.cli import run as cli_run
from synctool.entry import run_check

EXE = Path(sys.executable).with_name("synctool")


def command_paths() -> list[list[str]]:
    """Every command and group, as the words that name it."""
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = command_paths()


def help_of(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    capsys.readouterr()
    assert cli_run([*words, "--help"]) == 0
    return capsys.readouterr().out


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one row per option, no wrapping
    monkeypatch.setenv("NO_COLOR", "1")


def after(text: str, option: str) -> list[str]:
    """The words of an option's row in the help table, after the option."""
    (row,) = [
        line
        for line in text.splitlines()
        if re.match(rf"^│ {re.escape(option)}\s", line)
    ]
    return row.split()[2:]


# -- help ---------------------------------------------------------------------


def test_the_commands_are_all_there() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"init", "sync", "update", "diff", "check", "completion"} <= names
    assert {"fleet update", "fleet check", "fleet plan", "blueprint new"} <= names


@pytest.mark.parametrize("words", COMMANDS, ids=lambda p: " ".join(p) or "synctool")
def test_no_help_shows_a_python_type_for_a_flag(
    capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    text = help_of(capsys, *words)
    assert "<bool>" not in text
    assert "<str>" not in text  # every value option names what it takes
    assert "list[str]" not in text.split("Options")[-1]
    assert after(text, "--help")[0:3] == ["-h", "Show", "this"]


def test_update_help(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "update")
    assert "Usage: synctool update [OPTIONS] [PATH]" in text
    assert after(text, "--data")[0:2] == ["-d", "KEY=VALUE"]
    assert after(text, "--format")[0] == "[text|json]"
    assert after(text, "--to")[0] == "REF"
    assert after(text, "--dry-run")[0:2] == ["Show", "the"]
    assert after(text, "--quiet")[0:2] == ["-q", "Print"]


def test_check_help_lists_its_formats(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "check")
    assert "Usage: synctool check [OPTIONS] [PATH]" in text
    assert after(text, "--format")[0] == "[text|json|github|sarif]"
    assert after(text, "--fix")[0:2] == ["Repair", "what"]


def test_init_and_fleet_help(capsys: pytest.CaptureFixture[str]) -> None:
    init = help_of(capsys, "init")
    assert after(init, "--data")[0:2] == ["-d", "KEY=VALUE"]
    assert after(init, "--data-file")[0] == "FILE"
    assert after(init, "--blueprint")[0] == "SRC"
    assert after(init, "--git")[0:2] == ["--no-git", "git"]
    fleet = help_of(capsys, "fleet", "update")
    assert "Usage: synctool fleet update [OPTIONS] [REPO]..." in fleet
    assert after(fleet, "--format")[0] == "[text|json|markdown|html]"
    assert after(fleet, "--jobs")[0:2] == ["-j", "N"]
    plan = help_of(capsys, "fleet", "plan")
    assert after(plan, "--format")[0] == "[text|json|github-matrix]"


# -- usage errors: one style ------------------------------------------------------


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    code = cli_run(list(args))
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), err
    return err


@pytest.mark.parametrize(
    "words", [p for p in COMMANDS if (p and p[0] != "fleet") or len(p) == 2]
)
def test_every_command_answers_an_unknown_option_alike(
    capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    err = usage_error(capsys, *words, "--bogus")
    lines = err.splitlines()
    name = " ".join(["synctool", *words])
    assert lines[0].startswith(f"Usage: {name} [OPTIONS]")
    assert lines[1:] == [
        f"Try '{name} -h' for help.",
        "",
        "Error: No such option: --bogus",  # nothing close: no suggestion
    ]


def test_suggestions_are_close_names_only(capsys: pytest.CaptureFixture[str]) -> None:
    last = lambda *a: usage_error(capsys, *a).splitlines()[-1]  # noqa: E731
    assert last("update", "--bogus") == "Error: No such option: --bogus"
    assert last("update", "--verbos") == (
        "Error: No such option: --verbos (Possible options: --verbose)"
    )
    assert last("update", "--dry") == (
        "Error: No such option: --dry (Possible options: --dry-run)"
    )
    assert last("init", "x", "--colour") == (
        "Error: No such option: --colour (Possible options: --no-color)"
    )


def test_a_missing_value_gets_the_usage_lines_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert usage_error(capsys, "update", "--to").splitlines() == [
        "Usage: synctool update [OPTIONS] [PATH]",
        "Try 'synctool update -h' for help.",
        "",
        "Error: Option '--to' requires an argument.",
    ]


def test_a_bad_choice_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(capsys, "diff", "--format", "yaml").splitlines()[-1] == (
        "Error: Invalid value for '--format': 'yaml' is not one of 'text', 'json'."
    )


BAD_CHECK_LINES = [
    ["--bogus"],
    ["--onlin"],
    ["--fomat", "json"],
    ["--format", "xml"],
    ["--format=yaml"],
    ["--format"],
    ["--fix=yes"],
    ["-x"],
    ["-qz"],
    ["one", "two", "three"],
    ["--quiet", ".", "--", "--fix"],
]


@pytest.mark.parametrize("args", BAD_CHECK_LINES, ids=" ".join)
def test_check_fast_path_prints_what_typer_prints(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    """`synctool check` (the fast path) and the typer command agree, word
    for word, on every bad command line."""
    typer_err = usage_error(capsys, "check", *args)
    assert typer_err.startswith("Usage: synctool check [OPTIONS] [PATH]\n")
    capsys.readouterr()
    code = run_check(args)
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", typer_err)


def test_check_parses_good_command_lines_as_typer_does() -> None:
    assert usage.parse_check([]) == usage.CheckArgs()
    assert usage.parse_check(["svc", "--format=sarif", "-qv", "--fix"]) == (
        usage.CheckArgs(Path("svc"), "sarif", fix=True, quiet=True, verbose=True)
    )
    assert usage.parse_check(["--format", "json", "--online", "--no-color"]) == (
        usage.CheckArgs(Path(), "json", online=True, no_color=True)
    )
    assert usage.parse_check(["--", "-odd-name"]).path == Path("-odd-name")


def test_check_fast_path_takes_exactly_the_typer_commands_options() -> None:
    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    declared = {
        opt: param.is_flag
        for param in command.params
        for opt in param.opts
        if opt.startswith("-")
    }
    fast = {o: True for o in usage.CHECK_FLAGS} | {o: False for o in usage.CHECK_VALUES}
    assert fast == declared
    fmt = next(p for p in command.params if "--format" in p.opts)
    assert tuple(fmt.type_descriptor.choices) == usage.CHECK_FORMATS


def test_the_executable_answers_check_without_typer(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "synctool", "check", "--bogus"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("import time:")]
    assert lines == [
        "Usage: synctool check [OPTIONS] [PATH]",
        "Try 'synctool check -h' for help.",
        "",
        "Error: No such option: --bogus",
    ]
    assert " typer" not in proc.stderr and " click" not in proc.stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("--verbos", ["--verbose"]),
        ("--no-colour", ["--no-color"]),
        ("--dry", ["--dry-run"]),
        ("--bogus", []),
        ("--json", []),
        ("--fix", []),  # the name itself: not a suggestion
        ("-v", []),  # short options get none, as in click
    ],
)
def test_close_options(typed: str, meant: list[str]) -> None:
    names = ["--verbose", "--no-color", "--dry-run", "--to", "--format", "--fix"]
    assert usage.close_options(typed, names) == meant


# -- shell completion ----------------------------------------------------------------


def complete(env: dict[str, str]) -> list[str]:
    """Ask the installed executable as a shell's completion function does."""
    if not EXE.exists():
        pytest.skip("synctool is not installed as an executable")
    proc = subprocess.run(
        [str(EXE)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_bash_completes_commands_options_and_choices() -> None:
    bash = {"_SYNCTOOL_COMPLETE": "complete_bash"}
    words = lambda line, n: {**bash, "COMP_WORDS": line, "COMP_CWORD": str(n)}  # noqa: E731
    assert {"init", "update", "check", "fleet", "completion"} <= set(
        complete(words("synctool ", 1))
    )
    assert complete(words("synctool check --f", 2)) == ["--format", "--fix"]
    assert complete(words("synctool check --format ", 3)) == [
        "text",
        "json",
        "github",
        "sarif",
    ]
    assert complete(words("synctool update --format ", 3)) == ["text", "json"]


def test_zsh_and_fish_complete_through_the_same_executable() -> None:
    zsh = complete(
        {"_SYNCTOOL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "synctool up"}
    )
    assert any("update" in word for word in zsh)
    fish = complete(
        {
            "_SYNCTOOL_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "synctool update --format ",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        }
    )
    assert fish == ["text", "json"]


@pytest.mark.parametrize(
    ("shell", "registers"),
    [
        ("bash", "complete -o default -F _synctool_completion synctool"),
        ("zsh", "compdef _synctool_completion synctool"),
        ("fish", "complete --command synctool"),
    ],
)
def test_completion_prints_the_script_for_a_shell(
    capsys: pytest.CaptureFixture[str], shell: str, registers: str
) -> None:
    capsys.readouterr()
    assert cli_run(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert registers in script
    assert "_SYNCTOOL_COMPLETE=complete_" + shell in script


def test_the_bash_script_loads_in_bash_and_completes(tmp_path: Path) -> None:
    """The script as a user sources it, and its function as bash calls it on TAB."""
    if not EXE.exists() or shutil.which("bash") is None:
        pytest.skip("needs bash and the synctool executable")
    script = (
        'eval "$(synctool completion bash)" && complete -p synctool && '
        "COMP_WORDS=(synctool check --f) && COMP_CWORD=2 && "
        '_synctool_completion synctool && echo "${COMPREPLY[@]}"'
    )
    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PATH": f"{EXE.parent}{os.pathsep}{os.environ['PATH']}"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "complete -o default -F _synctool_completion synctool",
        "--format --fix",
    ]


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(capsys, "completion", "tcsh").splitlines()[-1] == (
        "Error: Invalid value for 'SHELL': 'tcsh' is not one of 'bash', 'zsh', 'fish'."
    )
