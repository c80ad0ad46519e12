"""A coordinator prepares a comité on the demo contract, records a decision per item, closes it (the actions' statuses
and granted amounts change, with history) and reopens it (everything as it was); what the workflow forbids is
refused in French, naming the action, and changes nothing."""
from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.domain.decisions import ADJOURNED, GRANTED, PARTIAL, REFUSED
from cvdesk.services.meetings import (
    add_items,
    agenda,
    close_meeting,
    decision_lines,
    delete_meeting,
    move_item,
    record_decision,
    remove_item,
    reopen_meeting,
    save_meeting,
)
from cvdesk.services.records import DeletionRefused
from cvdesk.store.models import db

pytestmark = pytest.mark.both_engines

DAY = date(2015, 5, 21)


def rows(sql: str, *params: object) -> list[tuple]:
    return list(db.execute_sql(sql, params))


def action_id(reference: str) -> int:
    return rows('SELECT id FROM "action" WHERE reference = ?', reference)[0][0]


def plan_state() -> list[tuple]:
    """Every action's status and cached totals, every funding line's amounts and decision date, from SQL."""
    return rows('SELECT id, status, requested_total, granted_total, paid_total FROM "action" ORDER BY id') + rows(
        "SELECT id, action_id, requested, granted, paid, decision_date, deleted FROM funding ORDER BY id")


def new_comite(*references: str) -> int:
    result = save_meeting({"kind": "comite_attribution", "date": DAY, "title": "Programmation 2015, seconde vague",
                           "place": "Valenciennes Métropole", "attendees": "Délégué du préfet ; Région ; CAF"})
    assert result.ok, result.errors
    meeting_id = result.record.id
    assert add_items(meeting_id, [action_id(r) for r in references]).ok
    return meeting_id


def item_of(meeting_id: int, reference: str) -> int:
    return next(row.item_id for row in agenda(meeting_id) if row.reference == reference)


def test_closing_applies_four_decisions_and_reopening_restores_them(demo_db) -> None:
    before = plan_state()
    meeting = new_comite("2015-VM-006", "2015-VM-024", "2015-VM-031", "2015-VM-039")
    assert [row.reference for row in agenda(meeting)] == ["2015-VM-006", "2015-VM-024", "2015-VM-031", "2015-VM-039"]
    # A partial grant: half of each funder's request, rounded down, by hand from SQL.
    partial_lines = rows("SELECT funder_id, requested FROM funding WHERE action_id = ? AND deleted = 0",
                         action_id("2015-VM-024"))
    halves = {funder: requested // 2 for funder, requested in partial_lines}
    for reference, outcome, amounts in (("2015-VM-006", GRANTED, None), ("2015-VM-024", PARTIAL, halves),
                                        ("2015-VM-031", ADJOURNED, None), ("2015-VM-039", REFUSED, None)):
        result = record_decision(item_of(meeting, reference), outcome, amounts, f"Note sur {reference}")
        assert result.ok, result.errors
    # Recorded, not applied: the actions are untouched until the meeting closes.
    assert plan_state() == before

    result = close_meeting(meeting)
    assert result.ok, result.errors
    assert rows('SELECT reference, status FROM "action" WHERE reference IN (?, ?, ?, ?) ORDER BY reference',
                "2015-VM-006", "2015-VM-024", "2015-VM-031", "2015-VM-039") == [
        ("2015-VM-006", "accordee"), ("2015-VM-024", "accordee"), ("2015-VM-031", "ajournee"),
        ("2015-VM-039", "refusee")]
    # Granted: the request, line by line; partial: the halves; refused: nothing; adjourned: undecided as before.
    assert rows("SELECT count(*) FROM funding WHERE action_id = ? AND deleted = 0 AND (granted IS DISTINCT FROM "
                "requested OR decision_date IS DISTINCT FROM '2015-05-21')", action_id("2015-VM-006")) == [(0,)]
    assert dict(rows("SELECT funder_id, granted FROM funding WHERE action_id = ? AND deleted = 0",
                     action_id("2015-VM-024"))) == halves
    assert rows('SELECT granted_total FROM "action" WHERE id = ?', action_id("2015-VM-024")) == [
        (sum(halves.values()),)]
    assert rows("SELECT DISTINCT granted, decision_date FROM funding WHERE action_id = ? AND deleted = 0",
                action_id("2015-VM-039")) == [(0, "2015-05-21")]
    assert rows("SELECT DISTINCT granted FROM funding WHERE action_id = ? AND deleted = 0",
                action_id("2015-VM-031")) == [(None,)]
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting) == [("closed",)]
    # History: the status move of each action, as a person reads it in the action's history.
    uuid_006 = rows('SELECT uuid FROM "action" WHERE reference = ?', "2015-VM-006")[0][0]
    moves = [json.loads(c)["status"] for (c,) in rows(
        "SELECT changes FROM history WHERE record_uuid = ? AND changes LIKE '%status%' ORDER BY id", uuid_006)]
    assert moves[-1] == ["en_instruction", "accordee"]

    result = reopen_meeting(meeting)
    assert result.ok, result.errors
    assert plan_state() == before
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting) == [("open",)]
    moves = [json.loads(c)["status"] for (c,) in rows(
        "SELECT changes FROM history WHERE record_uuid = ? AND changes LIKE '%status%' ORDER BY id", uuid_006)]
    assert moves[-1] == ["accordee", "en_instruction"]


