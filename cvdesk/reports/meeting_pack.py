"""Dossier de séance: a comité's papers in one PDF (cover, agenda, synthesis and envelopes, one action sheet per
agenda item) with page numbers and bookmarks."""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Callable

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFObjectReference
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer

from cvdesk.domain.numbers import grouped
from cvdesk.reports.action_sheet import action_sheet_story, actions_with_links
from cvdesk.reports.meeting_sheet import agenda_table
from cvdesk.reports.programme_figures import envelope_block, funders_table, synthesis_table
from cvdesk.reports.styles import (
    STYLES,
    Cancelled,
    Progress,
    ReportError,
    check_cancel,
    date_fr,
    esc,
    label_table,
    markup,
    para,
    sheet_context,
    write_pdf,
)
from cvdesk.services.report_data import (
    ActionRow,
    actions_by_ids,
    agenda_of_meeting,
    meeting_kind_label,
)
from cvdesk.services.totals import FigureScope, figures
from cvdesk.store.models import Meeting

TITLE = "Dossier de séance"
COVER, AGENDA, SYNTHESIS = "Couverture", "Ordre du jour", "Synthèse"
_OUTLINE_TITLE_CHARS = 160

_COVER_TITLE = ParagraphStyle("cover_title", parent=STYLES["title"], fontSize=24, leading=30, spaceAfter=6)
_COVER_SUBTITLE = ParagraphStyle("cover_subtitle", parent=STYLES["title"], fontSize=15, leading=19, spaceAfter=14)


