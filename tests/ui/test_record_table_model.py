"""The lazy list model: it passes Qt's model checks, loads ids by pages, sorts and filters in SQL."""
from __future__ import annotations

import pytest

from cvdesk.services.lists import count
from cvdesk.ui import record_table_model
from cvdesk.ui.record_table_model import RecordTableModel


@pytest.mark.parametrize("name", ["actions", "associations", "quartiers"])
def test_every_list_model_passes_the_model_tester(demo_db, qtmodeltester, name: str) -> None:
    model = RecordTableModel(name)
    model.reload()
    model.ensure_complete()
    qtmodeltester.check(model)
    assert model.rowCount() == count(name)


def test_the_first_page_shows_at_once_and_the_rest_when_scrolled(demo_db, qtbot, qtmodeltester, monkeypatch) -> None:
    monkeypatch.setattr(record_table_model, "FIRST_PAGE", 10)
    model = RecordTableModel("actions")
    model.reload()
    assert model.rowCount() == 10 and model.canFetchMore()
    assert model.matching_count() == 40
    with qtbot.waitSignal(model.completed, timeout=2000) as blocker:
        model.fetchMore()
    assert blocker.args == [40]
    assert model.rowCount() == 40 and not model.canFetchMore()
    qtmodeltester.check(model)
    assert model.index(39, 0).data() == "2015-VM-040"


def test_a_paged_model_passes_the_model_tester(demo_db, qtmodeltester, monkeypatch) -> None:
    monkeypatch.setattr(record_table_model, "FIRST_PAGE", 10)
    model = RecordTableModel("actions")
    model.reload()
    qtmodeltester.check(model)


def test_amounts_are_formatted_and_right_aligned(demo_db) -> None:
    model = RecordTableModel("actions")
    model.reload()
    cost = [c.key for c in model.columns].index("total_cost")
    assert model.index(0, cost).data() == "96\u00a0000,00\u00a0€"
    assert model.index(0, cost).data(0x0007) & 0x0002  # TextAlignmentRole: AlignRight


def test_sorting_and_filtering_requery_the_ids(demo_db) -> None:
    model = RecordTableModel("actions")
    model.reload()
    cost = [c.key for c in model.columns].index("total_cost")
    model.sort(cost)
    costs = [model.index(row, cost).data() for row in range(3)]
    assert costs[0] == "15\u00a0000,00\u00a0€"
    model.set_search("santé")
    assert 0 < model.rowCount() < 40
    assert all("santé" in (model.index(r, 1).data() + model.index(r, 4).data()).lower()
               for r in range(model.rowCount()))
