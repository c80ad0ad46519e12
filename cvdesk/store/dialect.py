"""The few SQL phrases that differ between SQLite and PostgreSQL, written for the open base's engine.

Each helper returns SQL text for the engine open now (it is asked when the statement is built, not at import), so
that the services write one statement for both. Prefer portable SQL (COALESCE, CASE, standard functions) to a helper
here; add a helper at the end of this module when no portable phrase exists."""
from __future__ import annotations

from cvdesk.store.connection import engine_name


def _pg() -> bool:
    return engine_name() == "postgresql"


def group_concat(expr: str, separator: str) -> str:
    """The values of expr in a group joined by separator (a literal without quotes in it)."""
    if "'" in separator:
        raise ValueError("Le séparateur ne doit pas contenir d'apostrophe.")
    if _pg():
        return f"string_agg(CAST({expr} AS TEXT), '{separator}')"
    return f"group_concat({expr}, '{separator}')"


def nocase(expr: str) -> str:
    """expr compared and sorted without regard to ASCII case, as SQLite's NOCASE collation (only A-Z folded: in the
    "C" collation PostgreSQL's lower() folds ASCII letters alone, so both engines order alike)."""
    if _pg():
        return f'lower(({expr}) COLLATE "C")'
    return f"{expr} COLLATE NOCASE"


def case_blind_like() -> str:
    """The LIKE operator that ignores case: SQLite's LIKE is blind to ASCII case, PostgreSQL's is not (ILIKE is)."""
    return "ILIKE" if _pg() else "LIKE"


def unindexed(expr: str) -> str:
    """expr kept from SQLite's index choice (a unary +, SQLite's documented hint); as it is on PostgreSQL, whose
    planner weighs its indexes by statistics (and has no unary + on text)."""
    if _pg():
        return f"({expr})"
    return f"+{expr}"


def join_in_order() -> str:
    """A join that SQLite's planner must take in the order written (CROSS JOIN); a plain JOIN on PostgreSQL."""
    return "JOIN" if _pg() else "CROSS JOIN"


def greatest(a: str, b: str) -> str:
    """The larger of two values: SQLite's scalar max(a, b), PostgreSQL's GREATEST (both ignore no NULL the same way:
    use with non-NULL values)."""
    return f"GREATEST({a}, {b})" if _pg() else f"max({a}, {b})"


def least(a: str, b: str) -> str:
    """The smaller of two values (non-NULL), as greatest()."""
    return f"LEAST({a}, {b})" if _pg() else f"min({a}, {b})"


def json_each_sql(param: str = "?") -> str:
    """A table of the values of a JSON array passed as one parameter (a text), with one column named value, as
    SQLite's json_each gives: SELECT value FROM {json_each_sql()}."""
    if _pg():
        return f"json_array_elements_text(CAST({param} AS json)) AS j(value)"
    return f"json_each({param})"


def insert_or_ignore(table: str, columns: str, values: str) -> str:
    """An INSERT that skips a row whose unique key exists already (SQLite's INSERT OR IGNORE, PostgreSQL's ON
    CONFLICT DO NOTHING); table and columns as quoted SQL, values the VALUES (…) or SELECT part."""
    if _pg():
        return f"INSERT INTO {table} ({columns}) {values} ON CONFLICT DO NOTHING"
    return f"INSERT OR IGNORE INTO {table} ({columns}) {values}"
