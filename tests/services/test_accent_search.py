"""A coordinator searches without caring for accents or capitals, and finds what descriptions say too (on SQLite's FTS5
index and on PostgreSQL's trigram index alike)."""
from __future__ import annotations

import pytest

from cvdesk.services import lists
from cvdesk.services.actions import delete_action, save_action
from cvdesk.services.associations import save_association
from cvdesk.services.quartiers import save_quartier
from cvdesk.store.engine import is_postgres
from cvdesk.store.models import Action, Association, Quartier, db

pytestmark = pytest.mark.both_engines


def action(title: str, n: int, **values: str) -> Action:
    result = save_action({"reference": f"2024-VM-{n:03d}", "title": title, "year": 2024, **values})
    assert result.ok, result.errors
    return result.record


def titles(search: str) -> list[str]:
    return sorted(Action.get_by_id(i).title for i in lists.list_ids("actions", search=search))


def test_sante_finds_sante_in_a_title_and_in_a_description_only(empty_db) -> None:
    action("Santé des jeunes", 1)
    action("Atelier cuisine", 2, description="Un bilan de santé est proposé à chaque participant.")
    action("Jardin partagé", 3, description="Potager au pied des immeubles.", objectives="Créer du lien.")
    assert titles("sante") == ["Atelier cuisine", "Santé des jeunes"]
    assert lists.count("actions", "sante") == 2


def test_capitals_and_accents_typed_find_plain_text(empty_db) -> None:
    action("sante communautaire", 1)
    action("Cœur de quartier", 2)
    action("Fete de l'ete", 3, objectives="Renforcer la mixite")
    assert titles("SANTÉ") == ["sante communautaire"]
    assert titles("coeur") == ["Cœur de quartier"]
    assert titles("CŒUR") == ["Cœur de quartier"]
    assert titles("fête ÉTÉ mixité") == ["Fete de l'ete"]
    assert titles("Sante\u0301") == ["sante communautaire"]  # typed decomposed


def test_short_words_ignore_accents_too(empty_db) -> None:
    action("Îlot Nord", 1)
    action("Parc Sud", 2)
    assert titles("il") == ["Îlot Nord"]
    assert titles("ÎL no") == ["Îlot Nord"]
    assert titles("î") == ["Îlot Nord"]


def test_an_edited_description_is_found_after_saving(empty_db) -> None:
    record = action("Atelier numérique", 1, description="Initiation au courriel.")
    assert titles("médiation") == []
    assert save_action({"description": "Médiation numérique avec les écrivains publics."}, record.id).ok
    assert titles("mediation") == ["Atelier numérique"]
    assert titles("courriel") == []


def test_a_deleted_action_leaves_the_index(empty_db) -> None:
    kept = action("Santé mentale", 1)
    gone = action("Santé au travail", 2)
    assert delete_action(gone.id)
    assert titles("sante") == ["Santé mentale"]
    key = "id" if is_postgres() else "rowid"  # the index's record id: a plain column, or FTS5's rowid
    indexed = [row[0] for row in db.execute_sql(f"SELECT {key} FROM action_search ORDER BY {key}")]
    assert indexed == [kept.id]


def association_names(search: str) -> list[str]:
    return sorted(Association.get_by_id(i).name for i in lists.list_ids("associations", search=search))


def test_associations_are_found_with_or_without_accents(empty_db) -> None:
    for name in ("Les Rencontrés de l'Escaut", "Rencontres du Hainaut", "Vélo pour tous"):
        assert save_association({"name": name}).ok
    assert association_names("rencontres") == ["Les Rencontrés de l'Escaut", "Rencontres du Hainaut"]
    assert association_names("Rencontrés") == ["Les Rencontrés de l'Escaut", "Rencontres du Hainaut"]
    assert association_names("VELO") == ["Vélo pour tous"]
    assert association_names("él") == ["Vélo pour tous"]
    assert lists.count("associations", "rencontres") == 2


def test_a_renamed_association_is_found_under_its_new_name(empty_db) -> None:
    record = save_association({"name": "Les Amis du Faubourg"}).record
    assert save_association({"name": "Amitiés du Faubourg"}, record.id).ok
    assert association_names("amities") == ["Amitiés du Faubourg"]
    assert association_names("amis") == []


def test_quartiers_are_found_with_or_without_accents(empty_db) -> None:
    assert save_quartier({"code": "QP059002", "name": "Les Épinettes", "population": 3100}).ok
    assert save_quartier({"code": "QP059003", "name": "Chasse Royale", "population": 2800}).ok
    found = [Quartier.get_by_id(i).name for i in lists.list_ids("quartiers", search="epinettes")]
    assert found == ["Les Épinettes"]
