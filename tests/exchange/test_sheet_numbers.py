"""A partner's workbook with absurd numbers (1E+300 € of cost, 10^20 beneficiaries): one French sentence naming
the line and the column, nothing written; never « Python int too large to convert to SQLite INTEGER »."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import Workbook

from cvdesk.exchange.sheet_import import preview_sheet
from cvdesk.store.models import Action
from tests.exchange.helpers import fingerprint

HEADER = ["Référence", "Intitulé", "Année", "Porteur", "Coût total", "Financeur", "Montant demandé"]


def _workbook(path: Path, cost: object, requested: object) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["2016-VM-900", "Atelier", 2016, "", cost, "Région", requested])
    book.save(path)
    return path


huge = st.one_of(st.integers(min_value=10**15, max_value=10**40), st.integers(max_value=-(10**15), min_value=-(10**40)),
                 st.floats(min_value=1e15, max_value=1e308), st.floats(max_value=-1e15, min_value=-1e308))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=huge, column=st.sampled_from(["Coût total", "Montant demandé"]))
def test_an_absurd_amount_is_refused_naming_its_line_and_column(demo_db, db_path: Path, tmp_path: Path,
                                                                 value: object, column: str) -> None:
    before = fingerprint(db_path)
    cost, requested = (value, 100) if column == "Coût total" else (1000, value)
    preview = preview_sheet(_workbook(tmp_path / "actions.xlsx", cost, requested), "actions")
    assert not preview.ok
    message = preview.first_error()
    assert "ligne 2" in message and column in message, message
    assert Action.select().where(Action.reference == "2016-VM-900").count() == 0
    assert fingerprint(db_path) == before
