"""Fiche quartier: identity, communes, population, indicators, actions by orientation, funding by funder."""
from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from cvdesk.domain.indicators import INDICATORS, format_indicator
from cvdesk.domain.money import format_money
from cvdesk.domain.numbers import grouped
from cvdesk.domain.status import status_label
from cvdesk.reports.styles import (
    CONTENT_WIDTH,
    STYLES,
    Cancelled,
    Progress,
    ReportError,
    check_cancel,
    data_table,
    esc,
    heading,
    label_table,
    money,
    para,
    reference_cell,
    sheet_context,
    write_pdf,
)
from cvdesk.services.quartiers import communes_of, indicators_of
from cvdesk.reports.figures import granted_text, summed, undecided_text
from cvdesk.services.report_data import ActionRow, actions_of_quartier, funder_totals_of_actions
from cvdesk.services.totals import FigureScope, QuartierShare, Total, quartier_share
from cvdesk.store.models import Quartier

TITLE = "Fiche quartier"


def orientation_label(row: ActionRow) -> str:
    if row.orientation_number is None:
        return "Sans orientation"
    return f"Orientation {row.orientation_number} – {row.orientation_title}"


def action_cell(row: ActionRow, with_porteur: bool = True) -> Paragraph:
    text = f"<b>{esc(row.title)}</b>"
    if with_porteur and row.porteur:
        text += f"<br/><font size=7>{esc(row.porteur)}</font>"
    return Paragraph(text, STYLES["cell"])


def actions_table(rows: list[ActionRow], with_year: bool = True) -> Flowable:
    """Actions grouped by orientation, each group closed by its subtotal, and a grand total."""
    widths = [22 * mm, 70 * mm, 12 * mm, 20 * mm, 28 * mm, 28 * mm]
    data: list[list[Any]] = [["Référence", "Action et porteur", "Année", "Statut", "Coût total", "Accordé"]]
    subtotals: list[int] = []
    group_rows: list[int] = []
    for _, group in groupby(rows, key=lambda r: r.orientation_id):
        items = list(group)
        group_rows.append(len(data))
        data.append([Paragraph(f"<b>{esc(orientation_label(items[0]))}</b>", STYLES["cell"]), "", "", "", "", ""])
        for row in items:
            data.append([reference_cell(row.reference), action_cell(row), str(row.year), status_label(row.status),
                         money(row.total_cost), granted_of_rows([row])])
        subtotals.append(len(data))
        data.append([f"Sous-total ({len(items)} action{'s' if len(items) > 1 else ''})", "", "", "",
                     money(sum(r.total_cost for r in items)), granted_of_rows(items)])
    total_row = len(data)
    data.append([f"Total ({len(rows)} action{'s' if len(rows) > 1 else ''})", "", "", "",
                 money(sum(r.total_cost for r in rows)), granted_of_rows(rows)])
    table = data_table(data, widths, right=(4, 5), subtotal_rows=subtotals, total_rows=[total_row], zebra=False)
    style = [("SPAN", (0, r), (-1, r)) for r in group_rows] + [("SPAN", (0, r), (3, r)) for r in subtotals + [total_row]]
    style += [("LINEBELOW", (0, r), (-1, r), 0.6, STYLES["h2"].textColor) for r in group_rows]
    # An orientation's title never ends a page alone, nor a subtotal starts one.
    style += [("NOSPLIT", (0, r), (-1, r + 1)) for r in group_rows]
    style += [("NOSPLIT", (0, r - 1), (-1, r)) for r in subtotals]
    table.setStyle(style)
    return table


def funders_table(totals: list[Total], actions: int | None = None) -> Flowable:
    """One row per funder (by identity, in funder order), with what still waits for a decision apart; actions is the
    number of distinct actions for the total row (a funder column does not add up: one action has several)."""
    amount = 26 * mm
    widths = [CONTENT_WIDTH - 14 * mm - 4 * amount, 14 * mm, amount, amount, amount, amount]
    data: list[list[Any]] = [["Financeur", "Actions", "Demandé", "Accordé", "Non décidé", "Versé"]]
    for t in totals:
        data.append([para(t.label, "cell"), str(t.actions), money(t.requested), granted_text(t), undecided_text(t),
                     money(t.paid)])
    total = summed(totals, actions=actions or 0)
    data.append(["Total", str(actions) if actions is not None else "", money(total.requested), granted_text(total),
                 undecided_text(total), money(total.paid)])
    return data_table(data, widths, right=(1, 2, 3, 4, 5), total_rows=[len(data) - 1])


