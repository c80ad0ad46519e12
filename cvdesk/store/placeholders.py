"""Our raw SQL written with SQLite's ? placeholders, translated once per statement for psycopg2 (%s, a literal % doubled)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def to_psycopg(sql: str) -> str:
    """The statement with each ? outside quotes and comments made %s, and every % doubled (psycopg2 reads % anywhere,
    even inside a string literal). Statements already in psycopg2's style (peewee's own, with %s and no ?) pass as
    they are."""
    out: list[str] = []
    marks = 0
    percent_s = False
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            end = _closing_quote(sql, i, c)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        if c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        if c == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        if c == "$":
            end = _dollar_quote_end(sql, i)
            if end is not None:
                out.append(sql[i:end].replace("%", "%%"))
                i = end
                continue
        if c == "?":
            marks += 1
            out.append("%s")
        elif c == "%":
            percent_s = percent_s or sql.startswith("%s", i)
            out.append("%%")
        else:
            out.append(c)
        i += 1
    if percent_s and not marks:
        return sql
    return "".join(out)


def _closing_quote(sql: str, start: int, quote: str) -> int:
    """The index just past the quote closing the literal or identifier opened at start (a doubled quote is one)."""
    i = start + 1
    while True:
        j = sql.find(quote, i)
        if j < 0:
            return len(sql)
        if sql.startswith(quote * 2, j):
            i = j + 2
            continue
        return j + 1


def _dollar_quote_end(sql: str, start: int) -> int | None:
    """The index just past a $tag$…$tag$ string opened at start (PL/pgSQL bodies), None if no such string opens."""
    j = start + 1
    while j < len(sql) and (sql[j].isalnum() or sql[j] == "_"):
        j += 1
    if j >= len(sql) or sql[j] != "$" or (j > start + 1 and sql[start + 1].isdigit()):
        return None
    tag = sql[start:j + 1]
    end = sql.find(tag, j + 1)
    return len(sql) if end < 0 else end + len(tag)
