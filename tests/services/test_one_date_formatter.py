"""Dates reach the user as dd/mm/yyyy from one formatter: the window, the sheets, the files and the history agree."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import cvdesk
from cvdesk.domain.dates import format_date, format_moment

# Writing dd/mm/yyyy by hand (strftime or an f-string format) outside domain/dates.py is how two formatters drifted.
HAND_FORMAT = re.compile(r"""(strftime\(\s*["']%d/%m/%Y|:%d/%m/%Y)""")


def test_a_day_reads_as_dd_mm_yyyy_and_no_date_as_nothing() -> None:
    assert format_date(date(2016, 3, 1)) == "01/03/2016"
    assert format_date(None) == ""
    moment = datetime(2016, 3, 1, 9, 5, tzinfo=timezone.utc)
    local = moment.astimezone()
    assert format_moment(moment, " à ") == f"{local:%d}/{local:%m}/{local:%Y} à {local:%H}:{local:%M}"


def test_no_module_formats_dates_by_hand() -> None:
    root = Path(cvdesk.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.relative_to(root).as_posix() != "domain/dates.py"
                 and HAND_FORMAT.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
