"""Local settings kept in the database itself: the office's name and the demonstration mark."""
from __future__ import annotations

from cvdesk.store.connection import execute_sql

OFFICE = "office"
DEMO = "demo"
DEFAULT_OFFICE = "Bureau local"


def get_setting(key: str, default: str = "") -> str:
    # Plain SQL: the window's title reads the demo mark before peewee and the models are loaded.
    row = execute_sql("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return row[0] if row is not None else default


def set_setting(key: str, value: str) -> None:
    from cvdesk.store.models import Setting

    # An upsert both engines know (SQLite's INSERT OR REPLACE is not PostgreSQL's).
    Setting.insert(key=key, value=value).on_conflict(conflict_target=[Setting.key],
                                                     update={Setting.value: value}).execute()


def office_name() -> str:
    return get_setting(OFFICE, DEFAULT_OFFICE)


def is_demo() -> bool:
    return get_setting(DEMO) == "1"
