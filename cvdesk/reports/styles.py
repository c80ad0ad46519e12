"""The shared look of the PDF sheets: embedded fonts, styles, A4 page with header and footer, safe writing."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from functools import partial
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
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from cvdesk.domain.money import NBSP, format_money
from cvdesk.resources import resource

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
    "h2": _style("h2", fontName=FONT_BOLD, fontSize=11.5, leading=14, textColor=BLUE, spaceBefore=10,
                 spaceAfter=4),
    "h3": _style("h3", fontName=FONT_BOLD, fontSize=9.5, leading=12, spaceBefore=6, spaceAfter=3),
    "cell": _style("cell", fontSize=8, leading=9.8),
    "cell_bold": _style("cell_bold", fontName=FONT_BOLD, fontSize=8, leading=9.8),
    "cell_right": _style("cell_right", fontSize=8, leading=9.8, alignment=TA_RIGHT),
    "label": _style("label", fontName=FONT_BOLD, fontSize=8, leading=9.8, textColor=GREY, alignment=TA_LEFT),
}

CELL_FONT_SIZE = 8
CELL_LEADING = 9.8


def esc(text: object) -> str:
    """User text made safe for a Paragraph: markup characters escaped, line breaks kept."""
    return escape(str(text or "")).replace("\r\n", "\n").replace("\n", "<br/>")


def para(text: object, style: str = "body") -> Paragraph:
    """A paragraph of user text (escaped)."""
    return Paragraph(esc(text), STYLES[style])


def markup(text: str, style: str = "body") -> Paragraph:
    """A paragraph of our own markup; every piece of user text in it must already go through esc()."""
    return Paragraph(text, STYLES[style])


def money(cents: int | None) -> str:
    """An amount for a cell: "12 500,00 €", or a dash when there is none yet."""
    return "—" if cents is None else format_money(cents)


def date_fr(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def count_fr(number: int) -> str:
    """An integer with no-break spaces between groups of three digits: 36 000."""
    return f"{number:,}".replace(",", NBSP)


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


def data_table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    right: Iterable[int] = (),
    subtotal_rows: Iterable[int] = (),
    total_rows: Iterable[int] = (),
    header_rows: int = 1,
    zebra: bool = True,
    counts_for_progress: bool = True,
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
    table = Table(list(rows), colWidths=list(widths), repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    table.counts_for_progress = counts_for_progress
    return table


def label_table(pairs: Sequence[tuple[str, Any]], label_width: float = 42 * mm) -> Table:
    """An identity block: a grey label on the left, the value (text or flowable) on the right."""
    rows = [[Paragraph(esc(label), STYLES["label"]), value if isinstance(value, Flowable) else para(value, "cell")]
            for label, value in pairs]
    table = Table(rows, colWidths=[label_width, CONTENT_WIDTH - label_width], hAlign="LEFT")
    table.counts_for_progress = False
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, CELL_FONT_SIZE, CELL_LEADING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]))
    return table


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
    name = context.contract_name
    width = CONTENT_WIDTH - pdfmetrics.stringWidth(context.title, FONT, 8.5) - 8 * mm
    while name and pdfmetrics.stringWidth(name, FONT_BOLD, 8.5) > width:
        name = name[:-2] + "…"
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


class SheetDocument(BaseDocTemplate):
    """An A4 document whose pages carry the header and footer, reporting progress and honouring cancel."""

    def __init__(self, target: Any, context: SheetContext, progress: Progress | None = None,
                 cancelled: Cancelled | None = None, total_rows: int = 0) -> None:
        super().__init__(
            target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 4 * mm,
            bottomMargin=MARGIN, title=f"{context.title} – {context.contract_name}", author="cvdesk",
            creator="cvdesk", subject=context.title, lang="fr-FR", initialFontName=FONT, initialFontSize=9,
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
