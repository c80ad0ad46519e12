"""Windows and dialogs sized to the screen they open on: never taller or wider than its free area."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# A window manager's title bar and borders, before the window is shown and its real frame is known.
FRAME_ALLOWANCE = QSize(8, 34)


def fitted_size(wanted: QSize, available: QSize, frame: QSize = FRAME_ALLOWANCE) -> QSize:
    """The wanted size, cut down so that it and its frame fit in the available area (never below 1×1)."""
    return QSize(max(1, min(wanted.width(), available.width() - frame.width())),
                 max(1, min(wanted.height(), available.height() - frame.height())))


def placed_inside(frame: QRect, area: QRect) -> QRect:
    """The frame moved (not resized) as little as possible to lie inside the area, its top-left corner first."""
    x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
    return QRect(x, y, frame.width(), frame.height())


def available_area(widget: QWidget) -> QRect:
    """The free area (without task bars) of the screen the widget is on, or will open on."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: QWidget, wanted: QSize | None = None) -> QSize:
    """Resize the widget to wanted (its current size by default) within its screen's free area; a shown window is
    also moved back inside it. Returns the size given."""
    area = available_area(widget)
    wanted = wanted if wanted is not None else widget.size()
    frame = FRAME_ALLOWANCE
    if widget.isVisible() and widget.isWindow():
        frame = widget.frameGeometry().size() - widget.geometry().size()
    size = fitted_size(wanted, area.size(), frame)
    widget.resize(size)
    if widget.isVisible() and widget.isWindow() and not widget.isMaximized():
        inside = placed_inside(widget.frameGeometry(), area)
        widget.move(inside.topLeft())
    return size
