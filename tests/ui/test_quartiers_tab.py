"""A coordinator corrects a quartier: communes, population typed with spaces, indicators with their source year."""
from __future__ import annotations

from PySide6.QtCore import Qt

from cvdesk.services.quartiers import communes_of, indicators_of
from cvdesk.store.models import Quartier

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_quartier_saves_its_population_indicators_and_communes(window, qtbot, type_text) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    tab.view.selectRow(0)
    quartier_id = tab.current_record_id()
    tab.population_edit.clear()
    qtbot.keyClicks(tab.population_edit, "4 450")
    poverty = tab.indicator_inputs["taux_pauvrete"]
    poverty.value_edit.clear()
    type_text(poverty.value_edit, "38,2 %")
    poverty.year_edit.clear()
    qtbot.keyClicks(poverty.year_edit, "2019")
    item = tab.communes_list.item(0)
    tab.communes_list.setCurrentItem(item)
    qtbot.keyClick(tab.communes_list, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert Quartier.get_by_id(quartier_id).population == 4450
    assert tab.population_edit.text() == "4\u00a0450"
    assert indicators_of(quartier_id)["taux_pauvrete"] == (3820, 2019)
    assert item.text() in [c.name for c in communes_of(quartier_id)]
    assert tab.model.index(0, 3).data() == "4\u00a0450"


def test_an_unreadable_indicator_is_refused_with_its_reason(window, qtbot) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    tab.view.selectRow(0)
    rate = tab.indicator_inputs["taux_chomage"]
    rate.value_edit.clear()
    qtbot.keyClicks(rate.value_edit, "beaucoup")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    message = tab.form.rows["indicator.taux_chomage"].error.text()
    assert "pourcentage" in message
    assert tab.is_dirty()


def test_a_population_in_superscript_or_beyond_reason_is_refused_in_french(window, qtbot) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    tab.view.selectRow(0)
    quartier_id = tab.current_record_id()
    before = Quartier.get_by_id(quartier_id).population
    for typed, words in (("3²", "nombre entier"), ("9" * 25, "trop grand")):
        tab.population_edit.clear()
        qtbot.keyClicks(tab.population_edit, typed)
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
        shown = tab.form.rows["population"].error.text() + tab.error_label.text()
        assert words in shown, shown
        assert Quartier.get_by_id(quartier_id).population == before
    tab._dirty = False
