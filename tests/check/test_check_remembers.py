"""`synctool check` remembers what it parsed (synctool.service.parsed): a
second check on the same texts parses nothing again and says exactly what
the first said; an edited file is read anew; a broken or unwritable cache
only costs time."""

from __future__ import annotations

import marshal
import subprocess
from pathlib import Path

import pytest

from synctool.service import parsed
from tests.check import test_check
from tests.check.test_check import (
    CI_YML,
    NO_HEALTHCHECK,
    check,
    check_json,
    check_with_importtime,
    declare,
    waiver,
    write,
)
from tests.helpers import git

# test_check's service (its blueprint's rules, `init` once, a copy per test)
blueprint, generated, svc = test_check.blueprint, test_check.generated, test_check.svc

CACHE = Path(".git") / "synctool-check.cache"


def _yaml_libraries(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in ("yaml", "ruamel", "_yaml")]


def test_a_second_check_parses_nothing_and_says_the_same(svc: Path) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    expired = declare(svc, waiver("2020-01-31"))  # a date, with its line
    first, modules = check_with_importtime(svc, "--format", "json")
    assert first.returncode == 1, first.stderr
    assert "yaml" in modules  # the first run parsed with PyYAML
    assert (svc / CACHE).is_file()
    second, modules = check_with_importtime(svc, "--format", "json")
    assert second.returncode == 1, second.stderr
    assert "synctool.commands.check" in modules  # importtime did report
    assert _yaml_libraries(modules) == []
    assert second.stdout == first.stdout
    assert f'"line": {expired + 1}' in second.stdout
    assert git(svc, "status", "--porcelain").split() == [
        "M",
        ".synctool.yml",
        "M",
        "Dockerfile",
    ]


def test_text_output_is_the_same_from_memory(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    declare(svc, waiver("2020-01-31"))
    first = check(capsys, svc)
    assert first.code == 1
    assert check(capsys, svc) == first


def test_an_edited_synctool_yml_is_read_anew(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    assert check_json(capsys, svc)[1]["findings"] == []
    line = declare(svc, waiver("2020-01-31"))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [
        ("waiver-expired", line + 1)
    ]


def test_an_edited_file_a_rule_reads_is_read_anew(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    assert check_json(capsys, svc)[1]["findings"] == []
    write(svc, ".github/workflows/ci.yml", CI_YML.replace("name: Lint", "name: Style"))
    code, doc = check_json(capsys, svc)
    assert code == 1
    assert [f["rule"] for f in doc["findings"]] == ["ci-lints"]
    write(svc, ".github/workflows/ci.yml", CI_YML)
    assert check_json(capsys, svc)[1]["findings"] == []


def test_an_edited_lock_is_read_anew(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    assert check(capsys, svc).code == 0
    lock = svc / ".synctool.lock"
    lock.write_text(lock.read_text() + "files: [unclosed\n")
    result = check(capsys, svc)
    assert result.code == 2
    assert ".synctool.lock:" in result.err
    assert "malformed YAML" in result.err


def test_a_corrupt_cache_is_passed_over_and_rewritten(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    first = check(capsys, svc)
    good = (svc / CACHE).read_bytes()
    for garbage in (b"", b"\x00not marshal", good[: len(good) // 2], marshal.dumps(7)):
        (svc / CACHE).write_bytes(garbage)
        assert check(capsys, svc) == first
        magic, _tag, _digest, payload = marshal.loads((svc / CACHE).read_bytes())
        assert magic == "synctool-parsed-2"
        entries = marshal.loads(payload)
        assert {kind for kind, _text in entries} == {"plain", "lined", "documents"}


def test_a_cache_that_cannot_be_written_only_costs_time(
    capsys: pytest.CaptureFixture[str], svc: Path
) -> None:
    write(svc, "Dockerfile", NO_HEALTHCHECK)
    (svc / CACHE).mkdir()  # neither readable nor replaceable as a file
    first = check(capsys, svc)
    assert first.code == 1
    assert check(capsys, svc) == first
    assert (svc / CACHE).is_dir()
    assert sorted(p.name for p in (svc / ".git").iterdir() if "synctool" in p.name) == [
        "synctool-check.cache"
    ]


def test_services_sharing_a_repository_each_have_their_own(
    capsys: pytest.CaptureFixture[str], svc: Path, tmp_path: Path
) -> None:
    mono = tmp_path / "mono"
    (mono / "services").mkdir(parents=True)
    git(mono, "init", "-q", "-b", "main")
    for name in ("a", "b"):
        subprocess.run(
            ["git", "archive", "HEAD", "--prefix", f"services/{name}/", "-o", "x.tar"],
            cwd=svc,
            check=True,
        )
        subprocess.run(["tar", "-xf", str(svc / "x.tar")], cwd=mono, check=True)
        (svc / "x.tar").unlink()
    git(mono, "add", "-A")
    git(mono, "commit", "-qm", "two services")
    for name in ("a", "b"):
        assert check(capsys, mono / "services" / name).code == 0
    caches = sorted(p.name for p in (mono / ".git").glob("synctool-check*"))
    assert len(caches) == 2
    assert all(name.startswith("synctool-check-") for name in caches)
    assert git(mono, "status", "--porcelain") == ""


def test_other_commands_remember_nothing() -> None:
    calls: list[str] = []
    for _ in range(2):
        parsed.reading("plain", "a: 1\n", lambda text: calls.append(text))
    assert calls == ["a: 1\n", "a: 1\n"]