class Bookmark(Flowable):
    """An outline entry (a PDF bookmark) to the page where this invisible flowable lands; on_page(), when
    given, is told once it is placed (the pack's progress)."""

    def __init__(self, key: str, title: str, level: int = 0, on_page: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.key = key
        self.title = " ".join(title.split())[:_OUTLINE_TITLE_CHARS]
        self.level = level
        self.on_page = on_page

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        destination = canv.bookmarkPage(self.key)
        # The page-numbering canvas keeps every page until the end to print « n / N », so the PDF document still
        # counts the first page while laying out: bind the destination to the page this flowable is drawn on.
        destination.setPage(PDFObjectReference(f"Page{canv.getPageNumber()}"))
        canv.addOutlineEntry(self.title, self.key, self.level)
        canv.showOutline()  # the reader opens with the bookmarks shown: they are the pack's table of contents
        if self.on_page is not None:
            self.on_page()


def item_outline_title(row: ActionRow) -> str:
    """« reference – title », the bookmark of an agenda item's sheet."""
    return f"{row.reference} – {row.title}"


def _plural(n: int, word: str) -> str:
    return f"{grouped(n)} {word}{'s' if n > 1 else ''}"


def _cover(meeting: Meeting, rows: list[ActionRow], years: list[int], contract_name: str) -> list[Flowable]:
    occasion = f"{meeting_kind_label(meeting.kind)} du {date_fr(meeting.date)}"
    story: list[Flowable] = [
        Bookmark("cover", COVER),
        Spacer(1, 35 * mm),
        para(contract_name, "subtitle"),
        Paragraph(esc(TITLE), _COVER_TITLE),
        Paragraph(esc(occasion), _COVER_SUBTITLE),
    ]
    pairs: list[tuple[str, Any]] = [("Instance", meeting_kind_label(meeting.kind))]
    if meeting.title:
        pairs.append(("Intitulé", meeting.title))
    pairs += [
        ("Date", date_fr(meeting.date)),
        ("Lieu", meeting.place or "—"),
        ("Participants", meeting.attendees or "—"),
    ]
    if meeting.notes:
        pairs.append(("Objet", meeting.notes))
    pairs.append(("Dossiers inscrits", _plural(len(rows), "dossier") if rows else "aucun"))
    if years:
        pairs.append(("Programmation", ", ".join(str(y) for y in years)))
    story += label_table(pairs)
    story.append(Spacer(1, 10 * mm))
    story.append(para("Sommaire", "h2"))
    contents = [AGENDA, f"{SYNTHESIS} par orientation et consommation des enveloppes"]
    if rows:
        contents.append(f"Fiches action : {_plural(len(rows), 'dossier')}, dans l'ordre du jour")
    for entry in contents:
        story.append(markup(f"• {esc(entry)}"))
    return story


def _synthesis(rows: list[ActionRow], years: list[int]) -> list[Flowable]:
    story: list[Flowable] = [Bookmark("synthesis", SYNTHESIS), para(SYNTHESIS, "title")]
    story.append(para("Dossiers inscrits à l'ordre du jour, par orientation", "h2"))
    if rows:
        # The agenda's figures from the totals service, printed by the programme's blocks: what waits for this
        # comité's decision shows « — » and « Non décidé » in every table, and each table has its total.
        agenda = figures(FigureScope(action_ids=tuple(row.id for row in rows)))
        story.append(synthesis_table(agenda.orientations, agenda.overall))
        if agenda.funders:
            story.append(KeepTogether([para("Dossiers inscrits, par financeur", "h2"),
                                       funders_table(agenda.funders, agenda.overall, agenda.financed)]))
    else:
        story.append(para("Aucun dossier n'est inscrit à l'ordre du jour.", "muted"))
    for year in years:
        # The programme's own blocks, from the totals services the dashboard reads too.
        scope = FigureScope(year)
        found = figures(scope)
        story.append(para(f"Programmation {year} : toutes les actions de l'année, par orientation", "h2"))
        if found.overall.actions:
            story.append(synthesis_table(found.orientations, found.overall))
        else:
            story.append(para(f"Aucune action n'est programmée en {year}.", "muted"))
        story += envelope_block(scope)
    return story


def build_meeting_pack(meeting_id: int, out: Path | BinaryIO, progress: Progress | None = None,
                       cancelled: Cancelled | None = None) -> None:
    """Write the meeting's pack; progress(done, total) counts the agenda items laid out, cancelled() is polled."""
    meeting = Meeting.get_or_none((Meeting.id == meeting_id) & (Meeting.deleted == False))  # noqa: E712
    if meeting is None:
        raise ReportError(f"La réunion n° {meeting_id} n'existe pas.")
    context = sheet_context(TITLE)
    items = agenda_of_meeting(meeting.id)
    rows = actions_by_ids([item.action_id for item in items])
    years = sorted({row.year for row in rows}) or [meeting.date.year]
    check_cancel(cancelled)

    story = _cover(meeting, rows, sorted({row.year for row in rows}), context.contract_name)
    story += [PageBreak(), Bookmark("agenda", AGENDA),
              para(f"{AGENDA} – {meeting_kind_label(meeting.kind)} du {date_fr(meeting.date)}", "title"),
              para(_plural(len(rows), "dossier") + " à examiner" if rows else "Aucun dossier n'est inscrit.",
                   "subtitle")]
    if rows:
        story.append(agenda_table(rows))
    story += [PageBreak(), *_synthesis(rows, years)]

    total = len(rows)
    actions = actions_with_links([row.id for row in rows])
    for number, row in enumerate(rows, start=1):
        check_cancel(cancelled)
        done = _progress_step(progress, number, total)
        # The item's place goes on the sheet's subtitle line: the sheet keeps the pages it has printed alone.
        story += [PageBreak(), Bookmark(f"item-{number}", item_outline_title(row), on_page=done),
                  *action_sheet_story(actions.get(row.id, row.id), cancelled,  # gone meanwhile: said in French
                                      f"point {number} / {total} de l'ordre du jour")]
    write_pdf(out, story, context, None, cancelled)


def _progress_step(progress: Progress | None, done: int, total: int) -> Callable[[], None] | None:
    if progress is None:
        return None
    return lambda: progress(done, total)
