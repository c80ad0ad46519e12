"""Réunion: the agenda (ordre du jour) of a comité with each action's plan, or its record of decisions
(relevé de décisions) once decisions are entered; also an agenda for a chosen list of actions."""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Sequence

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from cvdesk.domain.money import format_money
from cvdesk.domain.status import status_label
from cvdesk.reports.action_sheet import plan_table, plan_warning_flowables
from cvdesk.reports.styles import (
    CONTENT_WIDTH,
    Cancelled,
    Progress,
    ReportError,
    check_cancel,
    data_table,
    date_fr,
    esc,
    heading,
    label_table,
    markup,
    money,
    para,
    reference_cell,
    sheet_context,
    text_paragraphs,
    write_pdf,
)
from cvdesk.services.report_data import (
    ActionRow,
    actions_by_ids,
    agenda_of_meeting,
    fundings_of_actions,
    meeting_kind_label,
)
from cvdesk.store.models import Meeting

AGENDA = "Ordre du jour"
DECISIONS = "Relevé de décisions"


def agenda_table(rows: list[ActionRow], decisions: dict[int, str] | None = None) -> Any:
    """The files in agenda order: number, reference, action and porteur, cost and amount requested (and the
    decision taken, when given), closed by their total."""
    widths = [10 * mm, 22 * mm, CONTENT_WIDTH - 10 * mm - 22 * mm - 2 * 27 * mm - (30 * mm if decisions else 0),
              27 * mm, 27 * mm]
    header = ["N°", "Référence", "Action et porteur", "Coût total", "Demandé"]
    if decisions is not None:
        widths.append(30 * mm)
        header.append("Décision")
    data: list[list[Any]] = [header]
    for number, row in enumerate(rows, start=1):
        cell = markup(f"<b>{esc(row.title)}</b><br/><font size=7>{esc(row.porteur)}</font>", "cell")
        line = [str(number), reference_cell(row.reference), cell, money(row.total_cost), money(row.requested)]
        if decisions is not None:
            line.append(para(decisions.get(row.id, ""), "cell"))
        data.append(line)
    total = ["", "Total", "", money(sum(r.total_cost for r in rows)), money(sum(r.requested for r in rows))]
    if decisions is not None:
        total.append("")
    data.append(total)
    table = data_table(data, widths, right=(0, 3, 4), total_rows=[len(data) - 1])
    return table


def build_meeting_sheet(meeting_or_actions: int | Sequence[int], out: Path | BinaryIO,
                        progress: Progress | None = None, cancelled: Cancelled | None = None) -> None:
    """A meeting's agenda, or its record of decisions when some are entered; given a list of action ids
    instead of a meeting id, an agenda of those actions."""
    meeting = None
    decisions: dict[int, str] | None = None
    notes: dict[int, str] = {}
    if isinstance(meeting_or_actions, int):
        meeting = Meeting.get_or_none((Meeting.id == meeting_or_actions) & (Meeting.deleted == False))  # noqa: E712
        if meeting is None:
            raise ReportError(f"La réunion n° {meeting_or_actions} n'existe pas.")
        items = agenda_of_meeting(meeting.id)
        action_ids = [item.action_id for item in items]
        if any(item.decision for item in items):
            decisions = {item.action_id: item.decision for item in items}
        notes = {item.action_id: item.notes for item in items if item.notes}
    else:
        action_ids = list(meeting_or_actions)
    title = DECISIONS if decisions is not None else AGENDA
    context = sheet_context(title)
    rows = actions_by_ids(action_ids)
    fundings = fundings_of_actions(action_ids)
    check_cancel(cancelled)

    if meeting is not None:
        story: list[Flowable] = heading(f"{title} – {meeting_kind_label(meeting.kind)} du {date_fr(meeting.date)}",
                                        f"{len(rows)} dossier{'s' if len(rows) > 1 else ''} examiné"
                                        f"{'s' if len(rows) > 1 else ''}")
        story += label_table([(label, value) for label, value in (
            ("Instance", meeting_kind_label(meeting.kind)), ("Date", date_fr(meeting.date)),
            ("Lieu", meeting.place), ("Participants", meeting.attendees), ("Objet", meeting.notes),
        ) if value])
    else:
        story = heading(AGENDA, f"{len(rows)} dossier{'s' if len(rows) > 1 else ''} à examiner")
    story.append(para("Dossiers", "h2"))
    if not rows:
        story.append(para("Aucune action n'est inscrite.", "muted"))
        write_pdf(out, story, context, progress, cancelled)
        return
    story.append(agenda_table(rows, decisions))

    for number, row in enumerate(rows, start=1):
        check_cancel(cancelled)
        lines = fundings.get(row.id, [])
        block: list[Flowable] = [
            para(f"{number}. {row.reference} – {row.title}", "h3"),
            markup(f"Porteur : {esc(row.porteur or '—')} · orientation "
                   f"{esc(row.orientation_number if row.orientation_number is not None else '—')} · statut "
                   f"{esc(status_label(row.status))} · coût total {esc(format_money(row.total_cost))}", "small"),
        ]
        if lines:
            block.append(plan_table(row.total_cost, lines, with_dates=False))
        else:
            block.append(para("Aucun financement n'est demandé.", "muted"))
        block += plan_warning_flowables(row.total_cost, lines)
        block.append(Spacer(1, 2))
        if decisions is not None:
            block.append(markup(f"<b>Décision :</b> {esc(decisions.get(row.id) or 'à prendre')}"))
        story.append(CondPageBreak(30 * mm))
        story.append(KeepTogether(block))
        if row.id in notes:  # after the block kept together: observations may run over pages
            story += text_paragraphs(notes[row.id], prefix="<b>Observations :</b> ")
    write_pdf(out, story, context, progress, cancelled, total_rows=len(rows))
