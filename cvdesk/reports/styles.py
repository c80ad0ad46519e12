"""The shared look of the PDF sheets: embedded fonts, styles, A4 page with header and footer, safe writing."""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, HRFlowable, KeepTogether, PageTemplate, Paragraph,
                                Spacer, Table, TableStyle)

from cvdesk.domain.dates import format_date
from cvdesk.domain.money import format_money
from cvdesk.domain.numbers import grouped
from cvdesk.resources import resource
from cvdesk.services.validation import LONG_TEXT

FONT = "CvSans"
FONT_BOLD = "CvSans-Bold"
FONT_ITALIC = "CvSans-Italic"
FONT_BOLD_ITALIC = "CvSans-BoldItalic"
_FONT_FILES = {
    FONT: "DejaVuSansCondensed.ttf",
    FONT_BOLD: "DejaVuSansCondensed-Bold.ttf",
    FONT_ITALIC: "DejaVuSansCondensed-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSansCondensed-BoldOblique.ttf",
}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

# A sober palette: the dark blue of State documents, greys for rules and shading.
BLUE = colors.HexColor("#000091")
DARK = colors.HexColor("#1e1e1e")
GREY = colors.HexColor("#666666")
RULE = colors.HexColor("#b0b0c8")
HEADER_FILL = colors.HexColor("#e3e3f5")
SUBTOTAL_FILL = colors.HexColor("#f0f0f6")
TOTAL_FILL = colors.HexColor("#d5d5ec")
ZEBRA = colors.HexColor("#f7f7f7")

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class ReportCancelled(Exception):
    """The user cancelled the sheet while it was being built; nothing was written."""

    def __init__(self) -> None:
        super().__init__("L'impression a été annulée : aucun fichier n'a été écrit.")


class ReportError(Exception):
    """A sheet cannot be built from what was asked (unknown record…); str() is one French sentence."""


