"""Local settings kept in the database itself: the office's name and the demonstration mark."""
from __future__ import annotations

from cvdesk.store.models import Setting

OFFICE = "office"
DEMO = "demo"
DEFAULT_OFFICE = "Bureau local"


def get_setting(key: str, default: str = "") -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else default


def set_setting(key: str, value: str) -> None:
    Setting.insert(key=key, value=value).on_conflict_replace().execute()


def office_name() -> str:
    return get_setting(OFFICE, DEFAULT_OFFICE)


def is_demo() -> bool:
    return get_setting(DEMO) == "1"
