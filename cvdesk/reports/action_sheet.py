"""Fiche action: identity, porteur with identifiers, targeted quartiers, objectives, financing plan, decisions."""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Sequence

from reportlab.lib.units import mm
from peewee import JOIN
from reportlab.platypus import Flowable, KeepTogether

from cvdesk.domain.axes import AXES, PILLARS, decode_axes
from cvdesk.domain.financing import PlanLine, check_plan, plan_totals
from cvdesk.domain.money import format_percent
from cvdesk.domain.numbers import grouped
from cvdesk.domain.status import status_label
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
    long_text,
    markup,
    money,
    para,
    sheet_context,
    text_paragraphs,
    write_pdf,
)
from cvdesk.services.report_data import (
    FundingRow,
    decisions_of_action,
    fundings_of_action,
    meeting_kind_label,
    quartiers_of_action,
)
from cvdesk.store.models import Action, Association, Orientation

TITLE = "Fiche action"


def plan_table(total_cost: int, lines: Sequence[FundingRow], with_dates: bool = True) -> Flowable:
    """The financing plan: one line per funder, the funders' total, own funds and the total cost."""
    amount = 27 * mm
    widths = [CONTENT_WIDTH - 3 * amount - (22 * mm if with_dates else 0), amount, amount, amount]
    header = ["Financeur", "Demandé", "Accordé", "Versé"]
    if with_dates:
        widths.append(22 * mm)
        header.append("Décision")
    data: list[list[Any]] = [header]
    for line in lines:
        row = [para(line.funder, "cell"), money(line.requested), money(line.granted), money(line.paid)]
        if with_dates:
            row.append(date_fr(line.decision_date))
        data.append(row)
    totals = plan_totals(total_cost, [PlanLine(x.funder, x.requested, x.granted, x.paid) for x in lines])
    pad = [""] if with_dates else []
    funders_row = len(data)
    # A total keeps the lines' « — » when none of them is decided (or paid): 0,00 € would read « refused ».
    granted = money(totals.granted) if any(x.granted is not None for x in lines) else money(None)
    paid = money(totals.paid) if any(x.paid is not None for x in lines) else money(None)
    data.append(["Total des financements", money(totals.requested), granted, paid, *pad])
    data.append(["Autofinancement", money(totals.own_funds), "", "", *pad])
    cost_row = len(data)
    data.append(["Coût total de l'action", money(total_cost), "", "", *pad])
    table = data_table(data, widths, right=(1, 2, 3, 4) if with_dates else (1, 2, 3),
                       subtotal_rows=[funders_row], total_rows=[cost_row], zebra=False)
    return table


def plan_warning_flowables(total_cost: int, lines: Sequence[FundingRow]) -> list[Flowable]:
    warnings = check_plan(total_cost, [PlanLine(x.funder, x.requested, x.granted, x.paid) for x in lines])
    return [markup(f"<b>Attention :</b> {esc(w)}", "muted") for w in warnings]


def porteur_pairs(porteur: Any) -> list[tuple[str, str]]:
    if porteur is None:
        return [("Porteur", "Aucun porteur n'est indiqué.")]
    name = porteur.name + (f" ({porteur.acronym})" if porteur.acronym else "")
    place = " ".join(x for x in (porteur.postcode, porteur.city) if x)
    pairs = [("Porteur", name), ("Forme juridique", porteur.legal_form)]
    pairs += [(label, value) for label, value in (
        ("SIRET", porteur.siret), ("SIREN", porteur.siren), ("RNA", porteur.rna),
        ("Adresse", ", ".join(x for x in (porteur.address, place) if x)),
        ("Président(e)", porteur.president), ("Contact", porteur.contact_name),
        ("Téléphone", porteur.phone), ("Courriel", porteur.email),
    ) if value]
    return pairs


def actions_with_links(action_ids: Sequence[int]) -> dict[int, Action]:
    """The live actions among these, each with its orientation, porteur and previous year's action read in the
    same query (a meeting pack prints dozens of sheets: one query for them all rather than four per sheet)."""
    previous = Action.alias()
    found: dict[int, Action] = {}
    ids = list(action_ids)
    for start in range(0, len(ids), 500):
        query = (Action.select(Action, Orientation, Association, previous)
                 .join_from(Action, Orientation, JOIN.LEFT_OUTER)
                 .join_from(Action, Association, JOIN.LEFT_OUTER)
                 .join_from(Action, previous, JOIN.LEFT_OUTER, on=(Action.previous == previous.id), attr="previous")
                 .where(Action.id.in_(ids[start:start + 500]) & (Action.deleted == False)))  # noqa: E712
        found.update((action.id, action) for action in query)
    return found


