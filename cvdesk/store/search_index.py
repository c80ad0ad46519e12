"""The full-text index of actions (reference, title, porteur's name), trigram-tokenised so that any fragment of
three characters or more is found without scanning the table; triggers keep it in step with every write."""
from __future__ import annotations

from peewee import SqliteDatabase

ACTION_SEARCH = "action_search"
MIN_FRAGMENT = 3  # the trigram tokenizer cannot match shorter fragments: those fall back to LIKE

_PORTEUR_NAME = "(SELECT name FROM association WHERE id = new.porteur_id)"

STATEMENTS = (
    f"CREATE VIRTUAL TABLE {ACTION_SEARCH} USING fts5(reference, title, porteur, tokenize = 'trigram')",
    f"""CREATE TRIGGER action_search_insert AFTER INSERT ON "action" BEGIN
          INSERT INTO {ACTION_SEARCH}(rowid, reference, title, porteur)
          VALUES (new.id, new.reference, new.title, {_PORTEUR_NAME});
        END""",
    f"""CREATE TRIGGER action_search_update AFTER UPDATE OF reference, title, porteur_id ON "action" BEGIN
          DELETE FROM {ACTION_SEARCH} WHERE rowid = old.id;
          INSERT INTO {ACTION_SEARCH}(rowid, reference, title, porteur)
          VALUES (new.id, new.reference, new.title, {_PORTEUR_NAME});
        END""",
    f"""CREATE TRIGGER action_search_delete AFTER DELETE ON "action" BEGIN
          DELETE FROM {ACTION_SEARCH} WHERE rowid = old.id;
        END""",
    f"""CREATE TRIGGER action_search_porteur AFTER UPDATE OF name ON association BEGIN
          DELETE FROM {ACTION_SEARCH} WHERE rowid IN (SELECT id FROM "action" WHERE porteur_id = new.id);
          INSERT INTO {ACTION_SEARCH}(rowid, reference, title, porteur)
          SELECT id, reference, title, new.name FROM "action" WHERE porteur_id = new.id;
        END""",
)


def create_action_search(database: SqliteDatabase) -> None:
    """Create the index and its triggers, and fill it from the actions already there."""
    for statement in STATEMENTS:
        database.execute_sql(statement)
    rebuild_action_search(database)


def rebuild_action_search(database: SqliteDatabase) -> None:
    database.execute_sql(f"DELETE FROM {ACTION_SEARCH}")
    database.execute_sql(
        f"""INSERT INTO {ACTION_SEARCH}(rowid, reference, title, porteur)
            SELECT a.id, a.reference, a.title, p.name FROM "action" a LEFT JOIN association p ON p.id = a.porteur_id"""
    )


def match_expression(words: list[str]) -> str:
    """An FTS5 query finding every word as a fragment (each quoted, so that no word is read as an operator)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)
