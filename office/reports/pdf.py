"""PDF and chart rendering for the office's reports, with matplotlib only (Agg backend: no display needed).

A document is a list of blocks: ("title", text), ("heading", text), ("text", text), ("table", columns, rows),
("image", png_bytes). Text is embedded as TrueType (fonttype 42) so that it can be searched and extracted;
charts are drawn to PNG first and placed on the page as images.
"""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Sequence

import matplotlib
from django.utils.formats import number_format
from django.utils.translation import gettext as _

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

# Font subsetting logs every glyph at INFO: not worth anyone's log space.
logging.getLogger("fontTools").setLevel(logging.WARNING)

PAGE_WIDTH, PAGE_HEIGHT = 8.27, 11.69  # A4, inches
MARGIN = 0.6
LINE = 0.19  # inches per line of body text
WRAP = 110  # characters per line of body text
RC = {"pdf.fonttype": 42, "font.family": "DejaVu Sans"}
# Tables of up to GRID_MAX_COLUMNS columns are drawn as a grid at GRID_SIZE points; GRID_CHARS characters of
# DejaVu Sans at that size fill the width between the margins (an average character is about 0.55 em).
GRID_MAX_COLUMNS = 9
GRID_SIZE = 7
GRID_CHAR_INCHES = GRID_SIZE * 0.56 / 72
GRID_CHARS = int((PAGE_WIDTH - 2 * MARGIN) / GRID_CHAR_INCHES)
SHORT_CELL = 14


def _wrap(text: str, width: int) -> list[str]:
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, max(width - 1, 3), break_long_words=True) or [""]
    return lines


