"""A partner's workbook with absurd numbers (1E+300 € of cost, 10^20 beneficiaries): one French sentence naming
the line and the column, nothing written; never « Python int too large to convert to SQLite INTEGER »."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import Workbook

from cvdesk.exchange.sheet_import import preview_sheet
from cvdesk.store.models import Action
from tests.exchange.helpers import fingerprint

pytestmark = pytest.mark.both_engines

HEADER = ["Référence", "Intitulé", "Année", "Porteur", "Coût total", "Financeur", "Montant demandé"]


def _workbook(path: Path, cost: object, requested: object) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["2016-VM-900", "Atelier", 2016, "", cost, "Région", requested])
    book.save(path)
    return path


def _picture(engine: str, db_target: Path | str, sql_rows: Callable[..., list[tuple]]) -> Any:
    """What the base holds: on SQLite the bytes of its file and WAL (nothing written at all); on PostgreSQL every
    table's rows, read by plain SQL."""
    if engine == "sqlite":
        return fingerprint(Path(db_target))
    tables = [name for (name,) in sql_rows("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                           "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")]
    assert "action" in tables and "funding" in tables
    return {name: sorted(sql_rows(f'SELECT * FROM "{name}"'), key=repr) for name in tables}


huge = st.one_of(st.integers(min_value=10**15, max_value=10**40), st.integers(max_value=-(10**15), min_value=-(10**40)),
                 st.floats(min_value=1e15, max_value=1e308), st.floats(max_value=-1e15, min_value=-1e308))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=huge, column=st.sampled_from(["Coût total", "Montant demandé"]))
def test_an_absurd_amount_is_refused_naming_its_line_and_column(demo_db, engine: str, db_target: Path | str, sql_rows,
                                                                 tmp_path: Path, value: object, column: str) -> None:
    before = _picture(engine, db_target, sql_rows)
    cost, requested = (value, 100) if column == "Coût total" else (1000, value)
    preview = preview_sheet(_workbook(tmp_path / "actions.xlsx", cost, requested), "actions")
    assert not preview.ok
    message = preview.first_error()
    assert "ligne 2" in message and column in message, message
    assert Action.select().where(Action.reference == "2016-VM-900").count() == 0
    assert _picture(engine, db_target, sql_rows) == before
