"""A coordinator prints a quartier's sheet for the comité: every figure is the database's, to the cent."""
from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest

from pypdf import PdfReader

from cvdesk.domain.indicators import INDICATORS, format_indicator
from cvdesk.domain.money import format_money
from cvdesk.reports.quartier_sheet import build_quartier_sheet
from cvdesk.services.quartiers import communes_of, indicators_of
from cvdesk.services.report_data import actions_of_quartier, find_quartier
from cvdesk.services.totals import totals_by_funder, totals_by_orientation

from .pdfcheck import assert_page_numbers, assert_sound_pdf, norm

pytestmark = pytest.mark.both_engines


def m(cents: int) -> str:
    return norm(format_money(cents))


def test_the_quartier_sheet_shows_identity_indicators_actions_and_funding(demo_db, tmp_path: Path) -> None:
    quartier = find_quartier("QP059001")
    out = tmp_path / "quartier.pdf"
    day_before = date.today()
    build_quartier_sheet(quartier.id, out)
    pages = assert_page_numbers(out)
    text = " ".join(pages)
    assert_sound_pdf(out)

    assert "Fiche quartier" in text and "Contrat de ville" in text
    assert any(f"Imprimé le {day:%d/%m/%Y}" in text for day in {day_before, date.today()})  # even at midnight
    assert "Données de démonstration" in text
    assert f"QP059001 – {quartier.name}" in text
    for commune in communes_of(quartier.id):
        assert commune.name in text
    assert norm(f"{quartier.population:,}".replace(",", " ")) + " habitants" in text
    for code, (value, year) in indicators_of(quartier.id).items():
        assert f"{INDICATORS[code]} {norm(format_indicator(code, value))} {year}" in text

    actions = actions_of_quartier(quartier.id)
    assert actions
    for action in actions:
        assert action.reference in text and norm(action.title) in text
        granted = "—" if action.nothing_decided else m(action.granted)  # not decided is not 0,00 €
        assert f"{m(action.total_cost)} {granted}" in text
    for total in totals_by_orientation(quartier_id=quartier.id):
        assert f"Sous-total ({total.actions} action{'s' if total.actions > 1 else ''}) " \
               f"{m(total.total_cost)} {'—' if total.nothing_decided else m(total.granted)}" in text
    assert f"Total ({len(actions)} actions) {m(sum(a.total_cost for a in actions))} " \
           f"{m(sum(a.granted for a in actions))}" in text

    funders = totals_by_funder(quartier_id=quartier.id)
    for t in funders:
        waiting = m(t.undecided) if t.undecided_lines else "—"
        assert f"{t.label} {t.actions} {m(t.requested)} {m(t.granted)} {waiting} {m(t.paid)}" in text
    waiting = m(sum(t.undecided for t in funders)) if any(t.undecided_lines for t in funders) else "—"
    assert f"{m(sum(t.requested for t in funders))} {m(sum(t.granted for t in funders))} " \
           f"{waiting} {m(sum(t.paid for t in funders))}" in text


def test_a_year_narrows_the_sheet_and_a_stream_receives_it(demo_db) -> None:
    quartier = find_quartier("qp059001")
    stream = BytesIO()
    build_quartier_sheet(quartier.id, stream, year=2016)
    assert stream.getvalue().startswith(b"%PDF")
    text = norm(" ".join(p.extract_text() for p in PdfReader(stream).pages))
    assert "programmation 2016" in text and "Aucune action ne vise ce quartier." in text
