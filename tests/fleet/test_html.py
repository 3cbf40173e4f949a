"""The `fleet check` HTML report: one self-contained page that a browser renders.

Rendered for real in headless Chromium (Debian's `chromium` package) and
checked on the screenshot: a PNG decoded with the standard library, so the
test needs no imaging package.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from synctool.check.rules import Finding
from synctool.fleet import html
from synctool.fleet.check import CheckRecord
from tests.fleet.test_fleet import build_fleet
from tests.helpers import git, run_cli

CHART_GREEN = (0x1A, 0x7F, 0x37)  # the newest version's bar (html._AGE[0])
CHART_AMBER = (0xD4, 0xA7, 0x2C)  # one release behind (html._AGE[1])


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(page: Path, png: Path, profile: Path) -> None:
    exe = chromium()
    if exe is None:
        message = "needs Chromium: apt-get install -y chromium (.ci/apt-packages.txt)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must install it (.ci/run)")
        pytest.skip(message)
    subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            "--window-size=1200,900",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up = prev[x]
            corner = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def colours(width: int, rows: list[bytes]) -> set[tuple[int, int, int]]:
    bpp = len(rows[0]) // width
    return {
        (row[x], row[x + 1], row[x + 2])
        for row in rows[::3]
        for x in range(0, len(row), bpp * 3)
    }


def test_fleet_check_html_renders_in_chromium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = build_fleet(tmp_path, capsys)
    work = tmp_path / "work"
    assert run_cli(capsys, "update", str(work / "alpha"), "--to", "v2.0.0").code == 0
    git(work / "alpha", "commit", "-qam", "Blueprint 2.0.0")
    (work / "beta/.env").write_text("TOKEN=x\n")
    git(work / "beta", "add", ".env")
    git(work / "beta", "commit", "-qm", "Oops")
    fleet.repos_file.write_text(
        "\n".join(str(work / n) for n in ("alpha", "beta", "gamma", "delta", "broken"))
    )
    page = tmp_path / "fleet.html"
    result = run_cli(
        capsys,
        "fleet",
        "check",
        "--repos",
        str(fleet.repos_file),
        "--report",
        str(page),
    )
    assert result.code == 1, result.err
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>")
    for outside in ("src=", "href=", "url(", "@import", "<script", "<link"):
        assert outside not in text  # self-contained: nothing fetched
    assert "Blueprint versions across the fleet" in text
    assert "no-secrets" in text

    png = tmp_path / "fleet.png"
    screenshot(page, png, tmp_path / "chromium-profile")
    data = png.read_bytes()
    assert len(data) > 5_000
    width, height, rows = decode_png(data)
    assert (width, height) == (1200, 900)
    seen = colours(width, rows)
    assert len(seen) > 20, "a page, not a blank screen"
    assert CHART_GREEN in seen, "the bar of the newest version"
    assert CHART_AMBER in seen, "the bar of the version behind it"


def test_html_escapes_what_repos_and_findings_say() -> None:
    record = CheckRecord(
        repo="https://git.example.com/<script>alert(1)</script>.git",
        status="findings",
        version="1.0.0",
        errors=1,
        findings=(Finding("<b>rule</b>", "error", "a&b", 1, "x < y"),),
    )
    page = html.check_html([record])
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;rule&lt;/b&gt;" in page


def test_update_report_as_page_and_markdown() -> None:
    from synctool.fleet import report
    from synctool.fleet.update import UpdateRecord

    records = [
        UpdateRecord(
            "a", "updated", "1.0.0", "2.0.0", 4, branch="synctool/update-2.0.0"
        ),
        UpdateRecord("b|c", "conflicts", "1.0.0", "2.0.0", 4, ("app/x.txt",)),
        UpdateRecord("d", "failed", error="cannot clone d: not found"),
        UpdateRecord("e", "skipped", note="beyond --limit 3"),
    ]
    page = html.update_html(records, dry_run=True)
    assert "<title>synctool fleet update (dry run)</title>" in page
    assert 'style="background:#cf222e">conflicts</span>' in page
    markdown = report.update_markdown(records, dry_run=False)
    assert markdown.splitlines()[:5] == [
        "## synctool fleet update",
        "",
        "4 repo(s): 1 updated, 1 conflicts, 1 failed, 1 skipped",
        "",
        "| repo | status | from | to | files | conflicts | branch | note |",
    ]
    assert "| b\\|c | conflicts | 1.0.0 | 2.0.0 | 4 | app/x.txt |  |  |" in markdown
