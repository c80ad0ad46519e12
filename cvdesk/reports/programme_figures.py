"""The programme's figures as flowables, from the totals services: the headline and its « dont » by status, the
synthesis by orientation, the envelopes, the totals by funder, and what a narrowed programme counts.

The programme and the meeting pack print these blocks, so that the two (and the dashboard, which reads the same
services) give the same figures."""
from __future__ import annotations

from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from cvdesk.domain.money import format_money
from cvdesk.domain.numbers import grouped
from cvdesk.reports.figures import granted_text, undecided_text
from cvdesk.reports.styles import CONTENT_WIDTH, FONT_BOLD, STYLES, data_table, esc, markup, money, para
from cvdesk.services.totals import (
    EnvelopeUse,
    FigureScope,
    Total,
    envelope_consumption,
    figures,
    funder_names,
    quartier_share,
)
from cvdesk.store.models import Orientation

WARNING = colors.HexColor("#c0392b")
_AMOUNT = 25 * mm
_COUNT = 13 * mm
_MONEY_HEADERS = ["Demandé", "Accordé", "Non décidé", "Versé"]


def _plural(n: int, word: str) -> str:
    return f"{grouped(n)} {word}{'s' if n > 1 else ''}"


def _money_cells(total: Total) -> list[str]:
    return [money(total.requested), granted_text(total), undecided_text(total), money(total.paid)]


def headline(scope: FigureScope, total: Total) -> list[Flowable]:
    """« 40 actions · coût total … · demandé … · accordé … · versé … »; narrowed to a funder, each figure says
    whose it is (the cost is the actions' whole cost, the money that funder's lines only)."""
    n = total.actions
    if scope.funder_id is None:
        text = (f"{_plural(n, 'action')} · coût total {esc(format_money(total.total_cost))}"
                f" · demandé {esc(format_money(total.requested))} · accordé <b>{esc(granted_text(total))}</b>"
                f" · versé {esc(format_money(total.paid))}")
    else:
        name = esc(funder_names()[scope.funder_id].label)
        text = (f"{_plural(n, 'action')} financée{'s' if n > 1 else ''} par {name} · coût total de ces actions "
                f"(tous financeurs) {esc(format_money(total.total_cost))}<br/>"
                f"demandé à {name} {esc(format_money(total.requested))} · accordé par {name} "
                f"<b>{esc(granted_text(total))}</b> · versé par {name} {esc(format_money(total.paid))}")
    story: list[Flowable] = [markup(text)]
    if total.undecided_lines:
        lines = total.undecided_lines
        story.append(para(f"Non décidé : {_plural(lines, 'ligne')} de plan de financement "
                          f"({format_money(total.undecided)} demandés) n'{'ont' if lines > 1 else 'a'} pas encore "
                          "de montant accordé ; elles ne comptent pas dans l'accordé.", "muted"))
    return story


def _summary(rows: list[list[Any]], first_width: float, columns: int) -> Flowable:
    # A national year's sums (1 521 831 500,00 € in bold) are wider than _AMOUNT: such a column takes what it
    # needs from the first one.
    amounts = [max(_AMOUNT, *(stringWidth(row[col], FONT_BOLD, 8) + 7 for row in rows if isinstance(row[col], str)))
               for col in range(2, columns)]
    widths = [first_width - (sum(amounts) - _AMOUNT * (columns - 2)), _COUNT, *amounts]
    return data_table(rows, widths, right=tuple(range(1, columns)), total_rows=[len(rows) - 1],
                      counts_for_progress=False)


def status_table(statuses: list[Total], total: Total) -> Flowable:
    """The headline's figures split by status (« dont Accordée … »): the demandé and the cost include drafts,
    refusals, adjourned and abandoned actions, which this table shows apart."""
    rows: list[list[Any]] = [["Statut", "Actions", "Coût total", *_MONEY_HEADERS]]
    for t in statuses:
        rows.append([f"dont {t.label}", str(t.actions), money(t.total_cost), *_money_cells(t)])
    rows.append(["Total", str(total.actions), money(total.total_cost), *_money_cells(total)])
    return _summary(rows, CONTENT_WIDTH - _COUNT - 5 * _AMOUNT, 7)


