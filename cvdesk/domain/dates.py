"""Dates and moments as the French user reads them (dd/mm/yyyy), from one place for the window, sheets and files."""
from __future__ import annotations

from datetime import date, datetime

DATE_FORMAT = "%d/%m/%Y"


def format_date(day: date | None) -> str:
    """« 01/03/2016 »; empty for no date. A datetime shows its own calendar day (convert it first if needed)."""
    return day.strftime(DATE_FORMAT) if day else ""


def format_moment(moment: datetime, between: str = " ") -> str:
    """A stored UTC instant in the computer's local time: « 01/03/2016 14:05 », or « 01/03/2016 à 14:05 » with
    between=" à "."""
    local = moment.astimezone()
    return f"{format_date(local)}{between}{local:%H:%M}"
