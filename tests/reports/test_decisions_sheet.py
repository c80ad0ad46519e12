"""The relevé de décisions: after the comité, each item's decision as recorded in the Réunions tab."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.domain.money import format_money
from cvdesk.reports.meeting_sheet import build_decisions_sheet
from cvdesk.services import meetings
from cvdesk.store.models import db

from .pdfcheck import assert_page_numbers, assert_sound_pdf, norm

pytestmark = pytest.mark.both_engines


def m(cents: int) -> str:
    return norm(format_money(cents))


def waiting_actions(n: int) -> list[tuple[int, str]]:
    """Actions of the demo waiting for a decision (déposées or en instruction), by reference."""
    return db.execute_sql("SELECT id, reference FROM \"action\" WHERE deleted = 0 AND status IN ('deposee', "
                          "'en_instruction') ORDER BY reference LIMIT ?", (n,)).fetchall()


def test_the_record_of_decisions_prints_each_decision_with_partial_amounts_and_notes(demo_db, tmp_path: Path) -> None:
    meeting = meetings.save_meeting({"kind": "comite_attribution", "date": "2015-06-18",
                                     "place": "Hôtel de ville de Denain", "title": "Attribution de juin"}).record
    chosen = waiting_actions(5)
    assert meetings.add_items(meeting.id, [action_id for action_id, _ in chosen]).ok
    items = meetings.agenda(meeting.id)
    partial = items[1]
    lines = db.execute_sql("SELECT fu.id, fu.name, f.requested FROM funding f JOIN funder fu ON fu.id = f.funder_id "
                           "WHERE f.action_id = ? AND f.deleted = 0 ORDER BY fu.position, fu.name",
                           (partial.action_id,)).fetchall()
    given = {funder_id: requested // 2 + 1 for funder_id, _, requested in lines}  # odd cents on purpose
    assert meetings.record_decision(items[0].item_id, "accordee", notes="Dossier complet.").ok
    assert meetings.record_decision(partial.item_id, "accordee_partiellement", given, notes="Moitié de la demande.").ok
    assert meetings.record_decision(items[2].item_id, "ajournee", notes="À revoir en septembre.").ok
    assert meetings.record_decision(items[3].item_id, "refusee").ok

    out = tmp_path / "releve.pdf"
    build_decisions_sheet(meeting.id, out)
    text = " ".join(assert_page_numbers(out))
    assert_sound_pdf(out)
    assert "Relevé de décisions – Comité d'attribution du 18/06/2015" in text
    assert "Attribution de juin" in text and "Hôtel de ville de Denain" in text
    assert "1 accordée, 1 accordée partiellement, 1 ajournée, 1 refusée, 1 sans décision" in text
    assert "Réunion ouverte : les décisions ne sont pas encore appliquées aux actions." in text
    amounts = " ; ".join(f"{name} {m(given[funder_id])}" for funder_id, name, _ in lines)
    assert norm(f"Montants accordés : {amounts} (total {m(sum(given.values()))})") in text
    for label in ("Accordée", "Accordée partiellement", "Ajournée", "Refusée", "à prendre"):
        assert f"Décision : {label}" in text
    for note in ("Dossier complet.", "Moitié de la demande.", "À revoir en septembre."):
        assert f"Observations : {note}" in text

    closed = meetings.close_meeting(meeting.id)
    assert closed.ok, closed.errors
    build_decisions_sheet(meeting.id, out)
    text = " ".join(assert_page_numbers(out))
    assert "Réunion close : les décisions sont appliquées aux actions." in text
    # Closed, the partial grant is the action's plan: each funder's granted amount is the one decided.
    for funder_id, name, requested in lines:
        assert norm(f"{name} {m(requested)} {m(given[funder_id])}") in text