def orientation_label(total: Total) -> str:
    """« Orientation 2 – Promouvoir la santé… », as the detail's headings say, or « Sans orientation »."""
    if total.key is None:
        return "Sans orientation"
    found = Orientation.get_or_none(Orientation.id == total.key)
    return f"Orientation {found.number} – {found.title}" if found else total.label


def synthesis_table(orientations: list[Total], total: Total) -> Flowable:
    rows: list[list[Any]] = [["Orientation", "Actions", "Coût total", *_MONEY_HEADERS]]
    for t in orientations:
        rows.append([para(orientation_label(t), "cell"), str(t.actions), money(t.total_cost), *_money_cells(t)])
    rows.append(["Total", str(total.actions), money(total.total_cost), *_money_cells(total)])
    return _summary(rows, CONTENT_WIDTH - _COUNT - 5 * _AMOUNT, 7)


def funders_table(funders: list[Total], total: Total, financed: int) -> Flowable:
    """One row per funder identity (two « CAF » keep two rows, under their full names), in funder order; the total
    counts the distinct actions financed (an action financed by three funders is one action)."""
    rows: list[list[Any]] = [["Financeur", "Actions", *_MONEY_HEADERS]]
    for t in funders:
        rows.append([para(t.label, "cell"), str(t.actions), *_money_cells(t)])
    rows.append(["Total", str(financed), *_money_cells(total)])
    return _summary(rows, CONTENT_WIDTH - _COUNT - 4 * _AMOUNT, 6)


def _with_share(cents: int, share: str | None) -> str:
    return format_money(cents) + (f"\n{share}" if share is not None else "")


def envelope_label(use: EnvelopeUse) -> str:
    scope = f"orientation {use.orientation}" if use.orientation_id is not None else "toutes orientations"
    extra = f", {use.envelopes} enveloppes additionnées" if use.envelopes > 1 else ""
    return f"{use.funder} – {use.year}, {scope}{extra}"


def envelope_table(uses: list[EnvelopeUse]) -> Flowable:
    """Each envelope: its amount, what its funder's lines request, grant and pay against it (shares rounded once),
    and what is left to grant; an orientation's envelope on its own row, read beside the yearly one."""
    rows: list[list[Any]] = [["Enveloppe", "Montant", "Demandé", "Accordé", "Versé", "Reste à accorder"]]
    over_rows = []
    for use in uses:
        rows.append([para(envelope_label(use), "cell"), money(use.amount),
                     _with_share(use.requested, use.requested_share), _with_share(use.granted, use.granted_share),
                     _with_share(use.paid, use.paid_share), money(use.remaining)])
        if use.over:
            over_rows.append(len(rows) - 1)
    table = data_table(rows, [CONTENT_WIDTH - 5 * 26 * mm] + [26 * mm] * 5, right=(1, 2, 3, 4, 5),
                       counts_for_progress=False)
    table.setStyle([("TEXTCOLOR", (3, r), (5, r), WARNING) for r in over_rows])
    return table


