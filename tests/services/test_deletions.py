"""A coordinator deletes records: children go with their parent, a porteur or quartier still in use is kept."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from peewee import OperationalError
from pypdf import PdfReader

from cvdesk.domain.money import format_money
from cvdesk.reports.quartier_sheet import build_quartier_sheet
from cvdesk.services import records
from cvdesk.services.actions import FundingInput, delete_action, save_action
from cvdesk.services.associations import delete_association, save_association
from cvdesk.services.check import run_check
from cvdesk.services.quartiers import delete_quartier, save_quartier
from cvdesk.services.records import DeletionRefused
from cvdesk.services.reference import save_meeting, save_meeting_item
from cvdesk.store.errors import StoreError
from cvdesk.store.models import db

pytestmark = pytest.mark.both_engines

CHILD_TABLES = ("funding", "action_quartier", "meeting_item")


def sql(query: str, *params: object) -> list[tuple]:
    return db.execute_sql(query, params).fetchall()


def one(query: str, *params: object) -> object:
    return sql(query, *params)[0][0]


def norm(text: str) -> str:
    """Every kind of space (no-break, narrow no-break, line break) as one plain space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def money(cents: int) -> str:
    return norm(format_money(cents))


def file_an_action(reference: str = "2016-VM-900") -> int:
    """An action of Les Amis du Faubourg over Chasse Royale and Carpeaux, funded by the État and the Région,
    on the agenda of a comité technique; returns its id."""
    porteur = save_association({"name": "Les Amis du Faubourg"}).record
    quartiers = [one("SELECT id FROM quartier WHERE code = ?", code) for code in ("QP059001", "QP059002")]
    etat = one("SELECT id FROM funder WHERE name LIKE 'État%'")
    region = one("SELECT id FROM funder WHERE name LIKE 'Région%'")
    result = save_action(
        {"reference": reference, "title": "Ateliers de cuisine partagée", "year": 2015, "porteur": porteur.id,
         "total_cost": 1_234_500},
        quartier_ids=quartiers,
        fundings=[FundingInput(etat, requested=600_000, granted=500_000, paid=250_000),
                  FundingInput(region, requested=300_000, granted=300_000, paid=100_000)],
    )
    assert result.ok, result.errors
    meeting = save_meeting({"kind": "comite_technique", "date": date(2015, 11, 3), "place": "Hôtel de ville"}).record
    assert save_meeting_item({"meeting": meeting.id, "action": result.record.id, "position": 1}).ok
    return result.record.id


def children_of(action_id: int) -> dict[str, list[tuple[str, int]]]:
    """Each child table's rows of the action, as (uuid, deleted)."""
    return {table: sql(f"SELECT uuid, deleted FROM {table} WHERE action_id = ? ORDER BY id", action_id)
            for table in CHILD_TABLES}


def sheet_text(code: str, tmp_path: Path) -> str:
    out = tmp_path / f"{code}.pdf"
    build_quartier_sheet(one("SELECT id FROM quartier WHERE code = ?", code), out)
    return norm(" ".join(page.extract_text() or "" for page in PdfReader(str(out)).pages))


def test_deleting_an_action_takes_its_plan_quartier_links_and_agenda_items_with_it(demo_db, tmp_path: Path) -> None:
    action_id = file_an_action()
    before = children_of(action_id)
    assert [len(before[t]) for t in CHILD_TABLES] == [2, 2, 1]  # two funders, two quartiers, one meeting
    chasse = one("SELECT id FROM quartier WHERE code = 'QP059001'")
    live_in_chasse = ('SELECT count(*), sum(total_cost) FROM "action" WHERE deleted = 0 AND id IN '
                      "(SELECT action_id FROM action_quartier WHERE quartier_id = ? AND deleted = 0)")
    (count_before, cost_before), = sql(live_in_chasse, chasse)
    assert "2016-VM-900" in sheet_text("QP059001", tmp_path)

    assert delete_action(action_id)

    assert one('SELECT deleted FROM "action" WHERE id = ?', action_id) == 1
    after = children_of(action_id)
    for table in CHILD_TABLES:
        assert [deleted for _uuid, deleted in after[table]] == [1] * len(before[table]), table
        for uuid, _deleted in after[table]:
            assert sql("SELECT operation, changes FROM history WHERE record_uuid = ? AND operation = 'delete'",
                       uuid) == [("delete", '{"deleted": [false, true]}')], table
    # the cached totals follow the (now deleted) plan lines
    assert sql('SELECT requested_total, granted_total, paid_total FROM "action" WHERE id = ?', action_id) == [(0, 0, 0)]

    text = sheet_text("QP059001", tmp_path)
    assert "2016-VM-900" not in text and "Ateliers de cuisine partagée" not in text
    count_after = count_before - 1
    assert f"Total ({count_after} action{'s' if count_after > 1 else ''}) {money(cost_before - 1_234_500)}" in text
    assert sql(live_in_chasse, chasse)[0][0] == count_after
    assert "2016-VM-900" not in sheet_text("QP059002", tmp_path)
    assert run_check().ok