def build_action_sheet(action_id: int, out: Path | BinaryIO, progress: Progress | None = None,
                       cancelled: Cancelled | None = None) -> None:
    story = action_sheet_story(action_id, cancelled)
    write_pdf(out, story, sheet_context(TITLE), progress, cancelled)


def action_sheet_story(action_or_id: int | Action, cancelled: Cancelled | None = None,
                       occasion: str = "") -> list[Flowable]:
    """The sheet's flowables, from its title to its decisions: the fiche action alone, or one item of a
    meeting pack (occasion, « point 2 / 24 de l'ordre du jour », then ends the subtitle line). Given an Action
    (from actions_with_links), it is not read again."""
    if isinstance(action_or_id, Action):
        action = action_or_id
    else:
        action = actions_with_links([action_or_id]).get(action_or_id)
        if action is None:
            raise ReportError(f"L'action n° {action_or_id} n'existe pas.")
    orientation = action.orientation
    story: list[Flowable] = heading(f"{action.reference} – {action.title}",
                                    " · ".join(x for x in (f"Programmation {action.year}", status_label(action.status),
                                                           occasion) if x))
    if orientation is not None:
        pillar = f" ({PILLARS.get(orientation.pillar, orientation.pillar)})" if orientation.pillar else ""
        orientation_text = f"{orientation.number}. {orientation.title}{pillar}"
    else:
        orientation_text = "—"
    dates = ""
    if action.start_date or action.end_date:
        dates = f"du {date_fr(action.start_date) or '…'} au {date_fr(action.end_date) or '…'}"
    beneficiaries = []
    if action.beneficiaries_planned is not None:
        beneficiaries.append(f"{grouped(action.beneficiaries_planned)} prévus")
    if action.beneficiaries_reached is not None:
        beneficiaries.append(f"{grouped(action.beneficiaries_reached)} touchés")
    previous = action.previous
    pairs: list[tuple[str, Any]] = [
        ("Référence", action.reference),
        ("Intitulé", action.title),
        ("Année de programmation", str(action.year)),
        ("Orientation stratégique", orientation_text),
        ("Statut", status_label(action.status)),
        ("Période", dates or "—"),
        ("Public visé", action.public or "—"),
        ("Axes transversaux", ", ".join(AXES.get(a, a) for a in decode_axes(action.axes)) or "—"),
        ("Bénéficiaires", ", ".join(beneficiaries) or "—"),
        ("Coût total", money(action.total_cost)),
    ]
    if previous is not None and not previous.deleted:
        pairs.append(("Action de l'année précédente", f"{previous.reference} ({previous.year})"))
    story += label_table(pairs)

    story.append(para("Porteur", "h2"))
    story += label_table(porteur_pairs(action.porteur))

    quartiers = quartiers_of_action(action.id)
    story.append(para("Quartiers ciblés", "h2"))
    if quartiers:
        data: list[list[Any]] = [["Code", "Quartier", "Communes", "Part"]]
        for q in quartiers:
            data.append([q.code, para(q.name, "cell"), para(q.communes, "cell"),
                         format_percent(q.share_bp) if q.share_bp is not None else ""])
        story.append(data_table(data, [22 * mm, 62 * mm, CONTENT_WIDTH - 104 * mm, 20 * mm], right=(3,)))
    else:
        story.append(para("Aucun quartier n'est indiqué.", "muted"))
    check_cancel(cancelled)

    for title, text in (("Description", action.description), ("Objectifs", action.objectives),
                        ("Indicateurs d'évaluation", action.indicators)):
        if text:
            story.append(para(title, "h2"))
            story += text_paragraphs(text)

    lines = fundings_of_action(action.id)
    block: list[Flowable] = [para("Plan de financement", "h2")]
    if lines:
        block.append(plan_table(action.total_cost, lines))
    else:
        block.append(para("Aucun financement n'est demandé.", "muted"))
    block += plan_warning_flowables(action.total_cost, lines)
    story.append(KeepTogether(block))

    decisions = decisions_of_action(action.id)
    if decisions:
        story.append(para("Passages en comité", "h2"))
        data = [["Date", "Instance", "Décision", "Observations"]]
        long_notes: list[Flowable] = []
        for d in decisions:
            occasion = f"{meeting_kind_label(d.meeting_kind)} du {date_fr(d.meeting_date)}"
            notes: Any = para(d.notes, "cell", lines=True)
            if long_text(d.notes):  # a table row cannot flow across pages: the text follows the table
                notes = para("Voir ci-dessous.", "cell")
                long_notes += [para(f"Observations – {occasion}", "h3"), *text_paragraphs(d.notes)]
            data.append([date_fr(d.meeting_date), meeting_kind_label(d.meeting_kind), para(d.decision or "—", "cell"), notes])
        story.append(data_table(data, [22 * mm, 40 * mm, 40 * mm, CONTENT_WIDTH - 102 * mm]))
        story += long_notes
    return story