def test_a_dossier_still_deposited_goes_through_instruction_on_the_way(demo_db) -> None:
    meeting = new_comite("2015-VM-007")
    assert record_decision(item_of(meeting, "2015-VM-007"), GRANTED).ok
    assert close_meeting(meeting).ok
    uuid = rows('SELECT uuid FROM "action" WHERE reference = ?', "2015-VM-007")[0][0]
    moves = [json.loads(c)["status"] for (c,) in rows(
        "SELECT changes FROM history WHERE record_uuid = ? AND changes LIKE '%status%' ORDER BY id", uuid)]
    assert moves[-2:] == [["deposee", "en_instruction"], ["en_instruction", "accordee"]]
    assert reopen_meeting(meeting).ok
    assert rows('SELECT status FROM "action" WHERE id = ?', action_id("2015-VM-007")) == [("deposee",)]


def test_a_decision_the_workflow_forbids_refuses_the_closing_and_changes_nothing(demo_db) -> None:
    meeting = new_comite("2015-VM-006", "2015-VM-001")  # 001 is already « En cours »
    assert record_decision(item_of(meeting, "2015-VM-006"), GRANTED).ok
    assert record_decision(item_of(meeting, "2015-VM-001"), REFUSED).ok
    before = plan_state()
    history = rows("SELECT count(*) FROM history")
    result = close_meeting(meeting)
    assert not result.ok
    [message] = result.errors.values()
    assert "2015-VM-001" in message and "« En cours »" in message and "« Refusée »" in message
    assert plan_state() == before and rows("SELECT count(*) FROM history") == history
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting) == [("open",)]


def test_an_action_changed_since_the_closing_refuses_the_reopening(demo_db) -> None:
    from cvdesk.services.actions import change_status

    meeting = new_comite("2015-VM-006")
    assert record_decision(item_of(meeting, "2015-VM-006"), GRANTED).ok
    assert close_meeting(meeting).ok
    assert change_status(action_id("2015-VM-006"), "en_cours").ok
    before = plan_state()
    result = reopen_meeting(meeting)
    assert not result.ok
    [message] = result.errors.values()
    assert "2015-VM-006" in message and "En cours" in message
    assert plan_state() == before and rows("SELECT status FROM meeting WHERE id = ?", meeting) == [("closed",)]


def test_a_closed_meeting_keeps_its_agenda_and_decisions_until_reopened(demo_db) -> None:
    meeting = new_comite("2015-VM-006", "2015-VM-024")
    item = item_of(meeting, "2015-VM-024")
    assert close_meeting(meeting).ok  # no decision: nothing changes, but the meeting is closed
    for result in (add_items(meeting, [action_id("2015-VM-031")]), remove_item(item), move_item(item, -1),
                   record_decision(item, REFUSED)):
        assert not result.ok and "rouvrez-la" in next(iter(result.errors.values()))
    try:
        delete_meeting(meeting)
    except DeletionRefused as exc:
        assert "close" in str(exc)
    else:
        raise AssertionError("une réunion close a été supprimée")
    assert not close_meeting(meeting).ok