def test_a_disk_failure_midway_through_a_deletion_leaves_the_action_and_every_child_live(demo_db, monkeypatch) -> None:
    action_id = file_an_action()
    before = children_of(action_id)
    history = one("SELECT count(*) FROM history")
    real, calls = records._write_history, []

    def fails_at_the_fourth(record, operation, changes) -> None:  # three children marked, then the disk is full
        calls.append(operation)
        if len(calls) == 4:
            raise OperationalError("database or disk is full")
        real(record, operation, changes)

    monkeypatch.setattr(records, "_write_history", fails_at_the_fourth)
    with pytest.raises(StoreError, match="Suppression impossible : le disque est plein"):
        delete_action(action_id)
    assert children_of(action_id) == before
    assert one('SELECT deleted FROM "action" WHERE id = ?', action_id) == 0
    assert one("SELECT count(*) FROM history") == history


def test_deleting_an_association_that_carries_actions_is_refused_naming_them(demo_db) -> None:
    name = "Centre communal d'action sociale de Valenciennes"
    association = one("SELECT id FROM association WHERE name = ?", name)
    references = [ref for (ref,) in sql('SELECT reference FROM "action" WHERE porteur_id = ? AND deleted = 0'
                                        " ORDER BY year DESC, reference", association)]
    assert len(references) == 4  # the demo gives the CCAS four actions
    state = sql("SELECT count(*), sum(deleted) FROM association"), one("SELECT count(*) FROM history")

    with pytest.raises(DeletionRefused) as refused:
        delete_association(association)

    assert str(refused.value) == (
        f"L'association « {name} » porte encore 4 actions ({references[0]}, {references[1]} et 2 autres) : "
        "rattachez-les à un autre porteur ou supprimez-les d'abord ; rien n'a été supprimé.")
    assert (sql("SELECT count(*), sum(deleted) FROM association"), one("SELECT count(*) FROM history")) == state
    assert one("SELECT deleted FROM association WHERE id = ?", association) == 0


def test_an_association_with_one_action_names_it_and_can_go_once_the_action_is_deleted(demo_db) -> None:
    action_id = file_an_action()
    porteur = one('SELECT porteur_id FROM "action" WHERE id = ?', action_id)
    with pytest.raises(DeletionRefused, match=r"porte encore 1 action \(2016-VM-900\) :"):
        delete_association(porteur)
    assert delete_action(action_id)
    assert delete_association(porteur)
    assert one("SELECT deleted FROM association WHERE id = ?", porteur) == 1


def test_a_quartier_targeted_by_actions_is_kept_and_a_free_one_goes_with_its_communes_and_indicators(
        demo_db) -> None:
    chasse = one("SELECT id FROM quartier WHERE code = 'QP059001'")
    targeting = one('SELECT count(DISTINCT a.id) FROM "action" a JOIN action_quartier aq ON aq.action_id = a.id'
                    " WHERE aq.quartier_id = ? AND aq.deleted = 0 AND a.deleted = 0", chasse)
    with pytest.raises(DeletionRefused, match=rf"Le quartier QP059001 « Chasse Royale » est ciblé par {targeting} "
                                              r"actions \(.+ et \d+ autres\) : retirez-le de ces actions d'abord"):
        delete_quartier(chasse)
    assert one("SELECT deleted FROM quartier WHERE id = ?", chasse) == 0

    communes = [c for (c,) in sql("SELECT id FROM commune ORDER BY id LIMIT 2")]
    created = save_quartier({"code": "QP059099", "name": "Les Tertiales", "population": 1500},
                            commune_ids=communes, indicators={"taux_pauvrete": (4210, 2013)})
    assert created.ok, created.errors
    quartier = created.record.id
    assert delete_quartier(quartier)
    for table, rows in (("quartier_commune", 2), ("quartier_indicator", 1)):
        assert sql(f"SELECT count(*), sum(deleted) FROM {table} WHERE quartier_id = ?", quartier) == [(rows, rows)]
        assert one(f"SELECT count(*) FROM history h JOIN {table} t ON t.uuid = h.record_uuid"
                   " WHERE t.quartier_id = ? AND h.operation = 'delete'", quartier) == rows


