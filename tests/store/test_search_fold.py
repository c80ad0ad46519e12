"""The search indexes fold accents in SQL exactly as the typed words are folded in Python, from any SQLite tool, and
a schema-3 database climbs to the folded indexes with every live record in them."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.domain.text_fold import FOLDS, fold
from cvdesk.services.lists import list_ids
from cvdesk.store.database import opened_database
from cvdesk.store.frozen_schema import BASE_SCHEMA, EXCHANGE_SCHEMA, SEARCH_SCHEMA_V3, SEARCH_SCHEMA_V4
from cvdesk.store.search_index import ACTION_INDEX, ASSOCIATION_INDEX, match_expression, source_view_sql

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STAMP = ("00000000-0000-0000-0000-00000000000{}", "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z", "Bureau", 0)


def test_french_letters_fold_to_plain_ones() -> None:
    assert fold("Santé") == "Sante"
    assert fold("SANTÉ") == "SANTE"
    assert fold("Cœur de quartier, ÆGIR") == "Coeur de quartier, AEGIR"
    assert fold("L'Haÿ, Noël, garçon, Ñandú, Åre") == "L'Hay, Noel, garcon, Nandu, Are"
    assert fold("Sante\u0301 de\u0301compose\u0301e") == "Sante decomposee"  # accents typed after their letter
    assert fold("Straße, Øresund, 2015-VM-012") == "Straße, Øresund, 2015-VM-012"  # outside the table: unchanged


def _plain_sqlite_database() -> sqlite3.Connection:
    """The schema built by the frozen steps alone, in a bare sqlite3 connection where no function of ours exists
    (as in the sqlite3 command or DB Browser), with one association carrying one action."""
    conn = sqlite3.connect(":memory:")
    for statement in (*BASE_SCHEMA, *EXCHANGE_SCHEMA, *SEARCH_SCHEMA_V3, *SEARCH_SCHEMA_V4):
        conn.execute(statement)
    uuid, *stamp = STAMP
    conn.execute(
        "INSERT INTO association (id, uuid, created_at, updated_at, office, deleted, name, acronym, siret, siren, rna,"
        " legal_form, address, postcode, city, phone, email, website, president, contact_name, notes, active)"
        " VALUES (1, ?, ?, ?, ?, ?, 'Les Amis', '', '', '', '', '', '', '', '', '', '', '', '', '', '', 1)",
        (uuid.format(1), *stamp))
    conn.execute(
        'INSERT INTO "action" (id, uuid, created_at, updated_at, office, deleted, reference, title, year, porteur_id,'
        " description, objectives, public, axes, total_cost, indicators, status, requested_total, granted_total,"
        " paid_total) VALUES (1, ?, ?, ?, ?, ?, '2015-VM-001', 'Titre', 2015, 1, '', '', '', '', 0, '', 'brouillon',"
        " 0, 0, 0)", (uuid.format(2), *stamp))
    return conn


PLAIN_DATABASE = _plain_sqlite_database()

# Random text weighted towards the letters of the table (composed and decomposed), French words and punctuation.
FRENCH = st.text(
    st.one_of(st.sampled_from([accented for accented, _ in FOLDS]),
              st.sampled_from(list("aeiouycnAEIOUYCN '’-«»°0123456789")),
              st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=FRENCH, description=FRENCH, porteur=FRENCH, acronym=FRENCH, typed=st.data())
def test_the_sql_fold_of_the_indexes_agrees_with_the_python_fold(title: str, description: str, porteur: str,
                                                                 acronym: str, typed: st.DataObject) -> None:
    conn = PLAIN_DATABASE
    conn.execute("UPDATE association SET name = ?, acronym = ? WHERE id = 1", (porteur, acronym))
    conn.execute('UPDATE "action" SET title = ?, description = ? WHERE id = 1', (title, description))
    stored = conn.execute("SELECT text FROM action_search WHERE rowid = 1").fetchone()[0]
    assert stored == "\n".join(fold(field) for field in ("2015-VM-001", title, porteur, description, ""))
    stored = conn.execute("SELECT text FROM association_search WHERE rowid = 1").fetchone()[0]
    assert stored == "\n".join(fold(field) for field in (porteur, acronym, "", ""))
    # Any piece of the title, typed with its accents or without, finds the action through the trigram index.
    start = typed.draw(st.integers(0, len(title)))
    piece = title[start:typed.draw(st.integers(start, len(title)))]
    if len(fold(piece)) >= 3 and not piece.isspace():
        for words in ([piece], [fold(piece)]):
            found = conn.execute("SELECT rowid FROM action_search WHERE action_search MATCH ?",
                                 (match_expression(words),)).fetchall()
            assert found == [(1,)], (piece, fold(piece))


def test_step_4_keeps_the_fold_table_it_was_built_with() -> None:
    """Step 4 is frozen SQL. If this fails, the fold table changed: the typed words are folded by the new table while
    the indexes of existing databases hold the old fold, so write a new step that rebuilds the indexes."""
    assert source_view_sql(ACTION_INDEX) in SEARCH_SCHEMA_V4
    assert source_view_sql(ASSOCIATION_INDEX) in SEARCH_SCHEMA_V4


def test_step_3_is_the_index_the_schema_3_program_built() -> None:
    conn = sqlite3.connect(FIXTURES / "schema-v3.db")
    try:
        written = {sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE name LIKE 'action_search%'"
                                                  " AND type IN ('table', 'trigger') AND sql IS NOT NULL")}
    finally:
        conn.close()
    assert {s for s in SEARCH_SCHEMA_V3 if s.startswith("CREATE")} <= written


def _live_texts(path: Path) -> dict[int, str]:
    """Each live action's searched fields, read straight from the file."""
    conn = sqlite3.connect(path)
    try:
        return {row[0]: " ".join(field or "" for field in row[1:]) for row in conn.execute(
            'SELECT a.id, a.reference, a.title, p.name, a.description, a.objectives FROM "action" a'
            " LEFT JOIN association p ON p.id = a.porteur_id WHERE a.deleted = 0")}
    finally:
        conn.close()


def test_a_schema_3_database_gets_the_folded_indexes(tmp_path: Path) -> None:
    copy = tmp_path / "bureau-v3.db"
    shutil.copyfile(FIXTURES / "schema-v3.db", copy)
    texts = _live_texts(copy)
    with_sante = sorted(i for i, text in texts.items() if "santé" in text.lower() or "sante" in text.lower())
    assert with_sante, "the fixture has actions about santé"
    with opened_database(copy) as database:
        assert database.pragma("user_version") >= 4  # step 4 at least; later steps add columns
        counts = database.execute_sql("SELECT (SELECT count(*) FROM action_search),"
                                      " (SELECT count(*) FROM association_search),"
                                      ' (SELECT count(*) FROM "action" WHERE deleted = 0),'
                                      " (SELECT count(*) FROM association WHERE deleted = 0)").fetchone()
        assert counts[0] == counts[2] and counts[1] == counts[3]
        assert sorted(list_ids("actions", "sante")) == with_sante
        assert sorted(list_ids("actions", "SANTÉ")) == with_sante
