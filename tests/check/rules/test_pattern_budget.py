"""A rule whose regex backtracks without end (`(a|aa)+$`) does not hang
`check`: it runs out of its budget, is reported as an error naming the rule
and the file, and is not tried on the other files."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from synctool.check.rules import evaluate
from synctool.check.rules.patterns import BUDGET_ENV, Clock, OutOfTime

from . import Files, rules

# Each of these lines makes `(a|aa)+$` try ~fib(40) ways: minutes with `re`.
SLOW = ("a" * 40 + "b\n") * 3
BUDGET = 0.3
T = TypeVar("T")


@pytest.fixture(autouse=True)
def short_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUDGET_ENV, str(BUDGET))


def _timed(
    rule_yaml: str, tree: dict[str, str]
) -> tuple[list[tuple[object, ...]], float]:
    started = time.monotonic()
    found = evaluate(rules(rule_yaml), Files(tree))
    took = time.monotonic() - started
    return [(f.rule, f.severity, f.path, f.message) for f in found], took


@pytest.mark.parametrize(
    "rule_yaml",
    [
        "- id: slow\n  kind: contains\n  paths: ['*.txt']\n  pattern: '(a|aa)+$'\n",
        "- id: slow\n  kind: not-contains\n  paths: ['*.txt']\n  pattern: '(a|aa)+$'\n",
        "- id: slow\n  kind: contains\n  paths: ['*.txt']\n  where: '(a|aa)+$'\n"
        "  pattern: x\n",
    ],
    ids=["contains", "not-contains", "where"],
)
def test_a_backtracking_text_rule_is_an_error_not_a_hang(rule_yaml: str) -> None:
    found, took = _timed(rule_yaml, {"a.txt": SLOW, "b.txt": SLOW, "c.txt": SLOW})

    assert took < 5 * BUDGET + 2  # one file's budget, not three files' minutes
    assert found == [
        (
            "slow",
            "error",
            "a.txt",
            f"rule slow: /(a|aa)+$/ did not finish within {BUDGET:g} s on this "
            "file, so the file was not checked; not tried on 2 more file(s)",
        )
    ]


def test_a_backtracking_yaml_matches_rule_is_an_error() -> None:
    rule_yaml = (
        "- id: slow-yaml\n  kind: yaml\n  paths: ['*.yml']\n"
        "  select: image\n  matches: '^(a|aa)+$'\n"
    )
    found, took = _timed(rule_yaml, {"x.yml": "image: " + "a" * 40 + "b\n"})

    assert took < 5 * BUDGET + 2
    assert [f[:3] for f in found] == [("slow-yaml", "error", "x.yml")]
    assert "did not finish within" in str(found[0][3])


def test_the_other_rules_are_still_evaluated() -> None:
    rule_yaml = (
        "- id: slow\n  kind: contains\n  paths: ['*.txt']\n  pattern: '(a|aa)+$'\n"
        "- id: fast\n  kind: contains\n  paths: ['*.txt']\n  pattern: '^hello'\n"
    )
    found, _ = _timed(rule_yaml, {"a.txt": SLOW})
    assert [(rule, path) for rule, _, path, _ in found] == [
        ("fast", "a.txt"),
        ("slow", "a.txt"),
    ]


def test_lookarounds_still_work_and_fast_patterns_are_untouched() -> None:
    rule_yaml = (
        "- id: hc\n  kind: contains\n  paths: [Dockerfile]\n"
        "  pattern: '^HEALTHCHECK\\s+(?!NONE)'\n"
    )
    assert _timed(rule_yaml, {"Dockerfile": "FROM x\nHEALTHCHECK CMD true\n"})[0] == []
    found, _ = _timed(rule_yaml, {"Dockerfile": "FROM x\nHEALTHCHECK NONE\n"})
    assert [f[0] for f in found] == ["hc"]


def test_the_clock_is_shared_by_every_match_on_one_file() -> None:
    clock = Clock(0.2)
    with pytest.raises(OutOfTime) as caught:
        for line in SLOW.splitlines():
            clock.search("(a|aa)+$", line)
    assert caught.value.pattern == "(a|aa)+$"


def _in_a_thread(call: Callable[[], T]) -> T:
    result: list[T] = []
    worker = threading.Thread(target=lambda: result.append(call()))
    worker.start()
    worker.join()
    return result[0]


def test_off_the_main_thread_the_regex_module_keeps_the_budget() -> None:
    rule_yaml = (
        "- id: slow\n  kind: contains\n  paths: ['*.txt']\n  pattern: '(a|aa)+$'\n"
    )
    found, took = _in_a_thread(
        lambda: _timed(rule_yaml, {"a.txt": SLOW, "b.txt": SLOW})
    )
    assert took < 5 * BUDGET + 2
    assert [(f[0], f[1], f[2]) for f in found] == [("slow", "error", "a.txt")]


def test_someone_elses_alarm_is_left_alone() -> None:
    fired: list[int] = []

    def theirs(signum: int, frame: object) -> None:
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, theirs)
    try:
        with pytest.raises(OutOfTime):  # the regex module's timeout instead
            Clock(0.2).search("(a|aa)+$", SLOW)
        assert signal.getsignal(signal.SIGALRM) is theirs
        assert fired == []
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_no_timer_is_left_running() -> None:
    with pytest.raises(OutOfTime):
        Clock(0.2).search("(a|aa)+$", SLOW)
    assert Clock().search("^a+b$", SLOW) is not None
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL  # as it was


def test_someone_elses_timer_is_left_running() -> None:
    signal.setitimer(signal.ITIMER_REAL, 30)  # theirs, with SIGALRM's default action
    try:
        with pytest.raises(OutOfTime):
            Clock(0.2).search("(a|aa)+$", SLOW)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 20
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [("^[[:digit:]]+$", "2026\n"), (r"\p{Lu}\p{Ll}+", "Hello\n")],
    ids=["posix-class", "unicode-property"],
)
def test_syntax_only_the_regex_module_reads_still_matches(
    pattern: str, text: str
) -> None:
    assert Clock().search(pattern, text) is not None
    assert Clock().search(pattern, "-\n") is None
