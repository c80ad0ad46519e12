"""Réunion: the agenda (ordre du jour) of a comité with each action's plan, or its record of decisions
(relevé de décisions) once decisions are entered; also an agenda for a chosen list of actions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Sequence

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from cvdesk.domain.decisions import CLOSED, NO_OUTCOME_LABEL, OUTCOMES
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
from cvdesk.services.meetings import agenda
from cvdesk.services.report_data import (
    ActionRow,
    actions_by_ids,
    fundings_of_actions,
    meeting_kind_label,
)
from cvdesk.store.models import Funder, Meeting

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


@dataclass(frozen=True)
class _Decision:
    """An item's decision as the relevé prints it: its label, a partial grant's amounts by funder name (in the
    funders' order) and the note."""

    label: str
    amounts: list[tuple[str, int]]
    notes: str


def _decisions_of(meeting_id: int) -> tuple[list[int], dict[int, _Decision]]:
    """The agenda's action ids in order, and each item's decision (from the meetings service)."""
    items = agenda(meeting_id)
    uuids = {uuid for item in items for uuid in item.amounts}
    funders = {f.uuid: (f.position, f.name, f.id) for f in Funder.select().where(Funder.uuid.in_(list(uuids)))}
    decisions = {}
    for item in items:
        amounts = sorted((funders.get(uuid, (0, "Financeur inconnu", 0)), cents) for uuid, cents in item.amounts.items())
        decisions[item.action_id] = _Decision(item.decision_text, [(key[1], cents) for key, cents in amounts],
                                              item.notes)
    return [item.action_id for item in items], decisions


def _counts_line(decisions: dict[int, _Decision]) -> str:
    """« 20 accordées, 2 accordées partiellement, 1 ajournée, 1 refusée » (and the items without a decision)."""
    counts: dict[str, int] = {}
    for decision in decisions.values():
        counts[decision.label] = counts.get(decision.label, 0) + 1
    order = [*OUTCOMES.values(), NO_OUTCOME_LABEL]
    parts = []
    for label in sorted(counts, key=lambda x: (order.index(x) if x in order else len(order), x)):
        n = counts[label]
        first, _, rest = label.lower().partition(" ")
        if label == NO_OUTCOME_LABEL:
            parts.append(f"{n} sans décision")
        elif label in OUTCOMES.values():
            parts.append(f"{n} {first}{'s' if n > 1 else ''}{' ' + rest if rest else ''}")
        else:  # a free text kept from before the decisions had codes
            parts.append(f"{n} « {label} »")
    return ", ".join(parts)


def build_decisions_sheet(meeting_id: int, out: Path | BinaryIO, progress: Progress | None = None,
                          cancelled: Cancelled | None = None) -> None:
    """The meeting's relevé de décisions, whether or not every item has its decision yet."""
    _build(meeting_id, out, progress, cancelled, record=True)


def build_meeting_sheet(meeting_or_actions: int | Sequence[int], out: Path | BinaryIO,
                        progress: Progress | None = None, cancelled: Cancelled | None = None) -> None:
    """A meeting's agenda, or its record of decisions when some are entered; given a list of action ids
    instead of a meeting id, an agenda of those actions."""
    _build(meeting_or_actions, out, progress, cancelled, record=None)


def _build(meeting_or_actions: int | Sequence[int], out: Path | BinaryIO, progress: Progress | None,
           cancelled: Cancelled | None, record: bool | None) -> None:
    meeting = None
    decided: dict[int, _Decision] = {}
    if isinstance(meeting_or_actions, int):
        meeting = Meeting.get_or_none((Meeting.id == meeting_or_actions) & (Meeting.deleted == False))  # noqa: E712
        if meeting is None:
            raise ReportError(f"La réunion n° {meeting_or_actions} n'existe pas.")
        action_ids, decided = _decisions_of(meeting.id)
        if record is None:  # the record of decisions as soon as one is entered
            record = any(d.label != NO_OUTCOME_LABEL for d in decided.values())
    else:
        action_ids = list(meeting_or_actions)
        record = False
    decisions = {aid: d.label for aid, d in decided.items()} if record else None
    title = DECISIONS if record else AGENDA
    context = sheet_context(title)
    rows = actions_by_ids(action_ids)
    fundings = fundings_of_actions(action_ids)
    check_cancel(cancelled)

    if meeting is not None:
        n = len(rows)
        story: list[Flowable] = heading(f"{title} – {meeting_kind_label(meeting.kind)} du {date_fr(meeting.date)}",
                                        f"{n} dossier{'s' if n > 1 else ''} examiné{'s' if n > 1 else ''}")
        pairs = [(label, value) for label, value in (
            ("Instance", meeting_kind_label(meeting.kind)), ("Intitulé", getattr(meeting, "title", "")),
            ("Date", date_fr(meeting.date)), ("Lieu", meeting.place), ("Participants", meeting.attendees),
            ("Objet", meeting.notes),
        ) if value]
        if record and rows:
            pairs.append(("Décisions", _counts_line({row.id: decided[row.id] for row in rows})))
            closed = getattr(meeting, "status", "") == CLOSED
            pairs.append(("État", "Réunion close : les décisions sont appliquées aux actions." if closed else
                          "Réunion ouverte : les décisions ne sont pas encore appliquées aux actions."))
        story += label_table(pairs)
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
        decision = decided.get(row.id)
        if record and decision is not None:
            text = "à prendre" if decision.label == NO_OUTCOME_LABEL else decision.label
            block.append(markup(f"<b>Décision :</b> {esc(text)}"))
            if decision.amounts:
                given = " ; ".join(f"{esc(name)} {esc(format_money(cents))}" for name, cents in decision.amounts)
                total = sum(cents for _, cents in decision.amounts)
                block.append(markup(f"<b>Montants accordés :</b> {given} (total {esc(format_money(total))})"))
        story.append(CondPageBreak(30 * mm))
        story.append(KeepTogether(block))
        if decision is not None and decision.notes:  # after the block kept together: it may run over pages
            story += text_paragraphs(decision.notes, prefix="<b>Observations :</b> ")
    write_pdf(out, story, context, progress, cancelled, total_rows=len(rows))