def register_fonts() -> None:
    """Register the shipped TTF family once, so that <b> and <i> pick the right face."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)


register_fonts()


def _style(name: str, **kwargs: Any) -> ParagraphStyle:
    base = {"fontName": FONT, "fontSize": 9, "leading": 11.5, "textColor": DARK}
    base.update(kwargs)
    return ParagraphStyle(name, **base)


STYLES: dict[str, ParagraphStyle] = {
    "body": _style("body"),
    "small": _style("small", fontSize=7.5, leading=9.5),
    "muted": _style("muted", fontSize=8, leading=10, textColor=GREY, fontName=FONT_ITALIC),
    "title": _style("title", fontName=FONT_BOLD, fontSize=16, leading=20, textColor=BLUE, spaceAfter=2),
    "subtitle": _style("subtitle", fontSize=10.5, leading=13, textColor=GREY, spaceAfter=8),
    # A heading never ends a page alone: it goes over with what it announces.
    "h2": _style("h2", fontName=FONT_BOLD, fontSize=11.5, leading=14, textColor=BLUE, spaceBefore=10,
                 spaceAfter=4, keepWithNext=1),
    "h3": _style("h3", fontName=FONT_BOLD, fontSize=9.5, leading=12, spaceBefore=6, spaceAfter=3, keepWithNext=1),
    "cell": _style("cell", fontSize=8, leading=9.8),
    "cell_bold": _style("cell_bold", fontName=FONT_BOLD, fontSize=8, leading=9.8),
    "cell_small": _style("cell_small", fontSize=7, leading=9.8),
    "cell_right": _style("cell_right", fontSize=8, leading=9.8, alignment=TA_RIGHT),
    "label": _style("label", fontName=FONT_BOLD, fontSize=8, leading=9.8, textColor=GREY, alignment=TA_LEFT),
}

CELL_FONT_SIZE = 8
CELL_LEADING = 9.8

# The body frame's height (A4 less the margins SheetDocument sets); a table row taller than a quarter of it is
# a long text, which splits inside itself rather than leave most of a page blank or fail to fit at all.
FRAME_HEIGHT = PAGE_HEIGHT - (MARGIN + 4 * mm) - MARGIN
TALL_ROW = FRAME_HEIGHT / 4
# No piece of a split row is shorter than three lines of a cell: no widowed line at a page's foot or head.
SHORTEST_PIECE = 3 * CELL_LEADING + 4.5


# The most a sheet prints of one text: the most a field accepts. A longer text (stored before the caps existed, or
# by another program) is cut with a note saying so, so that a sheet never takes minutes to lay out.
PRINT_LIMIT = LONG_TEXT
# A label's value longer than this leaves the identity table and flows below its label (see label_table).
LONG_VALUE_CHARS = 1_000
LONG_VALUE_LINES = 12
_BLANK_LINES = re.compile(r"\n{3,}")


def printable(text: object) -> str:
    """User text as a sheet prints it: line ends unified, runs of empty lines kept to one, and anything past
    PRINT_LIMIT characters left out with a note that says how much."""
    value = str(text or "")
    if len(value) <= PRINT_LIMIT and "\n" not in value and "\r" not in value:
        return value  # the usual case, tens of thousands of times in a national programme
    left_out = len(value) - PRINT_LIMIT
    if left_out > 0:
        value = value[:PRINT_LIMIT]
    value = _BLANK_LINES.sub("\n\n", value.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    if left_out > 0:
        value += f" […]\n(Texte coupé à l'impression : {grouped(left_out)} caractères de plus ne sont pas imprimés.)"
    return value


def esc(text: object) -> str:
    """User text made safe for a Paragraph, on one line: markup characters escaped, a line break (a name pasted
    from a spreadsheet cell) printed as a space, so that a name or a title never makes a row taller than a page."""
    return escape(printable(text).replace("\n", " "))


def esc_lines(text: object) -> str:
    """A free text (notes, address…) made safe for a Paragraph, its line breaks kept."""
    return escape(printable(text)).replace("\n", "<br/>")


def _indented(style: str, indent: float) -> ParagraphStyle:
    key = f"{style}+{indent:.1f}"
    if key not in STYLES:
        STYLES[key] = ParagraphStyle(key, parent=STYLES[style], leftIndent=indent, rightIndent=3 if indent else 0)
    return STYLES[key]


def text_paragraphs(text: object, style: str = "body", indent: float = 0, prefix: str = "") -> list[Flowable]:
    """A long user text as one paragraph per line, so that it flows across pages and lays out in linear time
    whatever its length (one paragraph of thousands of <br/> lines is re-wrapped at every page); prefix is our
    own markup put before the first line."""
    paragraph_style = _indented(style, indent)
    story: list[Flowable] = []
    for number, line in enumerate(printable(text).split("\n")):
        body = (prefix if number == 0 else "") + escape(line)
        if body.strip():
            story.append(Paragraph(body, paragraph_style))
        else:
            story.append(Spacer(1, paragraph_style.leading / 2))
    return story


def para(text: object, style: str = "body", lines: bool = False) -> Paragraph:
    """A paragraph of user text (escaped), on one line unless lines keeps its line breaks (a free text)."""
    return Paragraph(esc_lines(text) if lines else esc(text), STYLES[style])


def markup(text: str, style: str = "body") -> Paragraph:
    """A paragraph of our own markup; every piece of user text in it must already go through esc()."""
    return Paragraph(text, STYLES[style])


def money(cents: int | None) -> str:
    """An amount for a cell: "12 500,00 €", or a dash when there is none yet."""
    return "—" if cents is None else format_money(cents)


def date_fr(value: date | None) -> str:
    return format_date(value)


@dataclass
class SheetContext:
    """What every page repeats: the contract's name, the sheet's title, the demo mark and the print date."""

    contract_name: str
    title: str
    demo: bool = False
    printed_on: date = field(default_factory=date.today)


def sheet_context(title: str) -> SheetContext:
    from cvdesk.services.reference import current_contract
    from cvdesk.store.settings import is_demo

    contract = current_contract()
    return SheetContext(contract.name if contract else "Contrat de ville", title, is_demo())


class FlowingTable(Table):
    """A table that splits between rows as usual, and inside a row only when that row is a long text (taller
    than TALL_ROW): a note of any length flows across pages instead of failing with a LayoutError."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (reportlab's names)
        parts = super().split(availWidth, availHeight)
        if not parts and not self.splitInRow and self._blocking_row_is_tall(availHeight):
            self.splitInRow = SHORTEST_PIECE
            try:
                parts = super().split(availWidth, availHeight)
            finally:
                self.splitInRow = 0
        for part in parts:
            part.splitInRow = 0  # the pieces carry the setting; short rows there must still move whole
            part.counts_for_progress = getattr(self, "counts_for_progress", True)
        return parts

    def _blocking_row_is_tall(self, available: float) -> bool:
        """Whether the first row that does not fit in the available height is a long text."""
        used = 0.0
        for height in self._rowHeights:
            used += height
            if used > available:
                return height > TALL_ROW
        return False


