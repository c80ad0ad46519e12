"""The history a coordinator reads: each change with its old and new value, references by name."""
from __future__ import annotations

import pytest

from cvdesk.services.actions import save_action
from cvdesk.services.associations import save_association
from cvdesk.services.history import entries_for
from cvdesk.store.models import Action, Association

pytestmark = pytest.mark.both_engines


def test_an_edit_shows_old_and_new_values_newest_first(demo_db) -> None:
    association = Association.get(Association.acronym == "CSCR")
    save_association({"name": "Centre social de la Chasse Royale", "phone": ""}, association.id)
    entries = entries_for(Association, association.uuid)
    assert [e.operation for e in entries] == ["Modification", "Création"]
    text = entries[0].describe()
    assert "Nom : « Centre social Chasse Royale » → « Centre social de la Chasse Royale »" in text
    assert "Téléphone : « 03 27" in text and "→ (vide)" in text
    assert entries[0].office.startswith("Valenciennes Métropole")


def test_references_and_amounts_are_shown_readably(demo_db) -> None:
    action = Action.get(Action.reference == "2015-VM-001")
    other = Association.get(Association.acronym == "CSCR")
    save_action({"porteur": other.id, "total_cost": 10_000_050}, action.id)
    text = entries_for(Action, action.uuid)[0].describe()
    assert "Porteur : « Mobil'Emploi Hainaut » → « Centre social Chasse Royale »" in text
    assert "Coût total : 96\u00a0000,00\u00a0€ → 100\u00a0000,50\u00a0€" in text