def column_widths(columns: Sequence[str], rows: Sequence[Sequence], total: int) -> list[int]:
    """Characters per column: each column gets what its longest cell needs when everything fits; otherwise every
    column keeps at least its longest word (up to a sixth of the width) and the rest is shared in proportion to
    what each column still wants."""
    wanted, floor = [], []
    for i, name in enumerate(columns):
        cells = [str(name)] + [str(row[i]) for row in rows]
        longest = max(len(line) for cell in cells for line in (cell.splitlines() or [""])) + 2
        word = max((len(w) for cell in cells for w in cell.split()), default=1) + 2
        # Short values (names, numbers, a camera) stay on one line; long ones wrap at word boundaries.
        keep = longest if longest <= SHORT_CELL else word
        wanted.append(longest)
        floor.append(min(max(word, keep), total // 5))
    if sum(wanted) <= total:
        spare = total - sum(wanted)
        return [w + spare * w // sum(wanted) for w in wanted]
    spare = max(0, total - sum(floor))
    extra = [w - f for w, f in zip(wanted, floor, strict=True)]
    return [f + (spare * e // sum(extra) if sum(extra) else 0) for f, e in zip(floor, extra, strict=True)]


class _Writer:
    def __init__(self, pdf: PdfPages, title: str):
        self.pdf, self.title, self.page = pdf, title, 0
        self.figure: Figure | None = None
        self.y = 0.0

    def _new_page(self) -> None:
        self._flush()
        self.page += 1
        self.figure = plt.figure(figsize=(PAGE_WIDTH, PAGE_HEIGHT))
        self.figure.text(
            MARGIN / PAGE_WIDTH,
            0.3 / PAGE_HEIGHT,
            _("%(title)s - page %(page)s") % {"title": self.title, "page": self.page},
            fontsize=7,
        )
        self.y = PAGE_HEIGHT - MARGIN

    def _flush(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
            plt.close(self.figure)
            self.figure = None

    def _room(self, height: float) -> None:
        if self.figure is None or self.y - height < MARGIN:
            self._new_page()

    def line(self, text: str, *, size: float = 8, weight: str = "normal", indent: float = 0.0) -> None:
        height = LINE * size / 8
        self._room(height)
        self.y -= height
        x = (MARGIN + indent) / PAGE_WIDTH
        self.figure.text(x, self.y / PAGE_HEIGHT, text, fontsize=size, fontweight=weight, family="DejaVu Sans")

    def text(
        self, text: str, *, size: float = 8, weight: str = "normal", indent: float = 0.0, hanging: bool = False
    ) -> None:
        width = int(WRAP * 8 / size - indent * 12)
        follow = "      " if hanging else ""  # a wrapped "label: value" line continues under its value
        for paragraph in str(text).splitlines() or [""]:
            for piece in textwrap.wrap(paragraph, width, subsequent_indent=follow) or [""]:
                self.line(piece, size=size, weight=weight, indent=indent)

    def table(self, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
        if not rows:
            self.text(_("None."), indent=0.1)
            return
        if len(columns) <= 3:
            for row in rows:
                cells = [str(c) for c in row]
                self.text(f"{cells[0]}: " + " | ".join(cells[1:]), indent=0.1, hanging=True)
            return
        if len(columns) <= GRID_MAX_COLUMNS:
            self.grid(columns, rows)
            return
        # Very wide tables: one block per row, "column: value" on each line, so nothing is cut off.
        for row in rows:
            self._room(LINE * 2)
            self.text(f"{columns[0]}: {row[0]}", weight="bold", indent=0.1)
            for name, value in zip(columns[1:], row[1:], strict=True):
                self.text(f"{name}: {value}", indent=0.3)
            self.y -= LINE / 3

    def grid(self, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
        """A table in columns, each cell wrapped to its column's width; the header repeats on every page."""
        widths = column_widths(columns, rows, GRID_CHARS)
        line = GRID_SIZE * 1.25 / 72  # inches per line of a cell
        header = [_wrap(str(c), w) for c, w in zip(columns, widths, strict=True)]
        header_height = max(len(c) for c in header) * line
        lefts, x = [], MARGIN
        for width in widths:
            lefts.append(x)
            x += width * GRID_CHAR_INCHES

        def draw(cells: list[list[str]], height: float, weight: str) -> None:
            for left, lines in zip(lefts, cells, strict=True):
                self.figure.text(
                    left / PAGE_WIDTH,
                    self.y / PAGE_HEIGHT,
                    "\n".join(lines),
                    fontsize=GRID_SIZE,
                    fontweight=weight,
                    va="top",
                    linespacing=1.25 / 1.2,
                    family="DejaVu Sans",
                )
            self.y -= height
            self.figure.add_artist(
                Line2D(
                    [MARGIN / PAGE_WIDTH, (PAGE_WIDTH - MARGIN) / PAGE_WIDTH],
                    [(self.y + line * 0.2) / PAGE_HEIGHT] * 2,
                    linewidth=0.3,
                    color="#bbbbbb",
                )
            )
            self.y -= line * 0.35

        def new_page_with_header() -> None:
            self._new_page()
            draw(header, header_height, "bold")

        if self.figure is None or self.y - header_height - 3 * line < MARGIN:
            new_page_with_header()
        else:
            self.y -= line * 0.6  # clear of the heading above
            draw(header, header_height, "bold")
        for row in rows:
            cells = [_wrap(str(v), w) for v, w in zip(row, widths, strict=True)]
            height = max(len(c) for c in cells) * line
            if self.y - height < MARGIN:
                new_page_with_header()
            draw(cells, height, "normal")
        self.y -= LINE / 3

    def image(self, png: bytes) -> None:
        image = plt.imread(io.BytesIO(png), format="png")
        height_px, width_px = image.shape[:2]
        width = PAGE_WIDTH - 2 * MARGIN
        height = width * height_px / width_px
        self._room(height + LINE)
        self.y -= height
        axes = self.figure.add_axes(
            (MARGIN / PAGE_WIDTH, self.y / PAGE_HEIGHT, width / PAGE_WIDTH, height / PAGE_HEIGHT)
        )
        axes.imshow(image, interpolation="none")
        axes.set_axis_off()
        self.y -= LINE


def render_pdf(title: str, blocks: Sequence[tuple]) -> bytes:
    """The blocks as a PDF document (bytes)."""
    buffer = io.BytesIO()
    with plt.rc_context(RC), PdfPages(buffer, metadata={"Title": str(title), "Creator": "oversight platform"}) as pdf:
        writer = _Writer(pdf, title)
        for block in blocks:
            kind = block[0]
            if kind == "title":
                writer.text(block[1], size=15, weight="bold")
            elif kind == "heading":
                writer.y -= LINE / 2
                writer.text(block[1], size=11, weight="bold")
            elif kind == "text":
                writer.text(block[1])
            elif kind == "table":
                writer.table(block[1], block[2])
            elif kind == "image":
                writer.image(block[1])
            else:
                raise ValueError(f"unknown block {kind!r}")
        if writer.figure is None:
            writer._new_page()
        writer._flush()
    return buffer.getvalue()


def bar_chart_figure(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float]], *, ylabel: str = "", log: bool = False
) -> Figure:
    """A grouped bar chart; counts get whole-number ticks, every tick reads in the active language's format."""
    figure = plt.figure(figsize=(7.0, 2.8), dpi=110)
    axes = figure.add_subplot(1, 1, 1)
    count = max(len(series), 1)
    width = 0.8 / count
    for i, (name, values) in enumerate(series.items()):
        positions = [x + (i - (count - 1) / 2) * width for x in range(len(labels))]
        axes.bar(positions, values, width=width, label=name)
    axes.set_xticks(range(len(labels)), labels, fontsize=7)
    axes.set_title(title, fontsize=10)
    axes.set_ylabel(ylabel, fontsize=8)
    if log:
        axes.set_yscale("symlog")
    counts = all(float(v).is_integer() for values in series.values() for v in values)
    if counts and not log:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # no "2.5 alerts" on a count axis
    # Tick labels in the reader's format (decimal comma and thousands separator in Czech).
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: number_format(value, 0 if counts else None, force_grouping=True))
    )
    axes.legend(fontsize=7)
    figure.tight_layout()
    return figure


def bar_chart_png(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float]], *, ylabel: str = "", log: bool = False
) -> bytes:
    """A grouped bar chart as PNG bytes."""
    with plt.rc_context(RC):
        figure = bar_chart_figure(title, labels, series, ylabel=ylabel, log=log)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
    return buffer.getvalue()
