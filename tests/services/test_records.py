"""Saving records through the services: validation as data, history of every change, tombstones."""
from __future__ import annotations

import json

import pytest

from cvdesk.services import lists
from cvdesk.services.actions import FundingInput, change_status, delete_action, renew_action, save_action
from cvdesk.services.associations import delete_association, save_association
from cvdesk.services.records import history_of
from cvdesk.services.reference import save_contract, save_envelope, save_funder, save_orientation
from cvdesk.store.models import Action, Association, Funding

pytestmark = pytest.mark.both_engines

VALID_SIRET = "24590116000011"  # Valenciennes Métropole's SIREN with a Luhn-valid NIC


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_an_invalid_siret_is_returned_as_a_french_error_and_nothing_is_saved(empty_db) -> None:
    result = save_association({"name": "Lire et Grandir", "siret": "12345678901234"})
    assert not result.ok
    assert "SIRET" in result.errors["siret"]
    assert Association.select().count() == 0


def test_a_missing_name_is_an_error(empty_db) -> None:
    result = save_association({"name": "  "})
    assert result.errors == {"name": "Le nom de l'association est obligatoire."}


def test_create_update_and_history(empty_db) -> None:
    assert _luhn_ok(VALID_SIRET)
    created = save_association({"name": "Centre social", "siret": "245 901 160 00011"})
    assert created.ok, created.errors
    record = created.record
    assert record.siret == VALID_SIRET and record.siren == "245901160"
    assert len(record.uuid) == 36 and record.created_at.tzinfo is not None
    updated = save_association({"name": "Centre social Chasse Royale"}, record.id)
    assert updated.ok
    history = history_of(Association.get_by_id(record.id))
    assert [h.operation for h in history] == ["create", "update"]
    assert json.loads(history[1].changes) == {"name": ["Centre social", "Centre social Chasse Royale"]}
    assert history[1].os_user != "" or True  # may be empty in a container; the column exists


def test_delete_is_a_tombstone_that_hides_the_record_from_lists(empty_db) -> None:
    record = save_association({"name": "Éphémère"}).record
    assert lists.list_ids("associations") == [record.id]
    assert delete_association(record.id)
    again = Association.get_by_id(record.id)
    assert again.deleted is True
    assert lists.list_ids("associations") == []
    assert [h.operation for h in history_of(again)] == ["create", "delete"]
    assert not delete_association(record.id)


def _action_setup():
    contract = save_contract({"name": "Contrat test", "start_year": 2015, "end_year": 2020}).record
    orientation = save_orientation({"contract": contract.id, "number": 1, "title": "Emploi"}).record
    porteur = save_association({"name": "Porteur"}).record
    etat = save_funder({"name": "État", "position": 0}).record
    region = save_funder({"name": "Région", "position": 1}).record
    return orientation, porteur, etat, region


def test_an_action_with_its_plan_keeps_its_totals_and_warns_when_over_cost(empty_db) -> None:
    orientation, porteur, etat, region = _action_setup()
    for funder in (etat, region):  # their 2015 credits: a grant outside any envelope would warn too
        assert save_envelope({"funder": funder.id, "year": 2015, "amount": 10_000_000}).ok
    result = save_action(
        {"reference": "2015-T-001", "title": "Atelier", "year": 2015, "orientation": orientation.id,
         "porteur": porteur.id, "total_cost": 1_000_000},
        fundings=[FundingInput(etat.id, 600_000, 500_000), FundingInput(region.id, 300_000, 300_000)],
    )
    assert result.ok and result.warnings == []
    action = Action.get_by_id(result.record.id)
    assert (action.requested_total, action.granted_total) == (900_000, 800_000)
    over = save_action({"total_cost": 800_000}, action.id)
    assert over.ok and any("dépasse" in w for w in over.warnings)
    # Replacing the plan tombstones the line that went away.
    save_action({}, action.id, fundings=[FundingInput(etat.id, 400_000)])
    action = Action.get_by_id(action.id)
    assert action.requested_total == 400_000 and action.granted_total == 0
    assert Funding.select().where(Funding.deleted == True).count() == 1  # noqa: E712


def test_status_moves_only_along_the_workflow(empty_db) -> None:
    orientation, porteur, _, _ = _action_setup()
    action = save_action({"reference": "R1", "title": "T", "year": 2015, "orientation": orientation.id}).record
    assert change_status(action.id, "deposee").ok
    refused = change_status(action.id, "soldee")
    assert not refused.ok and "ne peut pas" in refused.errors["status"]
    assert Action.get_by_id(action.id).status == "deposee"


def test_renewal_creates_next_years_action_linked_to_this_one(empty_db) -> None:
    orientation, porteur, etat, _ = _action_setup()
    action = save_action({"reference": "2015-VM-001", "title": "T", "year": 2015, "orientation": orientation.id,
                          "porteur": porteur.id, "total_cost": 500_000},
                         fundings=[FundingInput(etat.id, 200_000, 200_000)]).record
    renewed = renew_action(action.id)
    assert renewed.ok, renewed.errors
    new = Action.get_by_id(renewed.record.id)
    assert (new.reference, new.year, new.previous_id, new.status) == ("2016-VM-001", 2016, action.id, "brouillon")
    assert new.requested_total == 200_000 and new.granted_total == 0


def test_duplicate_reference_is_refused(empty_db) -> None:
    save_action({"reference": "R1", "title": "T", "year": 2015})
    result = save_action({"reference": "R1", "title": "Autre", "year": 2015})
    assert "déjà" in result.errors["reference"]


def test_deleted_action_leaves_the_lists(empty_db) -> None:
    action = save_action({"reference": "R1", "title": "T", "year": 2015}).record
    assert delete_action(action.id)
    assert lists.list_ids("actions") == []
