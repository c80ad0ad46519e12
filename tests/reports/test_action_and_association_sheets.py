"""The action sheet carries the financing plan to the cent; the association sheet its actions over the years."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.domain.financing import PlanLine, plan_totals
from cvdesk.domain.money import format_money
from cvdesk.domain.status import status_label
from cvdesk.reports.action_sheet import build_action_sheet
from cvdesk.reports.association_sheet import build_association_sheet
from cvdesk.services.report_data import (
    actions_of_association,
    decisions_of_action,
    find_action,
    find_association,
    fundings_of_action,
    quartiers_of_action,
)
from cvdesk.services.totals import totals_by_funder, totals_by_year

from .pdfcheck import assert_page_numbers, assert_sound_pdf, norm

pytestmark = pytest.mark.both_engines


def m(cents: int | None) -> str:
    return "—" if cents is None else norm(format_money(cents))


def test_the_action_sheet_shows_porteur_quartiers_and_the_plan_with_own_funds(demo_db, tmp_path: Path) -> None:
    action = find_action("2015-VM-001")
    out = tmp_path / "action.pdf"
    build_action_sheet(action.id, out)
    text = " ".join(assert_page_numbers(out))
    assert_sound_pdf(out)

    assert f"2015-VM-001 – {norm(action.title)}" in text
    assert status_label(action.status) in text
    assert f"du {action.start_date:%d/%m/%Y} au {action.end_date:%d/%m/%Y}" in text
    porteur = action.porteur
    for value in (porteur.name, porteur.siret, porteur.siren, porteur.rna):
        assert value and value in text
    for q in quartiers_of_action(action.id):
        assert f"{q.code} {q.name}" in text

    lines = fundings_of_action(action.id)
    assert len(lines) >= 2
    for line in lines:
        assert f"{line.funder} {m(line.requested)} {m(line.granted)} {m(line.paid)}" in text
        assert f"{line.decision_date:%d/%m/%Y}" in text
    totals = plan_totals(action.total_cost, [PlanLine(x.funder, x.requested, x.granted, x.paid) for x in lines])
    assert f"Total des financements {m(totals.requested)} {m(totals.granted)} {m(totals.paid)}" in text
    assert f"Autofinancement {m(totals.own_funds)}" in text
    assert f"Coût total de l'action {m(action.total_cost)}" in text
    for decision in decisions_of_action(action.id):
        assert f"{decision.meeting_date:%d/%m/%Y}" in text and decision.decision in text


def test_the_association_sheet_lists_its_actions_and_funding_by_year(demo_db, tmp_path: Path) -> None:
    first = find_action("2015-VM-001")
    association = find_association(first.porteur.siret)
    assert association.id == first.porteur_id
    assert find_association(" ".join([association.siret[:9], association.siret[9:]])).id == association.id
    out = tmp_path / "association.pdf"
    build_association_sheet(association.id, out)
    text = " ".join(assert_page_numbers(out))
    assert_sound_pdf(out)

    for value in (association.name, association.siret, association.email, association.contact_name):
        assert value in text
    rows = actions_of_association(association.id)
    for row in rows:
        assert f"{row.reference} {norm(row.title)}" in text
        assert f"{m(row.total_cost)} {m(row.requested)} {m(row.granted)}" in text
    for t in totals_by_year(association.id):
        waiting = m(t.undecided) if t.undecided_lines else "—"
        assert f"{t.label} {t.actions} {m(t.total_cost)} {m(t.requested)} {m(t.granted)} {waiting} {m(t.paid)}" in text
    funders = totals_by_funder(porteur_id=association.id)
    for t in funders:
        waiting = m(t.undecided) if t.undecided_lines else "—"
        assert f"{t.label} {t.actions} {m(t.requested)} {m(t.granted)} {waiting} {m(t.paid)}" in text
    assert f"Total ({len(rows)} action{'s' if len(rows) > 1 else ''}) {m(sum(r.total_cost for r in rows))}" in text
