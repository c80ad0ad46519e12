"""A guard against a PySide6 6.12 bug that drops references to None (and possibly booleans) on ordinary calls."""
from __future__ import annotations

import ctypes
import platform
import sys

# Measured with PySide6 6.12.0: every QComboBox.addItem(), QListWidget.addItem(), QTableWidget.setItem(),
# QListWidgetItem.setFlags(), and every missing datum read back (currentData(), item.data(), index.data())
# loses one reference to None. On CPython 3.11, where None is not immortal, a few thousand such calls (a quartier
# list of the national dataset) end in "Fatal Python error: none_dealloc". CPython 3.12 made None, True and
# False immortal; this gives them the same large reference count on older versions, so the stray decrements
# can never reach zero. Remove once PySide6 is fixed or Python ≥ 3.12 is required.
_MARGIN = 1 << 40


def make_singletons_immortal() -> None:
    if platform.python_implementation() != "CPython" or sys.version_info >= (3, 12):
        return
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is the first field of PyObject
        if refcount.value < _MARGIN:
            refcount.value += _MARGIN
