"""Programme of a year: actions by orientation with each funder's requested and granted amounts, subtotals,
totals, envelope consumption and a bar chart by orientation."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table

from cvdesk.domain.money import NBSP, format_money
from cvdesk.domain.status import status_label
from cvdesk.reports.styles import (
    BLUE,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    GREY,
    Cancelled,
    Progress,
    ReportError,
    check_cancel,
    data_table,
    esc,
    fit_width,
    heading,
    money,
    paged_table,
    para,
    reference_cell,
    sheet_context,
    title_cell,
    write_pdf,
)
from cvdesk.services.report_data import ActionRow, FundingRow, ProgrammeScope, programme_data
from cvdesk.reports.programme_figures import envelope_label, programme_figures
from cvdesk.services.totals import EnvelopeUse, FigureScope, funder_names, ordered_funder_ids
from cvdesk.store.models import Funder, Orientation, Quartier

TITLE = "Programme d'actions"
_AMOUNT = 27 * mm
_FUNDER = 34 * mm
DETAIL_WIDTHS = [21 * mm, CONTENT_WIDTH - 21 * mm - _FUNDER - 2 * _AMOUNT, _FUNDER, _AMOUNT, _AMOUNT]
_FUNDER_TEXT = _FUNDER - 6  # less the cell's paddings


@dataclass
class FunderSums:
    """Per funder identity (two « CAF » stay two), in cents: requested, granted (decided lines only), how many lines
    and how many of them decided, and the distinct actions; names are the short names that tell funders apart."""

    requested: dict[int, int] = field(default_factory=dict)
    granted: dict[int, int] = field(default_factory=dict)
    lines: dict[int, int] = field(default_factory=dict)
    decided: dict[int, int] = field(default_factory=dict)
    actions: dict[int, set[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def add(self, lines: Iterable[FundingRow]) -> None:
        for line in lines:
            fid = line.funder_id
            self.names.setdefault(fid, line.funder_short)
            self.requested[fid] = self.requested.get(fid, 0) + line.requested
            self.granted[fid] = self.granted.get(fid, 0) + (line.granted or 0)
            self.lines[fid] = self.lines.get(fid, 0) + 1
            self.decided[fid] = self.decided.get(fid, 0) + (line.granted is not None)
            self.actions.setdefault(fid, set()).add(line.action_id)

    def ordered(self) -> list[int]:
        """The funders in the one funder order (position, name, id)."""
        return ordered_funder_ids(self.requested)

    def granted_text(self, fid: int | None = None) -> str:
        """A funder's granted sum (all funders' with None), or « — » while none of its lines is decided."""
        decided = sum(self.decided.values()) if fid is None else self.decided[fid]
        lines = sum(self.lines.values()) if fid is None else self.lines[fid]
        granted = self.total_granted if fid is None else self.granted[fid]
        return "—" if lines and not decided else format_money(granted)

    @property
    def total_requested(self) -> int:
        return sum(self.requested.values())

    @property
    def total_granted(self) -> int:
        return sum(self.granted.values())


def _orientation_label(row: ActionRow) -> str:
    if row.orientation_number is None:
        return "Sans orientation"
    return f"Orientation {row.orientation_number} – {row.orientation_title}"


def _lines(values: Sequence[str]) -> str:
    return "\n".join(values)


def fit(text: str, width: float, font: str = FONT_BOLD, size: float = 8) -> str:
    """The text cut with an ellipsis so that it fits the width (names in bold subtotal cells)."""
    return fit_width(" ".join(text.split()), width, font, size)


def _action_row(row: ActionRow, lines: list[FundingRow]) -> list[Any]:
    detail = f"{esc(row.porteur or 'Sans porteur')} · {esc(status_label(row.status))} · coût " \
             f"{esc(format_money(row.total_cost))}"
    names = [fit(line.funder_short, _FUNDER_TEXT, FONT) for line in lines]
    requested = [format_money(line.requested) for line in lines]
    granted = [money(line.granted) for line in lines]
    if len(lines) > 1:
        names.append("Total")
        requested.append(format_money(sum(line.requested for line in lines)))
        # Nothing decided yet is « — », as on each line, not 0,00 €.
        decided = [line.granted for line in lines if line.granted is not None]
        granted.append(format_money(sum(decided)) if decided else "—")
    if not lines:
        names, requested, granted = ["—"], [""], [""]
    return [reference_cell(row.reference), title_cell(row.title, detail), _lines(names), _lines(requested),
            _lines(granted)]


def _sums_row(label: str, sums: FunderSums) -> list[Any]:
    order = sums.ordered()
    names = [fit(sums.names[fid], _FUNDER_TEXT, FONT) for fid in order] + ["Total"]
    requested = [format_money(sums.requested[fid]) for fid in order] + [format_money(sums.total_requested)]
    granted = [sums.granted_text(fid) for fid in order] + [sums.granted_text()]
    return [label, "", _lines(names), _lines(requested), _lines(granted)]


def orientation_table(items: list[ActionRow], fundings: dict[int, list[FundingRow]]) -> Flowable:
    """One orientation's actions, one row each with its funders' lines, closed by the subtotal by funder."""
    data: list[list[Any]] = [["Référence", "Action, porteur, statut et coût", "Financeur", "Demandé", "Accordé"]]
    sums = FunderSums()
    for row in items:
        lines = fundings.get(row.id, [])
        sums.add(lines)
        data.append(_action_row(row, lines))
    n = len(items)
    data.append(_sums_row(f"Sous-total\n{n} action{'s' if n > 1 else ''}", sums))
    return paged_table(data, _orientation_piece)


def _orientation_piece(rows: list[Any], last: bool, heights: list[float | None] | None) -> Table:
    """Some rows of an orientation's table under its header (heights: those already measured); the last piece
    closes with the subtotal, kept with the last action."""
    table = data_table(rows, DETAIL_WIDTHS, right=(3, 4), subtotal_rows=[len(rows) - 1] if last else [],
                       row_heights=heights)
    if last:
        table.setStyle([("SPAN", (0, -1), (1, -1)), ("FONT", (2, -1), (2, -1), FONT, 8, 9.8),
                        ("NOSPLIT", (0, -2), (-1, -1))])
    return table


def summary_table(groups: list[tuple[str, list[ActionRow], FunderSums]]) -> Flowable:
    amount = 28 * mm
    widths = [CONTENT_WIDTH - 14 * mm - 3 * amount, 14 * mm, amount, amount, amount]
    data: list[list[Any]] = [["Orientation", "Actions", "Coût total", "Demandé", "Accordé"]]
    for label, items, sums in groups:
        data.append([para(label, "cell"), str(len(items)), money(sum(r.total_cost for r in items)),
                     money(sums.total_requested), money(sums.total_granted)])
    everything = [r for _, items, _ in groups for r in items]
    data.append(["Total", str(len(everything)), money(sum(r.total_cost for r in everything)),
                 money(sum(s.total_requested for _, _, s in groups)), money(sum(s.total_granted for _, _, s in groups))])
    return data_table(data, widths, right=(1, 2, 3, 4), total_rows=[len(data) - 1], counts_for_progress=False)


def funders_summary_table(sums: FunderSums, names: dict[int, str] | None = None) -> Flowable:
    """Requested and granted by funder identity, in funder order, « Actions » counting distinct actions (the
    programme itself prints programme_figures' table, which adds what is not decided and what is paid)."""
    amount = 30 * mm
    widths = [CONTENT_WIDTH - 14 * mm - 2 * amount, 14 * mm, amount, amount]
    labels = names or {fid: name.label for fid, name in funder_names().items()}
    data: list[list[Any]] = [["Financeur", "Actions", "Demandé", "Accordé"]]
    for fid in sums.ordered():
        data.append([para(labels.get(fid, sums.names[fid]), "cell"), str(len(sums.actions[fid])),
                     money(sums.requested[fid]), sums.granted_text(fid)])
    financed = len(set().union(*sums.actions.values())) if sums.actions else 0
    data.append(["Total", str(financed), money(sums.total_requested), sums.granted_text()])
    return data_table(data, widths, right=(1, 2, 3), total_rows=[len(data) - 1], counts_for_progress=False)


def envelope_line(use: EnvelopeUse) -> str:
    """ "État : 1 234 000,00 € accordés sur 1 700 000,00 €, soit 72,6 %" (the share rounded once)."""
    share = use.granted_share
    text = f"{envelope_label(use)} : {format_money(use.granted)} accordés sur {format_money(use.amount)}"
    return text + (f", soit {share}" if share is not None else "")


def _euros_label(value: float) -> str:
    return f"{int(value) // 1000:,}".replace(",", NBSP) + NBSP + "k€"


def orientation_chart(groups: list[tuple[str, list[ActionRow], FunderSums]]) -> Drawing:
    """Requested and granted by orientation, in thousands of euros (whole euros drive the bars' geometry)."""
    width, height = CONTENT_WIDTH, 62 * mm
    drawing = Drawing(width, height, initialFontName=FONT, initialFontSize=7.5)
    chart = VerticalBarChart()
    chart.x, chart.y = 22 * mm, 14 * mm
    chart.width, chart.height = width - 60 * mm, height - 22 * mm
    chart.data = [[s.total_requested // 100 for _, _, s in groups], [s.total_granted // 100 for _, _, s in groups]]
    chart.categoryAxis.categoryNames = [
        (f"Or. {items[0].orientation_number}" if items[0].orientation_number is not None else "Sans")
        for _, items, _ in groups
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = _euros_label
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.bars[0].fillColor = colors.HexColor("#9a9aeb")
    chart.bars[1].fillColor = BLUE
    chart.bars.strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 8
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 34 * mm, height - 12 * mm
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.colorNamePairs = [(chart.bars[0].fillColor, "Demandé"), (chart.bars[1].fillColor, "Accordé")]
    drawing.add(legend)
    drawing.add(String(0, height - 6, "Demandé et accordé par orientation (milliers d'euros)", fontName=FONT,
                       fontSize=7.5, fillColor=GREY))
    return drawing


def describe_scope(scope: ProgrammeScope) -> str:
    parts = [f"Programmation {scope.year}"]
    if scope.orientation_id is not None:
        o = Orientation.get_by_id(scope.orientation_id)
        parts.append(f"orientation {o.number}")
    if scope.quartier_id is not None:
        q = Quartier.get_by_id(scope.quartier_id)
        parts.append(f"quartier {q.code} {q.name}")
    if scope.funder_id is not None:
        parts.append(f"financeur {funder_names()[scope.funder_id].label}")
    return " · ".join(parts)


def build_programme_sheet(scope: ProgrammeScope, out: Path | BinaryIO, progress: Progress | None = None,
                          cancelled: Cancelled | None = None) -> None:
    """Write the programme; progress(done, total) counts action rows laid out, cancelled() is polled."""
    if isinstance(scope, int):
        scope = ProgrammeScope(scope)
    for model, key, what in ((Orientation, scope.orientation_id, "L'orientation"),
                             (Quartier, scope.quartier_id, "Le quartier"), (Funder, scope.funder_id, "Le financeur")):
        if key is not None and model.get_or_none(model.id == key) is None:
            raise ReportError(f"{what} n° {key} n'existe pas.")
    context = sheet_context(TITLE)
    data = programme_data(scope)
    check_cancel(cancelled)
    rows = data.actions
    groups: list[tuple[str, list[ActionRow], FunderSums]] = []
    for _, group in groupby(rows, key=lambda r: r.orientation_id):
        items = list(group)
        sums = FunderSums()
        for row in items:
            sums.add(data.fundings.get(row.id, []))
        groups.append((_orientation_label(items[0]), items, sums))
    story: list[Flowable] = heading(f"Programme d'actions {scope.year}", describe_scope(scope))
    chart = [Spacer(1, 4 * mm), orientation_chart(groups)] if groups else []
    # The figures come from the totals services (as the dashboard's); a programme cut to its first actions
    # (scope.limit) sums those actions only.
    figures_scope = FigureScope.of(scope)
    if scope.limit is not None:
        figures_scope = figures_scope.replace(action_ids=tuple(row.id for row in rows))
    story += programme_figures(figures_scope, after_synthesis=chart)[2]
    if not rows:
        story.append(para("Aucune action ne correspond à ce programme.", "muted"))
        write_pdf(out, story, context, progress, cancelled)
        return
    n = len(rows)

    for label, items, _ in groups:
        check_cancel(cancelled)
        # A heading never ends a page alone; the table itself splits, repeating its header.
        story.append(CondPageBreak(45 * mm))
        story.append(para(label, "h2"))
        story.append(orientation_table(items, data.fundings))
    write_pdf(out, story, context, progress, cancelled, total_rows=n)


def programme_scope(year: int, orientation_number: int | None = None, quartier_code: str | None = None,
                    funder_name: str | None = None, limit: int | None = None) -> ProgrammeScope:
    """The scope from what a user types; raises ReportError naming what was not found."""
    from cvdesk.services.report_data import find_orientation, find_quartier, funders_named

    scope = ProgrammeScope(year, limit=limit)
    if orientation_number is not None:
        orientation = find_orientation(orientation_number)
        if orientation is None:
            raise ReportError(f"L'orientation n° {orientation_number} n'existe pas.")
        scope.orientation_id = orientation.id
    if quartier_code:
        quartier = find_quartier(quartier_code)
        if quartier is None:
            raise ReportError(f"Le quartier « {quartier_code} » n'existe pas.")
        scope.quartier_id = quartier.id
    if funder_name:
        found = funders_named(funder_name)
        if not found:
            raise ReportError(f"Le financeur « {funder_name} » n'existe pas.")
        if len(found) > 1:
            names = ", ".join(f.name for f in found)
            raise ReportError(f"« {funder_name} » désigne {len(found)} financeurs ({names}) : donnez son nom complet.")
        scope.funder_id = found[0].id
    return scope