def envelope_block(scope: FigureScope) -> list[Flowable]:
    """The envelopes of the programme's year (only the chosen funder's when narrowed to one), with a warning for
    each above 100 %."""
    assert scope.year is not None
    uses = envelope_consumption(scope.year, scope.funder_id)
    block: list[Flowable] = [para(f"Consommation des enveloppes {scope.year}", "h2")]
    if not uses:
        if scope.funder_id is not None:
            name = funder_names()[scope.funder_id].label
            block.append(para(f"{name} n'a pas d'enveloppe enregistrée pour {scope.year}.", "muted"))
        else:
            block.append(para("Aucune enveloppe n'est enregistrée pour cette année.", "muted"))
        return [KeepTogether(block)]
    block.append(envelope_table(uses))
    for use in uses:
        if use.over:
            block.append(Paragraph(
                f"<font color='{WARNING.hexval()}'>Attention : {esc(envelope_label(use))} dépasse l'enveloppe : "
                f"{esc(use.granted_share)} accordés ({esc(format_money(-use.remaining))} au-delà).</font>",
                STYLES["body"]))
    notes = []
    if any(u.orientation_id is not None for u in uses):
        notes.append("Une enveloppe donnée pour une orientation ne compte que les actions de cette orientation ; "
                     "elle se lit à côté de l'enveloppe annuelle du financeur, sans en être déduite.")
    if scope.orientation_id is not None or scope.quartier_id is not None:
        notes.append("Les enveloppes sont rapprochées de toutes les actions de l'année, pas du seul périmètre de ce "
                     "programme.")
    notes.append("Demandé, accordé et versé : les lignes des plans de financement de l'année ; pourcentages du "
                 "montant de l'enveloppe.")
    block += [para(note, "muted") for note in notes]
    return [KeepTogether(block)]


def share_block(scope: FigureScope) -> list[Flowable]:
    """A programme narrowed to a quartier: its shared actions count in full; the quartier's part where entered."""
    if scope.quartier_id is None:
        return []
    share = quartier_share(scope)
    text = "Les actions de ce quartier comptent ici en entier"
    if share.shared:
        text += (f", y compris {_plural(share.shared, 'action')} sur {grouped(share.actions)} menée"
                 f"{'s' if share.shared > 1 else ''} aussi sur d'autres quartiers")
    text += "."
    story: list[Flowable] = [para(text, "muted")]
    if share.with_share:
        n = share.with_share
        story.append(para(
            f"Part du quartier, là où elle est saisie ({_plural(n, 'action')}) : coût "
            f"{format_money(share.total_cost)} sur {format_money(share.full_cost)}, demandé "
            f"{format_money(share.requested)} sur {format_money(share.full_requested)}, accordé "
            f"{format_money(share.granted)} sur {format_money(share.full_granted)}, versé {format_money(share.paid)} "
            f"sur {format_money(share.full_paid)} (chaque montant arrondi au centime, action par action).", "muted"))
    elif share.shared:
        story.append(para("La part du quartier n'est saisie pour aucune de ces actions.", "muted"))
    return story


def funder_scope_note(scope: FigureScope) -> list[Flowable]:
    if scope.funder_id is None:
        return []
    name = funder_names()[scope.funder_id].label
    return [para(f"Demandé, accordé, non décidé et versé : les lignes de {name} seulement. Coût total : celui des "
                 "actions, tous financeurs confondus.", "muted")]


def programme_figures(scope: Any, after_synthesis: Sequence[Flowable] = ()) -> tuple[Total, list[Total], list[Flowable]]:
    """The programme's totals and the blocks before its detail: headline, « dont » by status, synthesis by
    orientation (then after_synthesis, a chart say), envelopes, totals by funder. Returns the overall total and the
    orientation totals too."""
    narrowed = FigureScope.of(scope)
    found = figures(narrowed)
    total = found.overall
    story: list[Flowable] = headline(narrowed, total)
    if not total.actions:
        return total, found.orientations, story
    story += share_block(narrowed)
    story.append(para("Dont, par statut", "h2"))
    story += funder_scope_note(narrowed)  # each table of a funder's figures says whose they are
    story.append(status_table(found.statuses, total))
    story.append(para("Synthèse par orientation", "h2"))
    story += funder_scope_note(narrowed)
    story.append(synthesis_table(found.orientations, total))
    story += list(after_synthesis)
    story += envelope_block(narrowed)
    story.append(KeepTogether([para("Totaux par financeur", "h2"), funders_table(found.funders, total, found.financed)]))
    return total, found.orientations, story
