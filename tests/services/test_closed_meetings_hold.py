"""A closed comité holds: its date and instance (the decision date its closing wrote on the plans) cannot change
until it is reopened, and reopening is refused once a payment was recorded against a grant it made (undoing the
grant would leave the line paid and not granted)."""
from __future__ import annotations

from datetime import date

import pytest

from cvdesk.domain.decisions import GRANTED
from cvdesk.services.actions import recompute_totals
from cvdesk.services.meetings import add_items, agenda, close_meeting, record_decision, reopen_meeting, save_meeting
from cvdesk.services.records import save_record
from cvdesk.store.models import Funding, db

pytestmark = pytest.mark.both_engines

DAY = date(2015, 5, 21)


def rows(sql: str, *params: object) -> list[tuple]:
    return list(db.execute_sql(sql, params))


def closed_comite_granting(reference: str) -> int:
    """A comité d'attribution of 21/05/2015 that granted the action in full, closed."""
    meeting = save_meeting({"kind": "comite_attribution", "date": DAY, "place": "Valenciennes"}).record.id
    action = rows('SELECT id FROM "action" WHERE reference = ?', reference)[0][0]
    assert add_items(meeting, [action]).ok
    assert record_decision(agenda(meeting)[0].item_id, GRANTED).ok
    assert close_meeting(meeting).ok
    return meeting


def test_a_closed_comite_keeps_its_date_and_instance_until_reopened(demo_db) -> None:
    meeting = closed_comite_granting("2015-VM-006")
    before = rows("SELECT kind, date, place, title, attendees, notes FROM meeting WHERE id = ?", meeting)

    result = save_meeting({"kind": "comite_technique", "date": date(2016, 1, 12), "place": "Mairie"}, meeting)

    assert not result.ok
    [message] = result.errors.values()
    assert "close" in message and "rouvrez-la" in message and "Error" not in message
    assert rows("SELECT kind, date, place, title, attendees, notes FROM meeting WHERE id = ?", meeting) == before
    # The plans still carry the date the comité decided on, and the meeting says the same date.
    assert rows("SELECT DISTINCT f.decision_date FROM funding f JOIN \"action\" a ON a.id = f.action_id "
                "WHERE a.reference = '2015-VM-006' AND f.deleted = 0") == [("2015-05-21",)]
    # Saving it unchanged (the form's Enregistrer on a closed meeting) is no change, and goes through.
    assert save_meeting({"kind": "comite_attribution", "date": DAY, "place": "Valenciennes"}, meeting).ok
    # Reopened, it can be moved.
    assert reopen_meeting(meeting).ok
    assert save_meeting({"date": date(2015, 5, 28)}, meeting).ok
    assert rows("SELECT date FROM meeting WHERE id = ?", meeting) == [("2015-05-28",)]


def test_a_payment_on_a_grant_of_the_comite_refuses_the_reopening(demo_db) -> None:
    meeting = closed_comite_granting("2015-VM-006")
    [(line, granted)] = rows("SELECT f.id, f.granted FROM funding f JOIN \"action\" a ON a.id = f.action_id "
                             "WHERE a.reference = '2015-VM-006' AND f.deleted = 0 ORDER BY f.id LIMIT 1")
    assert granted > 100_000
    assert save_record(Funding, {"paid": 100_000}, line).ok  # the first payment, 1 000 €, after the comité
    recompute_totals(rows("SELECT action_id FROM funding WHERE id = ?", line)[0][0])
    before = rows("SELECT id, granted, paid, decision_date FROM funding ORDER BY id") + rows(
        'SELECT id, status, granted_total, paid_total FROM "action" ORDER BY id')

    result = reopen_meeting(meeting)

    assert not result.ok
    [message] = result.errors.values()
    assert "2015-VM-006" in message and "versé" in message and "1 000,00" in message.replace("\u202f", " ") \
        .replace("\xa0", " ")
    assert rows("SELECT id, granted, paid, decision_date FROM funding ORDER BY id") + rows(
        'SELECT id, status, granted_total, paid_total FROM "action" ORDER BY id') == before
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting) == [("closed",)]


def test_a_note_added_to_an_older_opinion_keeps_the_opinion(demo_db) -> None:
    """The demo's comité technique recorded opinions as text (« avis favorable », « à compléter »): adding a note
    without choosing a decision keeps that text, as the dossier de séance prints it."""
    [(meeting,)] = rows("SELECT id FROM meeting WHERE kind = 'comite_technique' AND deleted = 0")
    [(item, opinion)] = rows("SELECT id, decision FROM meeting_item WHERE meeting_id = ? AND deleted = 0 "
                             "ORDER BY position LIMIT 1", meeting)
    assert opinion

    assert record_decision(item, "", notes="Relancer le porteur pour le budget.").ok

    assert rows("SELECT decision, outcome, notes FROM meeting_item WHERE id = ?", item) == [
        (opinion, "", "Relancer le porteur pour le budget.")]
    assert next(row for row in agenda(meeting) if row.item_id == item).decision_text == opinion
    # A decision chosen, then withdrawn (« Sans décision »), leaves no label behind.
    assert record_decision(item, GRANTED).ok and record_decision(item, "").ok
    assert rows("SELECT decision, outcome FROM meeting_item WHERE id = ?", item) == [("", "")]


def test_the_agenda_of_a_closed_comite_shows_what_it_granted_not_todays_request(demo_db) -> None:
    """After the comité, the porteur revises its request: the closed comité's agenda still shows, as « accordé »,
    what its closing wrote on the plan (SQL), not the new request."""
    meeting = closed_comite_granting("2015-VM-006")
    [(line, requested)] = rows("SELECT f.id, f.requested FROM funding f JOIN \"action\" a ON a.id = f.action_id "
                               "WHERE a.reference = '2015-VM-006' AND f.deleted = 0 ORDER BY f.id LIMIT 1")
    assert save_record(Funding, {"requested": requested + 500_000}, line).ok
    recompute_totals(rows("SELECT action_id FROM funding WHERE id = ?", line)[0][0])
    [(granted, requested_now)] = rows('SELECT granted_total, requested_total FROM "action" '
                                      "WHERE reference = '2015-VM-006'")
    assert granted != requested_now

    assert agenda(meeting)[0].decided_amount == granted
