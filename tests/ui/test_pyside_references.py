"""The pinned PySide6 keeps its references to None: thousands of ordinary calls leave None's count where it was.

PySide6 6.12.0 lost one reference per QComboBox.addItem()/itemData() call, which kills CPython 3.11 with
« Fatal Python error: none_dealloc » after a few thousand of them; a workaround that raised None's count through
ctypes hid it. Pin a version without the bug instead: this test fails (or its child dies) if one comes back."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cvdesk

PROBE = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QComboBox, QListWidget, QListWidgetItem
app = QApplication([])
combo, listing = QComboBox(), QListWidget()
before = sys.getrefcount(None)
for n in range(5000):
    combo.addItem(f"choix {n}")
    combo.itemData(n)
    combo.currentData()
    item = QListWidgetItem(f"ligne {n}")
    listing.addItem(item)
    item.data(256)
print(sys.getrefcount(None) - before)
"""


def test_ten_thousand_calls_leave_nones_reference_count_alone() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert abs(int(done.stdout.strip().splitlines()[-1])) < 100


def test_no_module_reaches_into_the_interpreter() -> None:
    root = Path(cvdesk.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if "import ctypes" in path.read_text(encoding="utf-8")
                 or "from ctypes" in path.read_text(encoding="utf-8")]
    assert offenders == []
