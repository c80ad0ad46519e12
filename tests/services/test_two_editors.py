"""Two coordinators editing the same record at once, each on a connection of their own: no save is silently lost."""
from __future__ import annotations

import threading
from datetime import date
from typing import Any, Callable

import pytest

from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.associations import delete_association, save_association
from cvdesk.services.concurrency import ConcurrentEdit, data_stamp, differences, read_at, version_of
from cvdesk.services.reference import save_contract, save_funder, save_orientation
from cvdesk.store.models import Action, Association, db


pytestmark = pytest.mark.both_engines


@pytest.fixture
def base(empty_db):
    """An empty base, on SQLite or PostgreSQL."""
    return empty_db


@pytest.fixture
def sql(sql_rows):
    """Plain SQL on the open base through a connection of its own: where the expected values come from."""
    return sql_rows


def on_another_computer(work: Callable[[], Any]) -> Any:
    """Run work as a second coordinator would: in another thread, so on a database connection of its own."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed back to the test's thread
            outcome["error"] = exc
        finally:
            db.close()  # this thread's connection

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def open_form(model: type, record_id: int) -> int:
    """What a form does when it shows a record: remember the version it read."""
    version = version_of(model, record_id)
    assert version is not None
    return version


def test_the_second_save_of_the_same_association_is_refused_in_french_and_the_first_stays(base, sql) -> None:
    association = save_association({"name": "Centre social", "phone": "03 27 00 00 00"}).record
    mine = open_form(Association, association.id)
    theirs = on_another_computer(lambda: open_form(Association, association.id))

    def they_save() -> bool:
        with read_at(Association, association.id, theirs):
            return save_association({"name": "Centre social", "phone": "03 27 11 11 11"}, association.id).ok

    assert on_another_computer(they_save)
    with pytest.raises(ConcurrentEdit) as refused, read_at(Association, association.id, mine):
        save_association({"name": "Centre social de la Chasse Royale", "phone": "03 27 00 00 00"}, association.id)

    (user, created_at), = sql("SELECT os_user, created_at FROM history WHERE record_uuid = ? ORDER BY id DESC LIMIT 1",
                             (association.uuid,))
    sentence = str(refused.value)
    assert sentence.startswith(f"Cette fiche a été modifiée par {user}")
    assert sentence.endswith("depuis que vous l'avez ouverte.")
    assert f"le {created_at[8:10]}/{created_at[5:7]}/{created_at[:4]} à " in sentence
    # Their phone is kept, my name is not written, and no history row speaks of it.
    assert sql("SELECT name, phone, version FROM association WHERE id = ?", (association.id,)) == [
        ("Centre social", "03 27 11 11 11", 2)]
    assert sql("SELECT count(*) FROM history WHERE record_uuid = ?", (association.uuid,)) == [(2,)]


def test_keeping_my_values_after_the_comparison_saves_them_over_theirs_knowingly(base, sql) -> None:
    association = save_association({"name": "Lire et Grandir", "email": ""}).record
    mine = open_form(Association, association.id)

    def they_save() -> None:
        with read_at(Association, association.id, open_form(Association, association.id)):
            assert save_association({"name": "Lire et grandir", "email": "contact@lire.fr"}, association.id).ok

    on_another_computer(they_save)
    form = {"name": "Lire & Grandir", "email": ""}
    with pytest.raises(ConcurrentEdit) as refused, read_at(Association, association.id, mine):
        save_association(form, association.id)
    shown = {(d.label, d.mine, d.theirs) for d in differences(Association, association.id, form)}
    assert shown == {("Nom", "« Lire & Grandir »", "« Lire et grandir »"),
                     ("Courriel", "(vide)", "« contact@lire.fr »")}
    assert refused.value.current_version == 2

    with read_at(Association, association.id, refused.value.current_version):  # « Garder mes valeurs »
        assert save_association(form, association.id).ok
    assert sql("SELECT name, email, version FROM association WHERE id = ?", (association.id,)) == [
        ("Lire & Grandir", "", 3)]


def _action() -> tuple[int, int]:
    contract = save_contract({"name": "Contrat", "start_year": 2024, "end_year": 2030}).record
    orientation = save_orientation({"contract": contract.id, "number": 1, "title": "Emploi"}).record
    porteur = save_association({"name": "Porteur"}).record
    etat = save_funder({"name": "État", "position": 0}).record
    values = {"reference": "2024-T-001", "title": "Atelier", "year": 2024, "orientation": orientation.id,
              "porteur": porteur.id, "total_cost": 1_000_000}
    action = save_action(values, fundings=[FundingInput(etat.id, 500_000, 400_000)]).record
    return action.id, etat.id


def test_an_action_saved_with_its_plan_by_two_coordinators_keeps_the_first_plan_whole(base, sql) -> None:
    action_id, etat = _action()
    values = {"reference": "2024-T-001", "title": "Atelier", "year": 2024, "total_cost": 1_000_000}
    values |= dict(zip(("orientation", "porteur"),
                       sql('SELECT orientation_id, porteur_id FROM "action" WHERE id = ?', (action_id,))[0]))
    mine = open_form(Action, action_id)

    def they_save() -> None:
        with read_at(Action, action_id, open_form(Action, action_id)):
            result = save_action({**values, "total_cost": 1_200_000}, action_id,
                                 fundings=[FundingInput(etat, 600_000, 600_000)])
            assert result.ok, result.errors

    on_another_computer(they_save)
    with pytest.raises(ConcurrentEdit), read_at(Action, action_id, mine):
        save_action({**values, "title": "Atelier d'écriture"}, action_id, fundings=[FundingInput(etat, 900_000, 0)])

    assert sql('SELECT title, total_cost FROM "action" WHERE id = ?', (action_id,)) == [("Atelier", 1_200_000)]
    assert sql("SELECT requested, granted FROM funding WHERE action_id = ? AND deleted = 0", (action_id,)) == [
        (600_000, 600_000)]


def test_a_change_made_without_a_form_still_refuses_a_form_opened_before_it(base, sql) -> None:
    association = save_association({"name": "Éveil"}).record
    mine = open_form(Association, association.id)
    on_another_computer(lambda: save_association({"name": "Éveil musical"}, association.id))  # a command, no form
    with pytest.raises(ConcurrentEdit), read_at(Association, association.id, mine):
        save_association({"name": "Éveil sportif"}, association.id)
    assert sql("SELECT name FROM association WHERE id = ?", (association.id,)) == [("Éveil musical",)]


def test_a_form_saved_twice_by_the_same_coordinator_is_never_refused(base, sql) -> None:
    association = save_association({"name": "Atelier"}).record
    for name in ("Atelier 1", "Atelier 2"):
        with read_at(Association, association.id, open_form(Association, association.id)):
            assert save_association({"name": name}, association.id).ok
    assert sql("SELECT name, version FROM association WHERE id = ?", (association.id,)) == [("Atelier 2", 3)]


def test_a_record_deleted_by_the_other_coordinator_is_said_gone_not_overwritten(base, sql) -> None:
    association = save_association({"name": "Passage"}).record
    mine = open_form(Association, association.id)
    on_another_computer(lambda: delete_association(association.id))
    with read_at(Association, association.id, mine):
        result = save_association({"name": "Passage 2"}, association.id)
    assert result.errors == {"": f"Cet enregistrement n'existe plus (n° {association.id})."}
    assert sql("SELECT name, deleted, version FROM association WHERE id = ?", (association.id,)) == [
        ("Passage", 1, 2)]


def test_the_data_stamp_moves_when_the_other_coordinator_saves(base, sql) -> None:
    association = save_association({"name": "Horizon"}).record
    before = data_stamp()
    on_another_computer(lambda: save_association({"name": "Horizons"}, association.id))
    assert data_stamp() != before
    assert data_stamp() == sql("SELECT max(id) FROM history")[0][0]


def test_two_saves_at_the_very_same_moment_the_second_waits_then_is_refused(base, sql) -> None:
    """Bruno's save is under way (his transaction holds the row) when Aïcha's starts: hers waits for his to end,
    then finds the record moved on and is refused; his values are the ones stored."""
    association = save_association({"name": "Relais"}).record
    mine = open_form(Association, association.id)
    his_row_held, release = threading.Event(), threading.Event()

    def he_saves_slowly() -> None:
        with db.atomic():
            with read_at(Association, association.id, open_form(Association, association.id)):
                assert save_association({"name": "Relais de Bruno"}, association.id).ok
            his_row_held.set()
            release.wait(5)

    bruno = threading.Thread(target=on_another_computer, args=(he_saves_slowly,))
    bruno.start()
    assert his_row_held.wait(5)
    threading.Timer(0.3, release.set).start()  # his commit comes while hers waits
    with pytest.raises(ConcurrentEdit), read_at(Association, association.id, mine):
        save_association({"name": "Relais d'Aïcha"}, association.id)
    bruno.join()
    assert sql("SELECT name, version FROM association WHERE id = ?", (association.id,)) == [("Relais de Bruno", 2)]


def test_two_coordinators_changing_only_the_plan_the_second_is_refused_and_told_who(base, sql) -> None:
    """Neither changes the action's own fields, only its financing plan: the plan's lines move the action's version,
    so the second save is refused, and the sentence names who changed the plan."""
    action_id, etat = _action()
    values = {"reference": "2024-T-001", "title": "Atelier", "year": 2024, "total_cost": 1_000_000}
    values |= dict(zip(("orientation", "porteur"),
                       sql('SELECT orientation_id, porteur_id FROM "action" WHERE id = ?', (action_id,))[0]))
    mine = open_form(Action, action_id)

    def they_save() -> None:
        with read_at(Action, action_id, open_form(Action, action_id)):
            assert save_action(values, action_id, fundings=[FundingInput(etat, 500_000, 450_000)]).ok

    on_another_computer(they_save)
    with pytest.raises(ConcurrentEdit) as refused, read_at(Action, action_id, mine):
        save_action(values, action_id, fundings=[FundingInput(etat, 500_000, 100_000)])
    (user, office, created_at), = sql("SELECT os_user, office, created_at FROM history WHERE record_type = 'Funding' "
                                      "ORDER BY id DESC LIMIT 1")
    assert str(refused.value).startswith(f"Cette fiche a été modifiée par {user} ({office}) le "
                                         f"{created_at[8:10]}/{created_at[5:7]}/{created_at[:4]} à ")
    assert sql("SELECT granted FROM funding WHERE action_id = ? AND deleted = 0", (action_id,)) == [(450_000,)]
    rows = differences(Action, action_id, {"values": values, "fundings": [FundingInput(etat, 500_000, 100_000)],
                                           "quartiers": []})
    assert [(d.label, d.mine, d.theirs) for d in rows] == [
        ("Plan : État", "demandé 5\u00a0000,00\u00a0€, accordé 1\u00a0000,00\u00a0€, versé —",
         "demandé 5\u00a0000,00\u00a0€, accordé 4\u00a0500,00\u00a0€, versé —")]


def test_the_comparison_shows_amounts_porteurs_and_dates_as_the_form_does(base, sql) -> None:
    action_id, _etat = _action()
    other = save_association({"name": "Centre social Dutemple"}).record
    (title, porteur), = sql('SELECT a.title, p.name FROM "action" a JOIN association p ON p.id = a.porteur_id '
                            "WHERE a.id = ?", (action_id,))
    form = {"values": {"title": title, "total_cost": 1_250_050, "porteur": other.id, "start_date": date(2024, 9, 2)}}
    shown = {(d.label, d.mine, d.theirs) for d in differences(Action, action_id, form)}
    assert shown == {("Coût total", "12\u00a0500,50\u00a0€", "10\u00a0000,00\u00a0€"),
                     ("Porteur", "« Centre social Dutemple »", f"« {porteur} »"),
                     ("Début", "« 02/09/2024 »", "(vide)")}


def test_the_plan_rows_come_in_the_plan_order_not_the_alphabet(base, sql) -> None:
    action_id, etat = _action()
    agglo = save_funder({"name": "Agglomération", "position": 1}).record.id
    form = {"values": {}, "fundings": [FundingInput(agglo, 100_000), FundingInput(etat, 600_000, 400_000)]}
    labels = [d.label for d in differences(Action, action_id, form)]
    order = [name for (name,) in sql("SELECT name FROM funder ORDER BY position")]
    assert labels == [f"Plan : {name}" for name in order] == ["Plan : État", "Plan : Agglomération"]
