"""The search indexes on both engines: records written in bulk, renamed, tombstoned or deleted outright leave each index
holding exactly its view's folded text of the live records; on PostgreSQL the SQL fold of step 4 agrees with
text_fold.fold on any text."""
from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.domain.text_fold import FOLDS, fold
from cvdesk.exchange.merge_write import fill_search
from cvdesk.services import lists
from cvdesk.services.associations import save_association
from cvdesk.store.bulk_write import NewIds, insert_rows, set_aside_trigger
from cvdesk.store.database import close_database, open_database
from cvdesk.store.engine import raw
from cvdesk.store.search_index import ACTION_INDEX

pytestmark = pytest.mark.both_engines

Rows = Callable[..., list[tuple]]
NOW = "2026-11-30T16:00:00.000000Z"
ACTION_COLUMNS = ("id", "uuid", "created_at", "updated_at", "office", "deleted", "reference", "title", "year",
                  "porteur_id", "description", "objectives", "public", "axes", "total_cost", "indicators", "status",
                  "requested_total", "granted_total", "paid_total")


def _index_differs_from_view(sql_rows: Rows, engine: str, index: str) -> list[tuple]:
    """Rows in the index but not in its view (or the other way round): none when the index is right."""
    key = "rowid" if engine == "sqlite" else "id"
    return sql_rows(f"""SELECT * FROM (SELECT id, text FROM {index}_source EXCEPT SELECT {key}, text FROM {index}) AS missing
                        UNION ALL SELECT * FROM (SELECT {key}, text FROM {index} EXCEPT SELECT id, text FROM {index}_source) AS extra""")


def _bulk_actions(porteur: int, count: int) -> None:
    """count new actions written as the bulk import writes them: the search trigger set aside on SQLite (kept on
    PostgreSQL), rows by insert_rows (COPY on PostgreSQL), the index filled once at the end."""
    trigger = set_aside_trigger("action_search_insert")
    ids = list(NewIds("action").take(count))
    rows = [(ident, str(uuid.uuid4()), NOW, NOW, "", 0, f"2025-BK-{n:04d}",
             "Fête de l'été au square" if n % 5 == 0 else "Atelier d'écriture", 2025, porteur,
             "Séances le mercredi", "", "", "", 100_000, "", "deposee", 0, 0, 0) for n, ident in enumerate(ids)]
    insert_rows("action", ACTION_COLUMNS, rows)
    fill_search(raw(), ACTION_INDEX, ids[0])
    if trigger is not None:
        raw().execute(trigger)


def test_actions_written_in_bulk_are_found_without_accents_and_the_index_follows_every_change(
        engine: str, empty_db: Any, sql_rows: Rows) -> None:
    porteur = save_association({"name": "Maison de Quartier Saint-Éloi"}).record.id
    _bulk_actions(porteur, 500)
    assert lists.count("actions", "fete ETE") == 100  # every fifth of the 500 (hand count)
    assert lists.count("actions", "eloi") == 500  # by their porteur's name
    assert _index_differs_from_view(sql_rows, engine, "action_search") == []

    assert save_association({"name": "Centre social des Épinettes"}, porteur).ok  # renamed: its 500 actions follow
    assert lists.count("actions", "eloi") == 0
    assert lists.count("actions", "epinettes") == 500
    sql_rows("UPDATE \"action\" SET deleted = 1 WHERE reference IN ('2025-BK-0000', '2025-BK-0005')")  # tombstones
    sql_rows("DELETE FROM \"action\" WHERE reference IN ('2025-BK-0010', '2025-BK-0001')")  # another tool, for good
    assert lists.count("actions", "fete ete") == 97
    assert _index_differs_from_view(sql_rows, engine, "action_search") == []
    assert sql_rows("SELECT count(*) FROM action_search") == [(496,)]


def test_associations_deleted_outright_together_leave_their_index(engine: str, empty_db: Any, sql_rows: Rows) -> None:
    for name in ("Les Amis de la Rhônelle", "Rhônelle Solidarité", "Vélo-École"):
        assert save_association({"name": name}).ok
    sql_rows("DELETE FROM association WHERE name LIKE '%Rhônelle%'")  # one statement, two rows
    assert sql_rows("SELECT text FROM association_search") == [("Velo-Ecole\n\n\n",)]
    assert _index_differs_from_view(sql_rows, engine, "association_search") == []


# Letters of the fold table, their neighbours it leaves alone (ß, ø, ł, Greek), ASCII and line breaks.
_TEXT = st.text(alphabet=st.sampled_from([a for a, _ in FOLDS] + list("ßøłΩ\u0304abcXYZ '\n-%_?")), max_size=40)


def test_postgresql_s_fold_of_step_4_agrees_with_the_python_fold(pg_url: str) -> None:
    """The typed words are folded in Python, the stored text by the frozen SQL: a text they fold apart would never
    be found."""
    from cvdesk.store.models import db

    open_database(pg_url)
    try:
        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(_TEXT, _TEXT)
        def agree(first: str, second: str) -> None:
            folded, fields = db.execute_sql("SELECT cvdesk_fold(?), cvdesk_folded_fields(?, NULL, ?)",
                                            (first, first, second)).fetchone()
            assert folded == fold(first)
            assert fields == fold(first) + "\n" + fold(second)

        agree()
    finally:
        close_database()
