"""Fiche association: identifiers, contacts, the actions it carries and their funding over the years."""
from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from cvdesk.domain.status import status_label
from cvdesk.reports.figures import granted_text, summed, undecided_text
from cvdesk.reports.quartier_sheet import action_cell, funders_table, granted_of_rows
from cvdesk.reports.styles import (
    BLUE,
    CONTENT_WIDTH,
    STYLES,
    Cancelled,
    Progress,
    ReportError,
    check_cancel,
    data_table,
    heading,
    label_table,
    money,
    para,
    reference_cell,
    sheet_context,
    write_pdf,
)
from cvdesk.services.report_data import ActionRow, actions_of_association, funder_totals_of_actions
from cvdesk.services.totals import Total, totals_by_year
from cvdesk.store.models import Association

TITLE = "Fiche association"


def actions_by_year_table(rows: list[ActionRow]) -> Flowable:
    widths = [22 * mm, CONTENT_WIDTH - 22 * mm - 12 * mm - 22 * mm - 3 * 25 * mm, 12 * mm, 22 * mm,
              25 * mm, 25 * mm, 25 * mm]
    data: list[list[Any]] = [["Référence", "Action", "Orient.", "Statut", "Coût total", "Demandé", "Accordé"]]
    group_rows: list[int] = []
    subtotals: list[int] = []
    for year, group in groupby(rows, key=lambda r: r.year):
        items = list(group)
        group_rows.append(len(data))
        data.append([Paragraph(f"<b>Programmation {year}</b>", STYLES["cell"]), "", "", "", "", "", ""])
        for row in items:
            data.append([reference_cell(row.reference), action_cell(row, with_porteur=False),
                         str(row.orientation_number) if row.orientation_number is not None else "—",
                         status_label(row.status), money(row.total_cost), money(row.requested),
                         granted_of_rows([row])])
        subtotals.append(len(data))
        data.append([f"Sous-total {year} ({len(items)} action{'s' if len(items) > 1 else ''})", "", "", "",
                     money(sum(r.total_cost for r in items)), money(sum(r.requested for r in items)),
                     granted_of_rows(items)])
    total_row = len(data)
    data.append([f"Total ({len(rows)} action{'s' if len(rows) > 1 else ''})", "", "", "",
                 money(sum(r.total_cost for r in rows)), money(sum(r.requested for r in rows)),
                 granted_of_rows(rows)])
    table = data_table(data, widths, right=(4, 5, 6), subtotal_rows=subtotals, total_rows=[total_row], zebra=False)
    style: list[tuple[Any, ...]] = [("SPAN", (0, r), (-1, r)) for r in group_rows]
    style += [("SPAN", (0, r), (3, r)) for r in subtotals + [total_row]]
    style += [("LINEBELOW", (0, r), (-1, r), 0.6, BLUE) for r in group_rows]
    style += [("NOSPLIT", (0, r), (-1, r + 1)) for r in group_rows]
    style += [("NOSPLIT", (0, r - 1), (-1, r)) for r in subtotals]
    table.setStyle(style)
    return table


def years_table(totals: list[Total]) -> Flowable:
    amount = 26 * mm
    widths = [CONTENT_WIDTH - 5 * amount - 16 * mm, 16 * mm, amount, amount, amount, amount, amount]
    data: list[list[Any]] = [["Année", "Actions", "Coût total", "Demandé", "Accordé", "Non décidé", "Versé"]]
    for t in [*totals, summed(totals)]:
        data.append([t.label, str(t.actions), money(t.total_cost), money(t.requested), granted_text(t),
                     undecided_text(t), money(t.paid)])
    return data_table(data, widths, right=(1, 2, 3, 4, 5, 6), total_rows=[len(data) - 1])


def build_association_sheet(association_id: int, out: Path | BinaryIO, progress: Progress | None = None,
                            cancelled: Cancelled | None = None) -> None:
    association = Association.get_or_none((Association.id == association_id)
                                          & (Association.deleted == False))  # noqa: E712
    if association is None:
        raise ReportError(f"L'association n° {association_id} n'existe pas.")
    context = sheet_context(TITLE)
    name = association.name + (f" ({association.acronym})" if association.acronym else "")
    subtitle = association.legal_form + ("" if association.active else " · inactive")
    story: list[Flowable] = heading(name, subtitle)
    story.append(para("Identité", "h2"))
    story += label_table([(label, value or "—") for label, value in (
        ("Nom", association.name), ("Sigle", association.acronym), ("Forme juridique", association.legal_form),
        ("SIRET", association.siret), ("SIREN", association.siren), ("RNA", association.rna),
    )])
    place = " ".join(x for x in (association.postcode, association.city) if x)
    story.append(para("Coordonnées", "h2"))
    story += label_table([(label, value or "—") for label, value in (
        ("Adresse", ", ".join(x for x in (association.address, place) if x)),
        ("Téléphone", association.phone), ("Courriel", association.email), ("Site internet", association.website),
        ("Président(e)", association.president), ("Personne à contacter", association.contact_name),
    )] + ([("Notes", association.notes)] if association.notes else []))
    check_cancel(cancelled)

    rows = actions_of_association(association.id)
    story.append(para("Actions portées, par année", "h2"))
    if rows:
        story.append(actions_by_year_table(rows))
    else:
        story.append(para("L'association ne porte aucune action.", "muted"))
    check_cancel(cancelled)

    years = totals_by_year(association.id)
    if years:
        story.append(KeepTogether([para("Financements par année", "h2"), years_table(years)]))
    funders = funder_totals_of_actions([row.id for row in rows])
    if funders:
        story.append(KeepTogether([para("Financements par financeur (toutes années)", "h2"),
                                   funders_table(funders, actions=len({row.id for row in rows if row.lines}))]))
    write_pdf(out, story, context, progress, cancelled, total_rows=len(rows))
