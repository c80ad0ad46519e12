"""Two coordinators working on the same comité's agenda at once, each on a connection of their own: a decision, a
move or a removal made from an agenda read before the other's change is refused with the forms' French sentence, and
what the other recorded stays (never a lost update)."""
from __future__ import annotations

from datetime import date

import pytest

from cvdesk.domain.decisions import ADJOURNED, GRANTED, REFUSED
from cvdesk.services.concurrency import ConcurrentEdit, read_at, read_many
from cvdesk.services.meetings import add_items, agenda, move_item, record_decision, remove_item, save_meeting
from cvdesk.store.models import MeetingItem
from tests.services.test_two_editors import on_another_computer

pytestmark = pytest.mark.both_engines

REFERENCES = ("2015-VM-006", "2015-VM-024", "2015-VM-031")


@pytest.fixture
def comite(demo_db, sql_rows) -> int:
    """A comité of the demo contract with three actions on its agenda."""
    result = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21), "title": "Seconde vague"})
    assert result.ok, result.errors
    ids = [sql_rows('SELECT id FROM "action" WHERE reference = ?', (r,))[0][0] for r in REFERENCES]
    assert add_items(result.record.id, ids).ok
    return result.record.id


def stored_agenda(sql_rows, meeting_id: int) -> list[tuple]:
    """The live items in their order, with their decisions and notes, read in plain SQL."""
    return sql_rows('SELECT a.reference, mi.position, mi.outcome, mi.notes FROM meeting_item mi JOIN "action" a '
                    "ON a.id = mi.action_id WHERE mi.meeting_id = ? AND mi.deleted = 0 ORDER BY mi.position",
                    (meeting_id,))


def item(rows: list, reference: str):
    return next(row for row in rows if row.reference == reference)


def assert_the_forms_sentence(refused: pytest.ExceptionInfo, sql_rows, item_id: int) -> None:
    (uuid,), = sql_rows("SELECT uuid FROM meeting_item WHERE id = ?", (item_id,))
    (user,), = sql_rows("SELECT os_user FROM history WHERE record_uuid = ? ORDER BY id DESC LIMIT 1", (uuid,))
    sentence = str(refused.value)
    assert sentence.startswith(f"Cette fiche a été modifiée par {user}")
    assert sentence.endswith("depuis que vous l'avez ouverte.")


def test_a_decision_from_an_agenda_read_before_the_others_is_refused_and_theirs_stays(comite, sql_rows) -> None:
    mine = item(agenda(comite), "2015-VM-024")  # my agenda, read before they decide
    theirs = on_another_computer(lambda: item(agenda(comite), "2015-VM-024"))

    def they_decide() -> bool:
        with read_at(MeetingItem, theirs.item_id, theirs.version):
            return record_decision(theirs.item_id, REFUSED, None, "Hors cadre").ok

    assert on_another_computer(they_decide)
    with pytest.raises(ConcurrentEdit) as refused, read_at(MeetingItem, mine.item_id, mine.version):
        record_decision(mine.item_id, GRANTED, None, "Avis favorable")

    assert_the_forms_sentence(refused, sql_rows, mine.item_id)
    assert ("2015-VM-024", 1, REFUSED, "Hors cadre") in stored_agenda(sql_rows, comite)
    # Read again, the agenda carries their version: the decision, now made knowingly, replaces theirs.
    again = item(agenda(comite), "2015-VM-024")
    with read_at(MeetingItem, again.item_id, again.version):
        assert record_decision(again.item_id, GRANTED, None, "Avis favorable").ok
    assert ("2015-VM-024", 1, GRANTED, "Avis favorable") in stored_agenda(sql_rows, comite)


def test_a_move_from_a_stale_agenda_is_refused_and_the_order_stays(comite, sql_rows) -> None:
    mine = agenda(comite)

    def they_move_the_last_up() -> bool:
        rows = agenda(comite)
        with read_many(MeetingItem, {row.item_id: row.version for row in rows}):
            return move_item(item(rows, "2015-VM-031").item_id, -1).ok

    assert on_another_computer(they_move_the_last_up)
    after_theirs = stored_agenda(sql_rows, comite)
    assert [row[0] for row in after_theirs] == ["2015-VM-006", "2015-VM-031", "2015-VM-024"]

    # On my screen 2015-VM-024 is still second: « Monter » would put it first; it is refused instead.
    with pytest.raises(ConcurrentEdit) as refused, read_many(MeetingItem, {r.item_id: r.version for r in mine}):
        move_item(item(mine, "2015-VM-024").item_id, -1)
    assert_the_forms_sentence(refused, sql_rows, item(mine, "2015-VM-024").item_id)
    assert stored_agenda(sql_rows, comite) == after_theirs


def test_removing_an_item_decided_since_the_agenda_was_read_is_refused(comite, sql_rows) -> None:
    mine = agenda(comite)

    def they_adjourn() -> bool:
        row = item(agenda(comite), "2015-VM-006")
        with read_at(MeetingItem, row.item_id, row.version):
            return record_decision(row.item_id, ADJOURNED, None, "Dossier incomplet").ok

    assert on_another_computer(they_adjourn)
    with pytest.raises(ConcurrentEdit), read_many(MeetingItem, {r.item_id: r.version for r in mine}):
        remove_item(item(mine, "2015-VM-006").item_id)
    assert stored_agenda(sql_rows, comite)[0] == ("2015-VM-006", 0, ADJOURNED, "Dossier incomplet")
    # An item nobody touched goes as before.
    with read_many(MeetingItem, {r.item_id: r.version for r in mine}):
        assert remove_item(item(mine, "2015-VM-031").item_id).ok
    assert [row[0] for row in stored_agenda(sql_rows, comite)] == ["2015-VM-006", "2015-VM-024"]
