"""The programme for partners: actions by orientation, each funder's amounts, subtotals, totals, envelopes."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.domain.money import format_money
from cvdesk.reports.programme_sheet import build_programme_sheet, programme_scope
from cvdesk.reports.styles import ReportCancelled, ReportError
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.reference import save_contract, save_envelope, save_funder, save_orientation
from cvdesk.services.report_data import ProgrammeScope, find_funder, fundings_of_actions, programme_data
from cvdesk.services.totals import envelope_consumption, totals_by_funder, totals_by_orientation
from cvdesk.store.models import Action, Funding

from .pdfcheck import assert_page_numbers, assert_sound_pdf, norm, pages_text

pytestmark = pytest.mark.both_engines

DETAIL_HEADER = "Référence Action, porteur, statut et coût Financeur Demandé Accordé"


def m(cents: int | None) -> str:
    return "—" if cents is None else norm(format_money(cents))


def test_the_2015_programme_matches_the_database_to_the_cent(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "programme.pdf"
    build_programme_sheet(programme_scope(2015), out)
    text = " ".join(assert_page_numbers(out))
    assert_sound_pdf(out)
    assert "Programme d'actions 2015" in text and "Données de démonstration" in text

    by_orientation = totals_by_orientation(2015)
    for t in by_orientation:
        assert f"{t.actions} {m(t.total_cost)} {m(t.requested)} {m(t.granted)}" in text
    cost = sum(t.total_cost for t in by_orientation)
    requested = sum(t.requested for t in by_orientation)
    granted = sum(t.granted for t in by_orientation)
    assert f"Total 40 {m(cost)} {m(requested)} {m(granted)}" in text
    assert f"40 actions · coût total {m(cost)} · demandé {m(requested)} · accordé {m(granted)}" in text

    funders = totals_by_funder(2015)
    for t in funders:
        # A funder that has decided nothing yet (the demo's Ville de Beuvrages) shows a dash, not 0,00 €.
        shown = [m(t.granted)] + (["—"] if t.granted == 0 else [])
        assert any(f"{t.label} {t.actions} {m(t.requested)} {granted}" in text for granted in shown), t.label
    financed = len({a.id for a in Action.select().where((Action.year == 2015) & (Action.deleted == False))  # noqa: E712
                    if a.fundings.where(Funding.deleted == False).exists()})  # noqa: E712
    assert f"Total {financed} {m(sum(t.requested for t in funders))} {m(sum(t.granted for t in funders))}" in text

    uses = envelope_consumption(2015)
    assert any(u.amount == 170_000_000 for u in uses)
    for use in uses:
        tenths = (use.granted * 2000 + use.amount) // (2 * use.amount)  # rounded once, half up, by hand
        assert f"{m(use.amount)} {m(use.requested)}" in text
        assert f"{m(use.granted)} {tenths // 10},{tenths % 10} %" in text
    assert "1 700 000,00 €" in text and "toutes orientations" in text

    data = programme_data(ProgrammeScope(2015))
    assert len(data.actions) == 40
    for action in data.actions:
        assert action.reference in text
        lines = data.fundings[action.id]
        for line in lines:
            assert m(line.requested) in text and m(line.granted) in text
        if len(lines) > 1:
            assert m(sum(x.requested for x in lines)) in text


def test_a_programme_narrowed_to_a_funder_shows_only_its_lines(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "etat.pdf"
    build_programme_sheet(programme_scope(2015, funder_name="etat"), out)
    text = " ".join(pages_text(out))
    etat = find_funder("État")
    assert f"financeur {etat.name}" in text
    region = [t for t in totals_by_funder(2015) if t.label.startswith("Région")][0]
    assert m(region.requested) not in text
    state = [t for t in totals_by_funder(2015) if t.key == etat.id][0]
    assert f"{etat.name} {state.actions} {m(state.requested)} {m(state.granted)}" in text
    assert "Région Nord" not in text


def test_a_programme_narrowed_to_an_orientation_lists_only_its_actions(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "o2.pdf"
    build_programme_sheet(programme_scope(2015, orientation_number=2), out)
    text = " ".join(pages_text(out))
    for action in Action.select().where(Action.year == 2015):
        assert (action.reference in text) == (action.orientation.number == 2)


def test_unknown_narrowing_is_refused_in_french(demo_db) -> None:
    with pytest.raises(ReportError, match="L'orientation n° 42 n'existe pas"):
        programme_scope(2015, orientation_number=42)
    with pytest.raises(ReportError, match="Le financeur « Banque »"):
        programme_scope(2015, funder_name="Banque")


@pytest.fixture
def long_programme(empty_db) -> int:
    """One orientation holding 150 actions, each financed by two funders."""
    contract = save_contract({"name": "Contrat de ville de Test", "start_year": 2015, "end_year": 2020}).record
    orientation = save_orientation({"contract": contract.id, "number": 1, "title": "Emploi et insertion"}).record
    state = save_funder({"name": "État", "short_name": "État", "position": 0}).record
    region = save_funder({"name": "Région", "short_name": "Région", "position": 1}).record
    save_envelope({"funder": state.id, "year": 2015, "amount": 50_000_000})
    for n in range(1, 151):
        result = save_action(
            {"reference": f"2015-T-{n:03d}", "title": f"Action de test numéro {n}", "year": 2015,
             "orientation": orientation.id, "total_cost": 1_000_000 + n},
            fundings=[FundingInput(state.id, 500_000 + n, 400_000 + n), FundingInput(region.id, 200_000, None)],
        )
        assert result.ok, result.errors
    return orientation.id


def test_a_long_programme_splits_its_table_and_repeats_the_header(long_programme, tmp_path: Path) -> None:
    out = tmp_path / "long.pdf"
    progress: list[tuple[int, int]] = []
    build_programme_sheet(programme_scope(2015), out, progress=lambda done, total: progress.append((done, total)))
    pages = assert_page_numbers(out)
    detail_pages = [p for p in pages if "2015-T-" in p]
    assert len(detail_pages) >= 4
    for page in detail_pages:
        assert DETAIL_HEADER in page
    text = " ".join(pages)
    for n in range(1, 151):
        assert f"2015-T-{n:03d}" in text
    assert m(sum(500_000 + n for n in range(1, 151))) in text  # État requested, orientation subtotal
    assert f"Total 150 {m(sum(1_000_000 + n for n in range(1, 151)))}" in text
    assert progress and progress[-1] == (150, 150)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_cancelling_a_programme_writes_nothing(long_programme, tmp_path: Path) -> None:
    folder = tmp_path / "fiches"
    folder.mkdir()
    out = folder / "annule.pdf"
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(ReportCancelled):
        build_programme_sheet(programme_scope(2015), out, cancelled=cancelled)
    assert calls and list(folder.iterdir()) == []


def test_fundings_of_many_actions_are_grouped_by_action(demo_db) -> None:
    ids = [a.id for a in Action.select().where(Action.year == 2015)]
    grouped = fundings_of_actions(ids)
    assert sum(len(v) for v in grouped.values()) == sum(t.actions for t in totals_by_funder(2015))
