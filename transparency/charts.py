"""Bar charts as inline SVG: no script, no inline style (the CSP allows neither), readable at any width.

Each chart is an image with a title and a description for screen readers (role="img", aria-labelledby) and points
to the table that holds the same figures (its text equivalent). A banded count is drawn as no bar, labelled with
its band, and a count not shown as no bar labelled "—", so a chart never shows more than the tables do.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, BAR_AREA, LABEL_WIDTH, ROW = 360, 220, 70, 24


def _number(value) -> str:
    if value is None:  # not shown (it would reveal a banded count)
        return "—"
    return escape(value) if isinstance(value, str) else number_format(value, force_grouping=True)


def bar_chart(*, chart_id: str, title: str, description: str, rows: list[tuple[str, object]]) -> str:
    """Horizontal bars, one row per (label, value); values are numbers or a band (a string)."""
    numbers = [value for _label, value in rows if isinstance(value, int | float)]
    top = max(numbers, default=0) or 1
    height = ROW * len(rows) + 10
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 5 + index * ROW
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#1d2430">'
            f"{escape(label)}</text>"
        )
        length = round(BAR_AREA * value / top) if isinstance(value, int | float) else 0
        if length:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 8}" fill="#1d5fa8"/>')
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 17}" font-size="13" fill="#1d2430">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
