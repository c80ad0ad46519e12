"""The full-text indexes of live actions (reference, title, porteur's name, description, objectives) and of live
associations (name, acronym, SIRET, RNA), accents folded, trigram-tokenised so that any fragment of three characters
or more is found without scanning a table.

Their schema is frozen SQL (frozen_schema.SEARCH_SCHEMA_V4, migration step 4): a view folds each record's text with
nested replace() and triggers copy each written record from that view, so that any SQLite tool keeps the indexes
right (no function of ours is needed there). Here: how those views were generated from text_fold's table, and how the
lists query the indexes with the typed words folded by the same table, plus the fold function registered for the
queries of the smaller lists.

On PostgreSQL (search_schema_pg, step 4) each index is a table (id, text) holding the same folded text, with a GIN
trigram index (pg_trgm) that serves ILIKE '%word%': every word is looked for that way, whatever its length."""
from __future__ import annotations

import unicodedata
from typing import Any

from cvdesk.domain.frozen_value import FrozenValue, frozen_init
from cvdesk.domain.text_fold import FOLDS, fold
from cvdesk.store.connection import engine_name

MIN_FRAGMENT = 3  # the trigram tokenizer cannot match shorter fragments: those are compared with LIKE
# SQLite's parser overflows beyond about 25 nested calls in a view: the fold is applied in stages of this many.
FOLD_STAGE = 17


class SearchIndex(FrozenValue):
    """A trigram index (rowid = the record's id) of one text column: the record's searched fields joined by line
    breaks, which no searched word holds, so that no word is found astride two fields (and folding one text
    instead of five is five times fewer replace() calls)."""

    __slots__ = ("name", "source", "fields")
    name: str
    source: str  # FROM clause, the indexed table aliased a
    fields: tuple[str, ...]

    def __init__(self, name: str, source: str, fields: tuple[str, ...]) -> None:
        frozen_init(self, name, source, fields)

    @property
    def view(self) -> str:
        """The view giving the folded text of every live record."""
        return f"{self.name}_source"


ACTION_INDEX = SearchIndex("action_search", '"action" a LEFT JOIN association p ON p.id = a.porteur_id',
                           ("a.reference", "a.title", "COALESCE(p.name, '')", "a.description", "a.objectives"))
ASSOCIATION_INDEX = SearchIndex("association_search", "association a", ("a.name", "a.acronym", "a.siret", "a.rna"))
ACTION_SEARCH = ACTION_INDEX.name
ASSOCIATION_SEARCH = ASSOCIATION_INDEX.name


def _folded(expression: str, folds: tuple[tuple[str, str], ...]) -> str:
    for accented, plain in folds:
        # A combining accent is written by its code point: alone in quotes it would sit on the quote when read.
        letter = f"char({ord(accented)})" if unicodedata.combining(accented) else f"'{accented}'"
        expression = f"replace({expression}, {letter}, '{plain}')"
    return expression


def source_view_sql(index: SearchIndex) -> str:
    """The CREATE VIEW statement of step 4 for this index, generated from today's fold table (step 4 keeps its own
    frozen copy: a change of the table is a new step that rebuilds the indexes). Each stage reads the previous one's
    text once, so SQLite flattens the stages into one expression and a trigger's WHERE id = … reads one record."""
    stages = [FOLDS[start:start + FOLD_STAGE] for start in range(0, len(FOLDS), FOLD_STAGE)]
    joined = " || char(10) || ".join(index.fields)
    ctes = [f"fold1 AS (\n  SELECT a.id AS id, {_folded(joined, stages[0])} AS text\n"
            f"  FROM {index.source}\n  WHERE a.deleted = 0)"]
    for n, folds in enumerate(stages[1:], start=2):
        ctes.append(f"fold{n} AS (\n  SELECT id, {_folded('text', folds)} AS text\n  FROM fold{n - 1})")
    return (f"CREATE VIEW {index.view} AS\nWITH " + ",\n".join(ctes)
            + f"\nSELECT id, text FROM fold{len(stages)}")


def fill_action_search(connection: Any, first_id: int = 0) -> None:
    """What the insert trigger does, for every action from first_id on, in one statement (bulk imports)."""
    connection.execute(f"INSERT INTO {ACTION_SEARCH}({_key()}, text) SELECT id, text FROM {ACTION_INDEX.view} "
                       "WHERE id >= ?", (first_id,))


def _postgres() -> bool:
    return engine_name() == "postgresql"


def _key() -> str:
    """The index's column holding the record's id: FTS5's rowid on SQLite, a plain id column on PostgreSQL."""
    return "id" if _postgres() else "rowid"


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(word: str) -> str:
    """A LIKE pattern (escape character \\) finding the folded word anywhere in folded text."""
    return f"%{escape_like(fold(word))}%"


def search_condition(index_name: str, words: list[str], record_id: str) -> tuple[str, list[str]]:
    """An SQL condition true for the record whose id is record_id when it holds every word (accents and case
    ignored) in one of the indexed fields: words of 3+ letters through the trigram index, shorter ones by LIKE over
    the index's folded text. One set of ids, read once: checking each listed record instead (EXISTS) stops a list
    sorted by reference at its first page, but costs three times more for a count or the totals of every match, and
    for a list sorted by a column without an index (measured in benchmarks/search_bench.py)."""
    if _postgres():
        # pg_trgm's index serves ILIKE (case ignored, as FTS5's trigrams and SQLite's LIKE ignore it), and a word
        # shorter than a trigram is read from the index's folded text as on SQLite.
        where = " AND ".join("text ILIKE ? ESCAPE '\\'" for _ in words) or "true"
        return f"{record_id} IN (SELECT id FROM {index_name} WHERE {where})", [like_pattern(word) for word in words]
    # Lengths once folded: « œu » is three letters for the index (« oeu »).
    indexed = [word for word in words if len(fold(word)) >= MIN_FRAGMENT]
    short = [word for word in words if len(fold(word)) < MIN_FRAGMENT]
    clauses, params = [], []
    if indexed:
        clauses.append(f"{index_name} MATCH ?")
        params.append(match_expression(indexed))
    for word in short:
        clauses.append("text LIKE ? ESCAPE '\\'")
        params.append(like_pattern(word))
    where = " AND ".join(clauses) if clauses else "1"
    return f"{record_id} IN (SELECT rowid FROM {index_name} WHERE {where})", params


def match_expression(words: list[str]) -> str:
    """An FTS5 query finding every folded word as a fragment (each quoted, so that no word is read as an operator)."""
    return " ".join('"' + fold(word).replace('"', '""') + '"' for word in words)


# For the lists without an index (a few thousand rows at most): the fields of a row, joined and folded, in a query.
# Registered on every connection (store.database, store.shared_database) for queries only: the schema and the
# triggers never call it.
FOLDED_FIELDS = "cvdesk_folded_fields"


def folded_fields(*values: Any) -> str:
    return "\n".join(fold(str(value)) for value in values if value is not None)
