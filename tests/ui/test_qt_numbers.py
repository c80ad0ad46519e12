"""The window paints its dashboard before PySide builds the Qt namespace, and looks and behaves as it did: the numbers
it sets instead of Qt's enums are those enums, the bars are drawn in their colours, the wheel never turns the year."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QEnterEvent
from PySide6.QtWidgets import QApplication

from cvdesk.ui import qt_numbers
from cvdesk.ui.bar_gauge import GRANTED, OVER, BarGauge, elided


def test_each_number_is_the_qt_value_it_stands_for() -> None:
    assert qt_numbers.NO_FOCUS == Qt.FocusPolicy.NoFocus.value
    assert qt_numbers.STRONG_FOCUS == Qt.FocusPolicy.StrongFocus.value
    assert qt_numbers.SCROLL_BAR_ALWAYS_OFF == Qt.ScrollBarPolicy.ScrollBarAlwaysOff.value
    assert qt_numbers.TOOL_BUTTON_TEXT_ONLY == Qt.ToolButtonStyle.ToolButtonTextOnly.value
    assert qt_numbers.ALIGN_LEFT_VCENTER == (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value


def test_a_long_line_under_a_bar_is_cut_as_qt_cuts_it(qtbot) -> None:
    gauge = BarGauge("Région", "", 100, 0, 0, 0)
    qtbot.addWidget(gauge)
    metrics = gauge.fontMetrics()
    line = "Enveloppe 52 166 000,00 € · accordé 93 097 142,00 € (178,5 %) · dépassement de 40 931 142,00 €"
    for width in (30, 120, 250, 400, 2000):
        assert elided(metrics, line, width) == metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)


def _colours(gauge: BarGauge) -> set[int]:
    image = gauge.grab().toImage()
    return {image.pixel(x, y) & 0xFFFFFF for y in range(image.height()) for x in range(image.width())}


def test_an_overspent_envelope_is_drawn_in_red_beyond_its_mark_and_the_hand_shows_under_the_mouse(qtbot) -> None:
    within = BarGauge("Région", "Enveloppe 100,00 € · accordé 50,00 €", 10_000, 6_000, 5_000, 2_000)
    over = BarGauge("EPCI", "Enveloppe 100,00 € · accordé 150,00 €", 10_000, 16_000, 15_000, 2_000)
    for gauge in (within, over):
        qtbot.addWidget(gauge)
        gauge.resize(420, gauge.sizeHint().height())
        gauge.show()
        qtbot.waitExposed(gauge)
    red, blue = QColor(OVER).rgb() & 0xFFFFFF, QColor(GRANTED).rgb() & 0xFFFFFF
    assert blue in _colours(within) and red not in _colours(within)
    assert blue in _colours(over) and red in _colours(over)
    assert over.palette().windowText().color() == OVER  # its title and figures too

    assert within.cursor().shape() == Qt.CursorShape.ArrowCursor
    QApplication.sendEvent(within, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    assert within.cursor().shape() == Qt.CursorShape.PointingHandCursor


# Run as the program runs: a fresh interpreter, the window shown as run_window shows it.
START = """
import sys
import time
from pathlib import Path

import PySide6.QtCore

from cvdesk.store.database import opened_database
from cvdesk.ui.app import make_application, show_window

app = make_application(wheel_guard_soon=False)
path = Path(sys.argv[1])
with opened_database(path, defer_check=True, models=False):
    window = show_window(path, checks=False)
    window.grab()  # the first paint, the event loop not yet turned
    tab = window.current_tab()
    built = "Qt" in vars(PySide6.QtCore)
    print("first", tab.kind, built, tab.year_combo.focusPolicy().value, tab.dashboard.year)
    started = time.perf_counter()
    while tab.figures_pending and time.perf_counter() - started < 30:
        app.processEvents()
    from cvdesk.ui.area_table import AreaTable

    table = next(t for t in tab.findChildren(AreaTable) if t.accessibleName() == "Totaux par orientation")
    counts = [int(table.model().index(row, 1).data().replace("\\u00a0", "")) for row in range(table.model().rowCount())]
    print("orientations", sum(counts))
    window.close()
"""


def test_the_dashboard_is_painted_before_the_qt_namespace_is_built_at_the_first_start_and_the_next(
        demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "reglages")}
    # The first start reads the money totals in the background and keeps them; the next paints them at once.
    for start in ("first", "next"):
        done = subprocess.run([sys.executable, "-c", START, str(path)], capture_output=True, text=True, env=env,
                              timeout=120, cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        first = next(line for line in lines if line.startswith("first ")).split()
        assert first[1:4] == ["dashboard", "False", str(Qt.FocusPolicy.StrongFocus.value)], (start, first)
        year = int(first[4])
        with sqlite3.connect(path) as conn:  # every action of the year has one orientation, or none (its own row)
            actions = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0 AND year = ?', (year,)).fetchone()[0]
        assert f"orientations {actions}" in lines, (start, lines)