def granted_of_rows(rows: list[ActionRow]) -> str:
    """The granted sum of these actions, or « — » when none of their lines is decided yet."""
    if rows and all(r.nothing_decided or not r.lines for r in rows) and any(r.lines for r in rows):
        return "—"
    return money(sum(r.granted for r in rows))


def share_note(share: QuartierShare) -> str:
    """What a quartier's figures count: shared actions in full, and its own part where the share was entered."""
    text = "Une action menée sur plusieurs quartiers compte ici en entier"
    if share.shared:
        text += f" ({share.shared} action{'s' if share.shared > 1 else ''} sur {share.actions} en visent d'autres)"
    text += "."
    if share.with_share:
        n = share.with_share
        text += (f" Part du quartier, là où elle est saisie ({n} action{'s' if n > 1 else ''}) : coût "
                 f"{format_money(share.total_cost)} sur {format_money(share.full_cost)}, demandé "
                 f"{format_money(share.requested)}, accordé {format_money(share.granted)}, "
                 f"versé {format_money(share.paid)}.")
    return text


def build_quartier_sheet(quartier_id: int, out: Path | BinaryIO, progress: Progress | None = None,
                         cancelled: Cancelled | None = None, year: int | None = None) -> None:
    """Write the quartier's sheet; year narrows its actions and funding to one programming year."""
    quartier = Quartier.get_or_none((Quartier.id == quartier_id) & (Quartier.deleted == False))  # noqa: E712
    if quartier is None:
        raise ReportError(f"Le quartier n° {quartier_id} n'existe pas.")
    context = sheet_context(TITLE)
    scope = f"programmation {year}" if year is not None else "toutes les années"
    story: list[Flowable] = heading(f"{quartier.code} – {quartier.name}", f"Quartier prioritaire · {scope}")
    communes = communes_of(quartier.id)
    story += label_table([
        ("Code", quartier.code),
        ("Nom", quartier.name),
        ("Commune" + ("s" if len(communes) > 1 else ""),
         ", ".join(f"{c.name} ({c.postcode})" if c.postcode else c.name for c in communes) or "—"),
        ("Population", f"{grouped(quartier.population)} habitants"),
        *([("Notes", quartier.notes)] if quartier.notes else []),
    ])
    check_cancel(cancelled)

    indicators = indicators_of(quartier.id)
    story.append(para("Indicateurs", "h2"))
    if indicators:
        data: list[list[Any]] = [["Indicateur", "Valeur", "Année de la source"]]
        for code, label in INDICATORS.items():
            if code in indicators:
                value, source_year = indicators[code]
                data.append([para(label, "cell"), format_indicator(code, value), str(source_year or "")])
        story.append(data_table(data, [CONTENT_WIDTH - 70 * mm, 35 * mm, 35 * mm], right=(1, 2)))
    else:
        story.append(para("Aucun indicateur n'est renseigné.", "muted"))

    rows = actions_of_quartier(quartier.id, year)
    story.append(para("Actions par orientation", "h2"))
    if rows:
        story.append(actions_table(rows))
        story.append(para(share_note(quartier_share(FigureScope(year, quartier_id=quartier.id))), "muted"))
    else:
        story.append(para("Aucune action ne vise ce quartier.", "muted"))
    check_cancel(cancelled)

    totals = funder_totals_of_actions([row.id for row in rows])
    block: list[Flowable] = [para("Financements par financeur", "h2")]
    if totals:
        block.append(funders_table(totals, actions=len({row.id for row in rows if row.lines})))
    else:
        block.append(para("Aucun financement.", "muted"))
    story.append(KeepTogether(block))
    write_pdf(out, story, context, progress, cancelled, total_rows=len(rows))
