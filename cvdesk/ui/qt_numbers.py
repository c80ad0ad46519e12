"""The few values of Qt's own enums that the window sets before its first paint, by their numbers.

Naming any member of the `Qt` namespace (Qt.FocusPolicy.StrongFocus, Qt.AlignmentFlag.AlignLeft…) makes PySide build
the whole namespace first: 115 enums, about 35 ms on a quiet machine, 60 to 90 under load, which a bare PySide6
window never pays. So the widgets shown at start-up set these through Qt's property system (QObject.setProperty takes
the number) or through the overloads that take a plain int; tests/ui/test_qt_numbers.py checks each number against
the enum it stands for. Everything after the first paint names the enums as usual.
"""
from __future__ import annotations

NO_FOCUS = 0x0  # Qt.FocusPolicy.NoFocus
STRONG_FOCUS = 0x1 | 0x2 | 0x8  # Qt.FocusPolicy.StrongFocus: Tab and click, not the wheel
SCROLL_BAR_ALWAYS_OFF = 1  # Qt.ScrollBarPolicy.ScrollBarAlwaysOff
TOOL_BUTTON_TEXT_ONLY = 1  # Qt.ToolButtonStyle.ToolButtonTextOnly
ALIGN_LEFT_VCENTER = 0x0001 | 0x0080  # Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
