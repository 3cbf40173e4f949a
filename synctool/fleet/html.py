"""The fleet report as one self-contained HTML page: inline CSS and SVG only.

No scripts, fonts or images from elsewhere: the page is attached to a CI run
or mailed around and must render offline, the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from synctool import __version__
from synctool.fleet import report
from synctool.fleet.check import CheckRecord
from synctool.fleet.update import UpdateRecord

_CSS = """
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; padding: 32px 40px; font: 15px/1.5 system-ui, -apple-system,
  "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg);
  background: #f6f8fa; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 28px 0 12px; font-size: 18px; }
.meta { margin: 0; color: var(--muted); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-top: 20px; }
.card { background: #fff; border: 1px solid var(--line); border-left: 6px solid;
  border-radius: 8px; padding: 10px 18px; min-width: 130px; }
.card b { display: block; font-size: 28px; line-height: 1.2; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 4px 20px 16px; margin-top: 20px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.pill { display: inline-block; padding: 1px 10px; border-radius: 999px; color: #fff;
  font-size: 13px; font-weight: 600; white-space: nowrap; }
svg text { font: 13px system-ui, sans-serif; fill: var(--fg); }
"""

# Status -> colour; also the order of the cards.
COLOURS = {
    "updated": "#1a7f37",
    "ok": "#1a7f37",
    "conflicts": "#cf222e",
    "findings": "#bf8700",
    "failed": "#82071e",
    "up-to-date": "#6e7781",
    "skipped": "#8250df",
}
# Bars by age: the newest version green, then warmer with every release behind.
_AGE = ("#1a7f37", "#d4a72c", "#e16f24", "#cf222e", "#82071e")


class Bar(NamedTuple):
    label: str
    value: int
    colour: str


class Table(NamedTuple):
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    status_column: int | None = None  # cells in it become coloured pills
    numeric: frozenset[int] = frozenset()


def bar_chart(bars: Sequence[Bar], caption: str) -> str:
    """Horizontal bars, one per label, scaled to the largest value."""
    label_w, bar_w, row_h = 150, 480, 34
    height = max(1, len(bars)) * row_h + 8
    top = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 60}" '
        f'height="{height}" role="img" aria-label="{escape(caption)}">',
        f"<title>{escape(caption)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * row_h
        width = max(2, round(bar_w * bar.value / top))
        parts += [
            f'<text x="{label_w - 10}" y="{y + 21}" text-anchor="end">{escape(bar.label)}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{width}" height="{row_h - 10}" '
            f'rx="4" fill="{bar.colour}"/>',
            f'<text x="{label_w + width + 8}" y="{y + 21}">{bar.value}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def _table(table: Table) -> str:
    num = ' class="num"'
    head = "".join(
        f"<th{num if i in table.numeric else ''}>{escape(h)}</th>"
        for i, h in enumerate(table.headers)
    )
    body = []
    for row in table.rows:
        cells = []
        for i, value in enumerate(row):
            if i == table.status_column:
                colour = COLOURS.get(value, "#57606a")
                inner = f'<span class="pill" style="background:{colour}">{escape(value)}</span>'
            else:
                inner = escape(value)
            cells.append(f"<td{num if i in table.numeric else ''}>{inner}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<h2>{escape(table.title)}</h2>\n<table><thead><tr>{head}</tr></thead>"
        f"<tbody>\n" + "\n".join(body) + "\n</tbody></table>"
    )


def page(
    title: str,
    counts: dict[str, int],
    chart: tuple[str, Sequence[Bar]],
    tables: Sequence[Table],
) -> str:
    total = sum(counts.values())
    cards = "".join(
        f'<div class="card" style="border-left-color:{COLOURS.get(k, "#57606a")}">'
        f"<b>{n}</b>{escape(k)}</div>"
        for k, n in counts.items()
    )
    sections = [
        f"<section>\n<h2>{escape(chart[0])}</h2>\n{bar_chart(chart[1], chart[0])}\n</section>"
    ]
    sections += [f"<section>\n{_table(t)}\n</section>" for t in tables if t.rows]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(title)}</h1>\n"
        f'<p class="meta">{total} repositories · synctool {escape(__version__)}</p>\n'
        f'<div class="cards">{cards}</div></header>\n'
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def check_html(records: Sequence[CheckRecord]) -> str:
    versions = report.version_distribution(records)
    bars = [
        Bar(f"v{v}" if v[:1].isdigit() else v, n, _AGE[min(i, len(_AGE) - 1)])
        for i, (v, n) in enumerate(versions)
    ]
    common = report.top_findings(records)
    return page(
        "synctool fleet check",
        report.status_counts([r.status for r in records], report.CHECK_STATUSES),
        ("Blueprint versions across the fleet", bars),
        [
            Table(
                "Most common findings",
                ("rule", "severity", "repos", "occurrences"),
                [
                    [c.rule, c.severity, str(c.repos), str(c.occurrences)]
                    for c in common
                ],
                numeric=frozenset({2, 3}),
            ),
            Table(
                "Repositories",
                report.CHECK_HEADERS,
                report.check_rows(records),
                status_column=1,
                numeric=frozenset({4, 5, 6}),
            ),
        ],
    )


def update_html(records: Sequence[UpdateRecord], *, dry_run: bool) -> str:
    counts = report.status_counts([r.status for r in records], report.UPDATE_STATUSES)
    bars = [Bar(k, n, COLOURS[k]) for k, n in counts.items() if n]
    title = "synctool fleet update" + (" (dry run)" if dry_run else "")
    table = Table(
        "Repositories",
        report.UPDATE_HEADERS,
        report.update_rows(records),
        status_column=1,
        numeric=frozenset({4}),
    )
    return page(title, counts, ("Outcome per repository", bars), [table])