def data_table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    right: Iterable[int] = (),
    subtotal_rows: Iterable[int] = (),
    total_rows: Iterable[int] = (),
    header_rows: int = 1,
    zebra: bool = True,
    counts_for_progress: bool = True,
    row_heights: Sequence[float | None] | None = None,
) -> Table:
    """A table with a shaded header repeated on every page, right-aligned amount columns, light rules;
    its rows count in the progress unless it is a summary (counts_for_progress=False)."""
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, CELL_FONT_SIZE, CELL_LEADING),
        ("TEXTCOLOR", (0, 0), (-1, -1), DARK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header_rows:
        commands += [
            ("FONT", (0, 0), (-1, header_rows - 1), FONT_BOLD, CELL_FONT_SIZE, CELL_LEADING),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
            ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, BLUE),
            ("VALIGN", (0, 0), (-1, header_rows - 1), "BOTTOM"),
        ]
    for col in right:
        commands.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, ZEBRA]))
    for row in subtotal_rows:
        commands += [("BACKGROUND", (0, row), (-1, row), SUBTOTAL_FILL),
                     ("FONT", (0, row), (-1, row), FONT_BOLD, CELL_FONT_SIZE, CELL_LEADING)]
    for row in total_rows:
        commands += [("BACKGROUND", (0, row), (-1, row), TOTAL_FILL),
                     ("FONT", (0, row), (-1, row), FONT_BOLD, CELL_FONT_SIZE, CELL_LEADING),
                     ("LINEABOVE", (0, row), (-1, row), 0.8, BLUE)]
    table = FlowingTable(list(rows), colWidths=list(widths), rowHeights=None if row_heights is None else
                         list(row_heights), repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    table.counts_for_progress = counts_for_progress
    return table


# Makes a piece of a PagedTable: (header and body rows, whether they end the table, their known heights).
PieceBuilder = Callable[[list[Sequence[Any]], bool, "list[float | None] | None"], Table]


class PagedTable(Flowable):
    """A long table laid out a page at a time: each page's piece is a table of the header and just enough rows to
    pass the page, split as reportlab splits the whole table, so the pages are the same (header repeated, zebra
    restarting, the closing rows kept together) while a split costs a page of rows instead of all the rows left
    (a 2,000-row table split at each of its 80 pages recomputed its spans and heights 80 times).

    build(rows, last, heights) makes the table of the header and some body rows (data_table(…, row_heights=
    heights)); last says they end the table, so that its closing styles (subtotal, spans, rows kept together, in
    negative indices) apply only then. heights are the rows' heights already measured (None where not yet): a
    row's cells are measured once, not at each window that holds it."""

    def __init__(self, rows: Sequence[Sequence[Any]], build: PieceBuilder, header_rows: int = 1,
                 start: int | None = None, heights: dict[int, float] | None = None) -> None:
        super().__init__()
        self._rows = rows
        self._build = build
        self._header = header_rows
        self._start = header_rows if start is None else start
        self._heights: dict[int, float] = {} if heights is None else heights
        self._piece: tuple[float, float, Table, bool] | None = None
        self.drawn_table: Table | None = None  # what afterFlowable counts when the rest fits and is drawn whole

    def _window(self, width: float, height: float) -> tuple[Table, bool]:
        """The header and the fewest rows (from the first one left) that are taller than height, or all of them."""
        if self._piece is not None and self._piece[:2] == (width, height):
            return self._piece[2], self._piece[3]
        left = len(self._rows) - self._start
        count = int(height / (2 * CELL_LEADING)) + 2  # a body row is rarely less than two lines tall
        while True:
            count = min(count, left)
            last = count == left
            table = self._piece_table(self._start, self._start + count, last)
            _, table_height = table.wrap(width, height)
            self._remember(table, self._start)
            if last or table_height > height:
                break
            count *= 2
        self._piece = (width, height, table, last)
        return table, last

    def _piece_table(self, start: int, end: int, last: bool) -> Table:
        indices = [*range(self._header), *range(start, end)]
        return self._build([self._rows[i] for i in indices], last, [self._heights.get(i) for i in indices])

    def _remember(self, table: Table, start: int) -> None:
        heights = table._rowHeights
        for i in range(self._header):
            self._heights[i] = heights[i]
        for offset, height in enumerate(heights[self._header:]):
            self._heights[start + offset] = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab's names)
        # KeepTogether measures its content in an endless height: any height past the page's compares the same.
        table, last = self._window(availWidth, min(availHeight, PAGE_HEIGHT))
        self.drawn_table = table if last else None
        return table.wrap(availWidth, availHeight) if last else (table._width, table._height)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (reportlab's names)
        table, last = self._window(availWidth, availHeight)
        parts = table.split(availWidth, availHeight)
        if last or len(parts) != 2:
            return parts
        first, rest = parts
        body = len(table._cellvalues) - self._header
        if (first._nrows - self._header) + (rest._nrows - self._header) != body:
            # A tall row was cut inside itself (FlowingTable): the rest is left to reportlab whole.
            whole = self._piece_table(self._start, len(self._rows), True)
            return whole.split(availWidth, availHeight)
        return [first, PagedTable(self._rows, self._build, self._header, self._start + first._nrows - self._header,
                                  self._heights)]

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803 (reportlab's)
        assert self.drawn_table is not None, "a PagedTable is drawn only when what is left fits"
        self.drawn_table.drawOn(canvas, x, y, _sW)


def paged_table(rows: Sequence[Sequence[Any]], build: PieceBuilder, header_rows: int = 1) -> Flowable:
    """A table of thousands of rows that lays out in linear time (see PagedTable); a short one is built at once."""
    if len(rows) - header_rows <= 60:
        return build(list(rows), True, None)
    return PagedTable(rows, build, header_rows)


def long_text(value: Any) -> bool:
    """Whether a user text is too long for a table cell (it goes in paragraphs after or below the table)."""
    if isinstance(value, Flowable):
        return False
    text = printable(value)
    return len(text) > LONG_VALUE_CHARS or text.count("\n") > LONG_VALUE_LINES


def _label_rows(rows: list[list[Any]], label_width: float, rule_below: bool = True) -> Table:
    table = FlowingTable(rows, colWidths=[label_width, CONTENT_WIDTH - label_width], hAlign="LEFT")
    table.counts_for_progress = False
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, CELL_FONT_SIZE, CELL_LEADING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        *([("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)] if rule_below else []),
    ]))
    return table


def _long_value(label: str, text: object, label_width: float) -> list[Flowable]:
    """A long text under its label: paragraphs in the value column, the label hanging beside the first line as
    in the table (a paragraph's bullet), the table's rule after the last line; it flows across pages."""
    story = text_paragraphs(text, "cell", indent=label_width + 3)
    first = story[0]
    if isinstance(first, Paragraph):
        labelled = ParagraphStyle(f"{first.style.name}+label", parent=first.style, bulletIndent=3,
                                  bulletFontName=FONT_BOLD, bulletFontSize=CELL_FONT_SIZE, bulletColor=GREY,
                                  spaceBefore=1.5)
        # Given to the paragraph rather than its style, the label is not repeated where the text goes on.
        story[0] = Paragraph(first.text, labelled, bulletText=label)
    return [*story, HRFlowable(width="100%", thickness=0.25, color=RULE, spaceBefore=1.5, spaceAfter=0)]


def label_table(pairs: Sequence[tuple[str, Any]], label_width: float = 42 * mm) -> list[Flowable]:
    """An identity block: a grey label on the left, the value (text or flowable) on the right. A long text
    (notes, participants…) leaves the table: a table row cannot flow across pages, a paragraph can."""
    story: list[Flowable] = []
    rows: list[list[Any]] = []
    for label, value in pairs:
        if long_text(value):
            if rows:
                story.append(_label_rows(rows, label_width))
                rows = []
            story += _long_value(label, value, label_width)
        else:
            rows.append([Paragraph(esc(label), STYLES["label"]),
                         value if isinstance(value, Flowable) else para(value, "cell", lines=True)])
    if rows:
        story.append(_label_rows(rows, label_width))
    return story


@lru_cache(maxsize=4096)
def fit_width(text: str, width: float, font: str = FONT_BOLD, size: float = 8) -> str:
    """The text cut with an ellipsis so that it fits the width on one line (found by halving, so that a name
    of any length costs a few measures; remembered, as a programme fits the same funders' names on every row)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    low, high = 0, min(len(text), int(width))  # a character is wider than a point at these sizes
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle].rstrip() + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


class CellParagraph(Paragraph):
    """A paragraph in a table cell, wrapped once per width: a table measures its cells when it is laid out,
    again for each piece it splits into and again to draw them; the lines found the first time stand."""

    _wrapped: tuple[float, float, float] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab's)
        if self._wrapped is not None and self._wrapped[0] == availWidth:
            return self._wrapped[1], self._wrapped[2]
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, width, height)
        return width, height


class _SmallerBelow(CellParagraph):
    """A paragraph in a smaller size that goes on from a bigger one in the same cell: drawn lower by the sizes'
    difference, its lines sit where they sat as lines of one mixed-size paragraph (whose first line set the
    baseline), on the same leading."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803 (reportlab's)
        super().drawOn(canvas, x, y - self._drop, _sW)


def title_cell(title: object, detail: str, title_style: str = "cell_bold", detail_style: str = "cell_small") -> Any:
    """A cell with a bold title and a smaller line of detail under it (our markup: user text goes through esc()),
    as two single-font paragraphs: a mixed-font paragraph wraps and draws several times slower, and a national
    programme has ten thousand such cells. The lines fall where « <b>title</b><br/><font size=7>detail</font> »
    put them."""
    text = esc(title).strip()
    if not text:
        return Paragraph(f"<br/>{detail}", STYLES[detail_style])
    upper, lower = STYLES[title_style], STYLES[detail_style]
    below = _SmallerBelow(detail, lower)
    below._drop = upper.fontSize - lower.fontSize
    return [CellParagraph(text, upper), below]


def reference_cell(reference: str) -> Any:
    """A reference as a table cell: the plain string when it is short (fast, tens of thousands of rows), a
    wrapping paragraph when it would overflow its column."""
    if len(reference) <= 14 and "\n" not in reference:
        return reference
    return para(reference, "cell")


def heading(title: str, subtitle: str = "") -> list[Flowable]:
    """The sheet's own title block on the first page (user text escaped)."""
    story: list[Flowable] = [para(title, "title")]
    if subtitle:
        story.append(para(subtitle, "subtitle"))
    else:
        story.append(Spacer(1, 6))
    return story


class _NumberedCanvas(rl_canvas.Canvas):
    """Keeps the pages until the end so that each footer can say "Page n / N"."""

    def __init__(self, *args: Any, context: SheetContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._context = context
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(GREY)
            self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 9 * mm, f"Page {self._pageNumber} / {total}")
            super().showPage()
        super().save()


def _decorate(context: SheetContext, canv: rl_canvas.Canvas, doc: BaseDocTemplate) -> None:
    canv.saveState()
    top = PAGE_HEIGHT - MARGIN + 6 * mm
    canv.setFont(FONT_BOLD, 8.5)
    canv.setFillColor(BLUE)
    width = CONTENT_WIDTH - pdfmetrics.stringWidth(context.title, FONT, 8.5) - 8 * mm
    name = fit_width(" ".join(context.contract_name[:1_000].split()), width, FONT_BOLD, 8.5)
    canv.drawString(MARGIN, top, name)
    canv.setFont(FONT, 8.5)
    canv.setFillColor(GREY)
    canv.drawRightString(PAGE_WIDTH - MARGIN, top, context.title)
    canv.setStrokeColor(BLUE)
    canv.setLineWidth(0.8)
    canv.line(MARGIN, top - 2.2 * mm, PAGE_WIDTH - MARGIN, top - 2.2 * mm)
    bottom = MARGIN - 9 * mm
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.4)
    canv.line(MARGIN, bottom + 3.6 * mm, PAGE_WIDTH - MARGIN, bottom + 3.6 * mm)
    canv.setFont(FONT, 7.5)
    canv.drawString(MARGIN, bottom, f"Imprimé le {date_fr(context.printed_on)}")
    if context.demo:
        canv.setFont(FONT_ITALIC, 7.5)
        canv.drawCentredString(PAGE_WIDTH / 2, bottom, "Données de démonstration")
    canv.restoreState()


class _KeptWithNext(KeepTogether):
    """A heading and what follows it (style keepWithNext): the heading never ends a page alone, but what follows
    starts here as soon as the heading and a few lines fit, so that a long table or text leaves no blank page."""

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 (reportlab's names)
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        if self._H > aH and aH >= self._H0 + 2 * SHORTEST_PIECE:
            return list(self._content)
        return super().split(aW, aH)


class SheetDocument(BaseDocTemplate):
    """An A4 document whose pages carry the header and footer, reporting progress and honouring cancel."""

    def __init__(self, target: Any, context: SheetContext, progress: Progress | None = None,
                 cancelled: Cancelled | None = None, total_rows: int = 0) -> None:
        super().__init__(
            target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 4 * mm,
            bottomMargin=MARGIN, title=f"{context.title} – {context.contract_name}", author="cvdesk",
            creator="cvdesk", subject=context.title, lang="fr-FR", initialFontName=FONT, initialFontSize=9,
            keepTogetherClass=_KeptWithNext,
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=partial(_decorate, context))])
        self._context = context
        self._progress = progress
        self._cancelled = cancelled
        self._total_rows = total_rows
        self._rows_done = 0

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's name)
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelled()
        # Split parts of a long table are new Table objects without the mark: they count, as they should.
        flowable = getattr(flowable, "drawn_table", None) or flowable
        if (self._progress is not None and self._total_rows and isinstance(flowable, Table)
                and getattr(flowable, "counts_for_progress", True)):
            self._rows_done = min(self._total_rows, self._rows_done + max(0, flowable._nrows - flowable.repeatRows))
            self._progress(self._rows_done, self._total_rows)


def write_pdf(out: Path | BinaryIO, story: list[Flowable], context: SheetContext, progress: Progress | None = None,
              cancelled: Cancelled | None = None, total_rows: int = 0) -> None:
    """Lay the story out; a path is written through a temporary file renamed at the end, so a failed or
    cancelled build leaves no partial file behind."""
    if cancelled is not None and cancelled():
        raise ReportCancelled()
    maker = partial(_NumberedCanvas, context=context)
    if not isinstance(out, (str, Path)):
        SheetDocument(out, context, progress, cancelled, total_rows).build(story, canvasmaker=maker)
        return
    out = Path(out)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        SheetDocument(str(tmp), context, progress, cancelled, total_rows).build(story, canvasmaker=maker)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a printed sheet is an ordinary document
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ReportCancelled()