def test_check_names_a_tampered_granted_total_and_paid_total_with_their_amounts(demo_db) -> None:
    action_id = file_an_action()
    assert run_check().ok
    db.execute_sql('UPDATE "action" SET granted_total = 999900, paid_total = 12345 WHERE id = ?', (action_id,))
    (granted, paid), = sql("SELECT sum(granted), sum(paid) FROM funding WHERE action_id = ? AND deleted = 0",
                           action_id)
    assert (granted, paid) == (800_000, 350_000)  # by hand: 5 000 + 3 000 € granted, 2 500 + 1 000 € paid

    report = run_check()

    assert not report.ok
    mine = [e for e in report.errors if "2016-VM-900" in e]
    assert [norm(e) for e in mine] == [
        "action 2016-VM-900 : total accordé enregistré 9 999,00 €, mais ses lignes de financement font 8 000,00 €",
        "action 2016-VM-900 : total versé enregistré 123,45 €, mais ses lignes de financement font 3 500,00 €",
    ]
    assert format_money(800_000) in mine[0]  # the French format, no-break spaces included
    assert not any("demandé" in e for e in mine)  # the requested total is right: it is not named


def test_check_names_a_tampered_requested_total(demo_db) -> None:
    action_id = file_an_action()
    db.execute_sql('UPDATE "action" SET requested_total = 0 WHERE id = ?', (action_id,))
    assert [e for e in run_check().errors if "2016-VM-900" in e] == [
        f"action 2016-VM-900 : total demandé enregistré {format_money(0)}, "
        f"mais ses lignes de financement font {format_money(900_000)}"]


def test_check_warns_of_live_children_left_under_a_deleted_action(demo_db) -> None:
    action_id = file_an_action()
    # what a database older than the cascading deletion, or a partial merge, leaves behind
    db.execute_sql('UPDATE "action" SET deleted = 1 WHERE id = ?', (action_id,))

    warnings = run_check().warnings

    assert "action 2016-VM-900 supprimée, mais pas ses lignes de financement (2)" in warnings
    assert "action 2016-VM-900 supprimée, mais pas ses rattachements aux quartiers (2)" in warnings
    assert "action 2016-VM-900 supprimée, mais pas ses inscriptions à l'ordre du jour des réunions (1)" in warnings


def test_an_action_cannot_be_given_a_porteur_or_quartier_deleted_meanwhile(demo_db) -> None:
    """The window's pick lists were loaded before another tab deleted them: the save says so and writes nothing."""
    gone = save_association({"name": "Association dissoute"}).record
    assert delete_association(gone.id)
    free = save_quartier({"code": "QP059099", "name": "Les Tertiales"}).record
    assert delete_quartier(free.id)
    chasse = one("SELECT id FROM quartier WHERE code = 'QP059001'")
    actions, links = one('SELECT count(*) FROM "action"'), one("SELECT count(*) FROM action_quartier")

    result = save_action({"reference": "2016-VM-901", "title": "Chantier éducatif", "year": 2016, "porteur": gone.id},
                         quartier_ids=[chasse, free.id])

    assert result.errors == {
        "porteur": "L'association « Association dissoute » a été supprimée : choisissez un autre porteur.",
        "quartiers": "Le quartier QP059099 a été supprimé : décochez-le.",
    }
    assert (one('SELECT count(*) FROM "action"'), one("SELECT count(*) FROM action_quartier")) == (actions, links)


def test_a_refusal_lists_references_the_way_a_sentence_does() -> None:
    from cvdesk.services.records import some_references

    assert some_references(["2015-VM-001"], 1) == "2015-VM-001"
    assert some_references(["2015-VM-001", "2015-VM-002"], 2) == "2015-VM-001 et 2015-VM-002"
    assert some_references(["2015-VM-001", "2015-VM-002"], 3) == "2015-VM-001, 2015-VM-002 et 1 autre"
    assert some_references(["2015-VM-001", "2015-VM-002"], 40) == "2015-VM-001, 2015-VM-002 et 38 autres"