def test_the_agenda_is_ordered_and_a_partial_grant_needs_every_funder(demo_db) -> None:
    meeting = new_comite("2015-VM-006", "2015-VM-024", "2015-VM-031")
    assert add_items(meeting, [action_id("2015-VM-006")]).ok  # already there: stays once
    assert move_item(item_of(meeting, "2015-VM-031"), -1).ok
    assert remove_item(item_of(meeting, "2015-VM-006")).ok
    assert rows("SELECT a.reference, mi.position FROM meeting_item mi JOIN \"action\" a ON a.id = mi.action_id "
                "WHERE mi.meeting_id = ? AND mi.deleted = 0 ORDER BY mi.position", meeting) == [
        ("2015-VM-031", 0), ("2015-VM-024", 1)]
    item = item_of(meeting, "2015-VM-024")
    lines = decision_lines(item)
    assert len(lines) == rows("SELECT count(*) FROM funding WHERE action_id = ? AND deleted = 0",
                              action_id("2015-VM-024"))[0][0]
    result = record_decision(item, PARTIAL, {lines[0].funder_id: 100})
    assert not result.ok and lines[1].funder in result.errors["amounts"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["", GRANTED, PARTIAL, ADJOURNED, REFUSED]),
                          st.integers(min_value=0, max_value=10_000_000)), min_size=4, max_size=4))
def test_any_decisions_closed_then_reopened_leave_the_plans_exactly_as_they_were(demo_db, decisions) -> None:
    before = plan_state()
    references = ("2015-VM-006", "2015-VM-024", "2015-VM-031", "2015-VM-039")
    meeting = new_comite(*references)
    for reference, (outcome, cents) in zip(references, decisions):
        item = item_of(meeting, reference)
        amounts = {line.funder_id: cents for line in decision_lines(item)} if outcome == PARTIAL else None
        assert record_decision(item, outcome, amounts).ok
    assert close_meeting(meeting).ok
    assert reopen_meeting(meeting).ok
    assert plan_state() == before


def test_the_meetings_list_names_kinds_and_states_and_filters_them(demo_db) -> None:
    from cvdesk.services.lists import fetch_rows, list_ids

    meeting = new_comite("2015-VM-006", "2015-VM-024")
    assert close_meeting(meeting).ok
    expected = [m for (m,) in rows("SELECT id FROM meeting WHERE deleted = 0 ORDER BY date, id")]
    assert list_ids("meetings") == expected
    closed = [m for (m,) in rows("SELECT id FROM meeting WHERE deleted = 0 AND status = 'closed' ORDER BY date, id")]
    assert meeting in closed and list_ids("meetings", filters={"status": "closed"}) == closed
    assert list_ids("meetings", filters={"status": "open"}) == [m for m in expected if m not in closed]
    assert list_ids("meetings", filters={"year": 2015, "kind": "comite_attribution"}) == [meeting]
    assert list_ids("meetings", filters={"year": 2016}) == []
    assert list_ids("meetings", "seconde vague") == [meeting]
    date_, kind, title, place, items, state = fetch_rows("meetings", [meeting])[meeting]
    assert (date_, kind, title, items, state) == ("2015-05-21", "Comité d'attribution",
                                                  "Programmation 2015, seconde vague", 2, "Close")


def test_the_meetings_history_reads_in_french(demo_db) -> None:
    from cvdesk.services.history import entries_for
    from cvdesk.store.models import Meeting

    meeting = new_comite("2015-VM-006")
    assert close_meeting(meeting).ok
    uuid = rows("SELECT uuid FROM meeting WHERE id = ?", meeting)[0][0]
    closing, creation = entries_for(Meeting, uuid)
    assert closing.describe() == "Statut : « Ouverte » → « Close »"
    assert "Type : (vide) → « Comité d'attribution »" in creation.describe()
    assert "Lieu : (vide) → « Valenciennes Métropole »" in creation.describe()
