"""A comité prepared, decided and closed in an office reaches headquarters in a package: the meeting, its agenda in
order, each decision with its note and partial amounts, and what the closing changed, so that headquarters sees the
same statuses and plans, and can even reopen the meeting there. A forged decision is refused with nothing written."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from cvdesk.domain.decisions import ADJOURNED, GRANTED, PARTIAL, REFUSED
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services.meetings import (add_items, agenda, close_meeting, decision_lines, record_decision,
                                     reopen_meeting, save_meeting)
from cvdesk.store.database import opened_database
from cvdesk.store.models import db
from tests.exchange.forging import edited, members, write

REFERENCES = ("2015-VM-006", "2015-VM-024", "2015-VM-031", "2015-VM-039")


def rows(sql: str, *params: object) -> list[tuple]:
    return list(db.execute_sql(sql, params))


def meeting_records() -> list[tuple]:
    """The meetings and their items by UUID, with every field a coordinator sets, read with SQL."""
    return rows("SELECT uuid, kind, date, title, place, attendees, status, deleted FROM meeting ORDER BY uuid") + rows(
        """SELECT mi.uuid, m.uuid, a.uuid, mi.position, mi.outcome, mi.amounts, mi.decision, mi.notes, mi.applied,
                  mi.deleted
           FROM meeting_item mi JOIN meeting m ON m.id = mi.meeting_id JOIN "action" a ON a.id = mi.action_id
           ORDER BY mi.uuid""")


def plans() -> list[tuple]:
    return rows('SELECT uuid, status, requested_total, granted_total, paid_total FROM "action" ORDER BY uuid') + rows(
        "SELECT uuid, granted, decision_date FROM funding ORDER BY uuid")


def closed_comite() -> str:
    """A comité d'attribution with four decisions, one of each kind, closed; its UUID."""
    result = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21), "title": "Seconde vague",
                           "place": "Denain", "attendees": "Délégué du préfet ; CAF"})
    assert result.ok, result.errors
    meeting_id = result.record.id
    ids = [rows('SELECT id FROM "action" WHERE reference = ?', r)[0][0] for r in REFERENCES]
    assert add_items(meeting_id, list(reversed(ids))).ok  # the agenda's order is not the references'
    items = {row.reference: row.item_id for row in agenda(meeting_id)}
    partial = {line.funder_id: line.requested * 3 // 4 for line in decision_lines(items["2015-VM-024"])}
    for reference, outcome, amounts in (("2015-VM-006", GRANTED, None), ("2015-VM-024", PARTIAL, partial),
                                        ("2015-VM-031", ADJOURNED, None), ("2015-VM-039", REFUSED, None)):
        assert record_decision(items[reference], outcome, amounts, f"Note « {reference} »").ok
    assert close_meeting(meeting_id).ok
    return result.record.uuid


@pytest.fixture
def offices(demo_template: Path, tmp_path: Path) -> tuple[Path, Path]:
    headquarters, office = tmp_path / "siege.db", tmp_path / "bureau.db"
    headquarters.write_bytes(demo_template.read_bytes())
    office.write_bytes(demo_template.read_bytes())
    return headquarters, office


def test_a_closed_comite_reaches_headquarters_and_reopens_there(offices: tuple[Path, Path], tmp_path: Path) -> None:
    headquarters, office = offices
    with opened_database(headquarters):
        plans_before = plans()
    with opened_database(office):
        meeting_uuid = closed_comite()
        sent_meetings, sent_plans = meeting_records(), plans()
        export_package(tmp_path / "bureau.zip", "Bureau Denain")

    with opened_database(headquarters):
        summary = import_package(tmp_path / "bureau.zip")
        assert not summary.conflicts
        assert summary.counts["meeting"].added == 1 and summary.counts["meeting_item"].added == 4
        assert meeting_records() == sent_meetings
        assert plans() == sent_plans
        # The decisions as they were recorded: a partial grant's amounts name the funders by UUID.
        [(amounts,)] = rows("""SELECT mi.amounts FROM meeting_item mi JOIN "action" a ON a.id = mi.action_id
                               JOIN meeting m ON m.id = mi.meeting_id
                               WHERE a.reference = '2015-VM-024' AND mi.outcome != '' AND m.uuid = ?""",
                            meeting_uuid)
        expected = dict(rows("""SELECT fu.uuid, f.requested * 3 / 4 FROM funding f JOIN funder fu ON fu.id = f.funder_id
                                JOIN "action" a ON a.id = f.action_id WHERE a.reference = '2015-VM-024'
                                AND f.deleted = 0"""))
        assert json.loads(amounts) == expected
        assert [r.reference for r in agenda(rows("SELECT id FROM meeting WHERE uuid = ?", meeting_uuid)[0][0])] == \
            list(reversed(REFERENCES))

        # Importing the same package twice changes nothing.
        again = import_package(tmp_path / "bureau.zip")
        assert all(c.added == c.updated == 0 for c in again.counts.values())
        assert meeting_records() == sent_meetings

        # Headquarters reopens the comité: the plans are back as both bases had them before it.
        assert reopen_meeting(rows("SELECT id FROM meeting WHERE uuid = ?", meeting_uuid)[0][0]).ok
        assert plans() == plans_before


def test_a_package_with_a_forged_decision_is_refused_whole(offices: tuple[Path, Path], tmp_path: Path) -> None:
    headquarters, office = offices
    with opened_database(office):
        closed_comite()
        export_package(tmp_path / "bureau.zip", "Bureau Denain")

    def forge(records: list[dict]) -> None:
        records[0]["amounts"] = '{"pas-un-uuid": -5}'

    forged = write(tmp_path / "faux.zip", edited(members(tmp_path / "bureau.zip"), "meeting_item.jsonl", forge))
    with opened_database(headquarters):
        before = meeting_records(), plans()
        with pytest.raises(ExchangeError) as refused:
            import_package(forged)
        message = str(refused.value)
        assert "meeting_item.jsonl, ligne 1" in message and "« amounts »" in message and "pas-un-uuid" in message
        assert (meeting_records(), plans()) == before
