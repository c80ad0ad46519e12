"""Searching actions through the full-text index: every write keeps it right, and the hot queries use indexes."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.services import lists
from cvdesk.services.actions import save_action
from cvdesk.services.associations import save_association
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import Action, Association, db

pytestmark = pytest.mark.both_engines


def titles(search: str) -> list[str]:
    return sorted(Action.get_by_id(i).title for i in lists.list_ids("actions", search=search))


def test_a_fragment_finds_titles_references_and_porteurs(demo_db) -> None:
    assert titles("ardins") == ["Jardins partagés au pied des immeubles"]
    assert titles("VM-012") == ["Santé mentale : groupe d'entraide mutuelle"]
    assert len(titles("Passerelle")) == 1  # the porteur's name
    assert titles("JARDINS partag") == ["Jardins partagés au pied des immeubles"]


def test_a_renamed_title_or_porteur_is_found_under_its_new_name(demo_db, engine: str, sql_rows) -> None:
    action = Action.get(Action.reference == "2015-VM-015")
    save_action({"title": "Potagers solidaires au pied des immeubles"}, action.id)
    assert titles("Potagers") == ["Potagers solidaires au pied des immeubles"]
    key = "rowid" if engine == "sqlite" else "id"  # FTS5's row is the action's id; PostgreSQL's table has an id
    indexed = sql_rows(f"SELECT text FROM action_search WHERE {key} = ?", (action.id,))
    assert len(indexed) == 1 and "Potagers solidaires au pied des immeubles" in indexed[0][0].split("\n")
    porteur = Association.get_by_id(action.porteur_id)
    save_association({"name": "Les Potagers de l'Escaut"}, porteur.id)
    assert "Potagers solidaires au pied des immeubles" in titles("Escaut Potagers")


def test_new_and_deleted_actions(demo_db) -> None:
    created = save_action({"reference": "2015-VM-099", "title": "Vélo-école pour adultes", "year": 2015}).record
    assert titles("vélo-école") == ["Vélo-école pour adultes"]
    from cvdesk.services.actions import delete_action

    delete_action(created.id)
    assert titles("vélo-école") == []


def test_short_fragments_and_operators_are_taken_literally(demo_db) -> None:
    assert lists.list_ids("actions", search="%") == []
    assert lists.list_ids("actions", search='"OR') == []
    assert lists.list_ids("actions", search="NOT AND") == []
    assert len(lists.list_ids("actions", search="VM")) == 40


def _plan(sql: str, params: list[object]) -> str:
    return " | ".join(row[-1] for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))


@pytest.fixture
def sqlite_demo(demo_template: Path, tmp_path: Path):
    """A copy of the demo on SQLite only (no `engine`: the test is not run on PostgreSQL)."""
    path = tmp_path / "demo.db"
    path.write_bytes(demo_template.read_bytes())
    yield open_database(path)
    close_database()


def test_hot_queries_use_indexes(sqlite_demo) -> None:
    """SQLite only: EXPLAIN QUERY PLAN is SQLite's planner and FTS5 its index; PostgreSQL's planner reads a base
    of the demo's size sequentially whatever the indexes: its use of them shows in the national base's timings
    (benchmarks/postgres_bench.py)."""
    plan = _plan('SELECT t.id FROM "action" t WHERE t.id IN (SELECT rowid FROM action_search WHERE action_search MATCH ?)',
                 ['"jardins"'])
    assert "VIRTUAL TABLE INDEX" in plan
    plan = _plan('SELECT t.id FROM "action" t WHERE t.deleted = 0 AND t.year = ? ORDER BY t.total_cost', [2015])
    assert "USING INDEX" in plan
    plan = _plan("SELECT f.id FROM funding f WHERE f.action_id = ? AND f.deleted = 0", [1])
    assert "USING INDEX" in plan and "SCAN f" not in plan
    plan = _plan("SELECT aq.action_id FROM action_quartier aq WHERE aq.quartier_id = ?", [1])
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan
