"""Headquarters' first load into an empty PostgreSQL base: its foreign keys are set aside for the load and added back
before the commit, and still the merge is all or nothing and no colleague ever sees the base without them.

A refusal at the package's last row, or a reference that leads nowhere once written, leaves the base as it was: no
record, every foreign key, index and trigger in place (the catalogue read before and after)."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pg_plain
import pytest

import cvdesk.exchange.merge_write as merge_write
import cvdesk.exchange.package_reader as package_reader
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.merge import import_package
from cvdesk.exchange.package_format import table_specs
from cvdesk.store.database import close_database, open_database
from cvdesk.store.engine import raw
from tests.exchange.forging import edited, members, rows, write

pytestmark = pytest.mark.postgresql

# What a colleague and the checks see of the base's structure: foreign keys (with what they check), indexes, triggers
# (with whether they are enabled).
KEYS = ("SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.convalidated FROM pg_constraint c "
        "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2")
INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 2"
TRIGGERS = ("SELECT t.relname, g.tgname, g.tgenabled FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid "
            "WHERE NOT g.tgisinternal ORDER BY 1, 2")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of five records and the bulk path for any package of more than ten, so that much is written (keys
    set aside) before the end of the package."""
    monkeypatch.setattr(package_reader, "BATCH_LINES", 5)
    monkeypatch.setattr(merge_write, "BULK_ROWS", 10)


def _structure() -> list[list[tuple]]:
    return [raw().execute(sql).fetchall() for sql in (KEYS, INDEXES, TRIGGERS)]


def _record_counts() -> set[int]:
    return {raw().execute(f'SELECT count(*) FROM "{spec.table}"').fetchone()[0] for spec in table_specs()}


def test_a_refusal_at_the_last_funding_line_leaves_the_empty_postgresql_base_as_it_was(
        good_package: Path, tmp_path: Path, pg_url: str, small_batches: None) -> None:
    files = members(good_package)
    fundings = rows(files, "funding.jsonl")
    assert len(fundings) > 10  # several batches of actions and fundings are written before the refusal

    def negative_last(records: list[dict]) -> None:
        records[-1]["requested"] = -500

    forged = write(tmp_path / "faux.zip", edited(files, "funding.jsonl", negative_last))
    open_database(pg_url)
    try:
        structure = _structure()
        assert len(structure[0]) >= 10  # the schema's foreign keys, all checked
        with pytest.raises(ExchangeError) as refused:
            import_package(forged)
        assert f"ligne {len(fundings)}" in str(refused.value) and fundings[-1]["uuid"] in str(refused.value)
        assert _record_counts() == {0}
        assert _structure() == structure  # keys, indexes and triggers back, each key checked
    finally:
        close_database()


def test_a_reference_that_leads_nowhere_once_written_refuses_the_first_load_whole(
        good_package: Path, pg_url: str, small_batches: None) -> None:
    """A base whose writes break references (here a trigger deletes each action as soon as it is written): the
    funding lines' key, added back at the end, finds lines without their action; the merge is refused in French."""
    open_database(pg_url)
    try:
        structure = _structure()
        raw().execute("CREATE FUNCTION lose_action() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$BEGIN DELETE FROM \"action\" WHERE id = NEW.id; RETURN NULL; END$$")
        raw().execute('CREATE TRIGGER lose_actions AFTER INSERT ON "action" FOR EACH ROW EXECUTE FUNCTION lose_action()')
        with pytest.raises(ExchangeError) as refused:
            import_package(good_package)
        message = str(refused.value)
        assert "ne mènent à aucun enregistrement" in message and "rien n'a été importé" in message
        assert "\n" not in message
        assert _record_counts() == {0}
        raw().execute('DROP TRIGGER lose_actions ON "action"')
        assert _structure() == structure
    finally:
        close_database()


def test_a_colleague_sees_every_foreign_key_while_the_first_load_runs(good_package: Path, pg_url: str,
                                                                        small_batches: None) -> None:
    """Set aside inside the merge's transaction: another session reading the catalogue halfway through the load still
    finds every key, and after the commit the loaded tables hold every reference the keys check."""
    open_database(pg_url)
    colleague = pg_plain.connect(pg_url, autocommit=True)
    try:
        keys = raw().execute(KEYS).fetchall()
        seen: list[list[tuple]] = []
        set_aside: list[int] = []

        def meanwhile(done: int, total: int) -> None:
            if done > total // 2 and not seen:
                seen.append(colleague.execute(KEYS).fetchall())
                set_aside.append(raw().execute(
                    "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = "
                    "CAST(current_schema() AS regnamespace)").fetchone()[0])

        import_package(good_package, progress=meanwhile)
        assert seen == [keys]
        assert set_aside == [0]  # the merge's own session loads without them
        assert raw().execute(KEYS).fetchall() == keys
        orphans = raw().execute('SELECT count(*) FROM funding f LEFT JOIN "action" a ON a.id = f.action_id '
                                "WHERE a.id IS NULL").fetchone()[0]
        assert orphans == 0 and raw().execute("SELECT count(*) FROM funding").fetchone()[0] > 10
    finally:
        colleague.close()
        close_database()


def test_a_first_load_gives_each_action_the_sums_of_its_live_funding_lines(good_package: Path, tmp_path: Path,
                                                                            pg_url: str, small_batches: None) -> None:
    """The sender's totals are not believed: a package whose actions all claim other sums gets, on each action, the
    sums of its funding lines (a deleted line counts for nothing), as a SQL sum over the lines gives them."""
    files = members(good_package)

    def wrong_totals(records: list[dict]) -> None:
        for n, record in enumerate(records):
            record["requested_total"], record["granted_total"], record["paid_total"] = n + 1, 7, 3

    forged = write(tmp_path / "totaux.zip", edited(files, "action.jsonl", wrong_totals))
    open_database(pg_url)
    try:
        import_package(forged)
        actions = raw().execute('SELECT count(*) FROM "action"').fetchone()[0]
        assert actions > 10  # more than the bulk threshold: every action recomputed at once
        expected = raw().execute(
            'SELECT a.uuid, COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0) '
            'FROM "action" a LEFT JOIN funding f ON f.action_id = a.id AND f.deleted = 0 GROUP BY a.uuid '
            "ORDER BY a.uuid").fetchall()
        stored = raw().execute('SELECT uuid, requested_total, granted_total, paid_total FROM "action" '
                               "ORDER BY uuid").fetchall()
        assert [tuple(int(v) for v in row[1:]) for row in expected] == [tuple(row[1:]) for row in stored]
        assert any(row[2] != 7 for row in stored)  # the claimed sums were replaced
    finally:
        close_database()


def _index_and_view(index: str) -> tuple[list[tuple], list[tuple]]:
    return (raw().execute(f"SELECT id, text FROM {index} ORDER BY id").fetchall(),
            raw().execute(f"SELECT id, text FROM {index}_source ORDER BY id").fetchall())


def test_a_first_load_fills_the_search_indexes_with_what_their_views_give(good_package: Path, pg_url: str,
                                                                          small_batches: None) -> None:
    """Folded here rather than by the server's view, the search rows are the view's own, accents folded."""
    open_database(pg_url)
    try:
        import_package(good_package)
        for index in ("action_search", "association_search"):
            indexed, view = _index_and_view(index)
            assert indexed == view and len(indexed) > 10
        titles = [title for (title,) in raw().execute('SELECT title FROM "action"')]
        texts = [text for _, text in _index_and_view("action_search")[0]]
        assert any("é" in title for title in titles) and not any("é" in text for text in texts)
        assert raw().execute("SELECT count(*) FROM action_search WHERE text ILIKE ?", ("%emploi%",)).fetchone()[0]
    finally:
        close_database()


def test_a_base_whose_fold_was_changed_gets_its_own_view_s_text(good_package: Path, pg_url: str,
                                                                small_batches: None) -> None:
    """A base whose fold function is not step 4's (changed by hand here: a mark before the text, accents kept): the
    rows come from its view, never from a fold that would disagree with it."""
    open_database(pg_url)
    try:
        raw().execute("CREATE OR REPLACE FUNCTION cvdesk_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE "
                      "AS $$SELECT '#' || value$$")
        import_package(good_package)
        indexed, view = _index_and_view("action_search")
        assert indexed == view and len(indexed) > 10
        assert all(text.startswith("#") for _, text in indexed) and any("é" in text for _, text in indexed)
    finally:
        close_database()


@pytest.mark.parametrize("large", [True, False], ids=["en-bloc", "petit"])
def test_a_coordinator_who_does_not_own_the_tables_loads_the_package_too(
        good_package: Path, pg_server: Any, pg_url: str, monkeypatch: pytest.MonkeyPatch, large: bool) -> None:
    """Headquarters' coordinator writes with every right on the tables but does not own them (only an owner may drop
    a key or an index, or disable a trigger): the first load goes through the ordinary way, same tables, every key
    and trigger in place."""
    if large:
        monkeypatch.setattr(package_reader, "BATCH_LINES", 5)
        monkeypatch.setattr(merge_write, "BULK_ROWS", 10)
    open_database(pg_url)  # the owner makes the schema
    structure = _structure()
    close_database()
    database = urlsplit(pg_url).path.lstrip("/")
    role = f"coordination_{database}"
    admin = pg_server.connect(database)
    admin.execute(f"CREATE ROLE {role} LOGIN")
    admin.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
    admin.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
    parts = urlsplit(pg_url)
    open_database(urlunsplit((parts.scheme, f"{role}@", parts.path, parts.query, "")))
    try:
        summary = import_package(good_package)
        counts = {spec.table: raw().execute(f'SELECT count(*) FROM "{spec.table}"').fetchone()[0]
                  for spec in table_specs()}
        sent = {spec.table: len(rows(members(good_package), spec.file)) for spec in table_specs()}
        assert summary.total().added == sum(sent.values())
        sent["history"] += 1  # the merge's own row about the package
        assert counts == sent
        assert _structure() == structure
        assert raw().execute("SELECT count(*) FROM action_search").fetchone()[0] > 10
    finally:
        close_database()
        admin.execute(f"DROP OWNED BY {role}")
        admin.close()
