"""The wheel scrolls the form, never a value: lists, spin boxes and dates change under the wheel only when focused."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QWheelEvent


class WheelGuard(QObject):
    """An application-wide filter, so that widgets built later (dialogs, Qt's own) are covered too.

    Qt gives a combo or spin box the focus when the wheel passes over it (WheelFocus), then lets it change its
    value: a person scrolling a long form changed funders and statuses without seeing it. Guarded widgets take the
    focus by click or Tab only (StrongFocus), and an unfocused one hands the wheel to its parents, so the form
    scrolls as if the widget were not there."""

    def __init__(self) -> None:
        super().__init__()
        # Looked up here, not at import: the window's start imports this module before its first paint, and PySide
        # creates QEvent.Type (about 180 members) and these classes at their first use, 5 to 10 ms together.
        # So is the Qt namespace (115 enums, about 35 ms): the window's start imports this module before its first
        # paint and names no member of it until then (cvdesk.ui.qt_numbers).
        from PySide6.QtCore import QEvent, Qt
        from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

        # A spin box covers QSpinBox, QDoubleSpinBox and QDateEdit (and the year of the calendar pop-up).
        self.guarded = (QComboBox, QAbstractSpinBox)
        self._polish = QEvent.Type.Polish
        self._watched = (QEvent.Type.Wheel, self._polish)
        self._wheel_focus, self._strong_focus = Qt.FocusPolicy.WheelFocus, Qt.FocusPolicy.StrongFocus

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, self.guarded):  # first, and cheap: every event of the program passes here
            return False
        kind = event.type()
        if kind not in self._watched:
            return False
        if kind == self._polish:
            # Before the first show, hence before the first wheel: Qt's WheelFocus would focus it, then turn it.
            if watched.focusPolicy() == self._wheel_focus:
                watched.setFocusPolicy(self._strong_focus)
            return False
        if watched.hasFocus() or _in_popup(watched):
            return False
        _hand_to_parents(watched, event)
        return True


def _in_popup(widget: QWidget) -> bool:
    """A calendar or list that pops up is looked at, not scrolled past: its own widgets keep the wheel."""
    from PySide6.QtCore import Qt

    return widget.window().windowType() == Qt.WindowType.Popup


def _hand_to_parents(widget: QWidget, event: QWheelEvent) -> None:
    """Offer the wheel to each parent in turn until one uses it (the scroll area's viewport, usually).

    Qt itself passes an ignored wheel on only for events from the mouse; doing it here also serves events sent by
    a program (tests, accessibility tools). The event is then marked used, so Qt does not offer it twice."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    position = event.position()
    parent = widget.parentWidget()
    while parent is not None:
        position = position + QPointF(widget.pos())
        forwarded = QWheelEvent(position, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                                event.buttons(), event.modifiers(), event.phase(), event.inverted())
        if QApplication.sendEvent(parent, forwarded) and forwarded.isAccepted():
            break
        if parent.isWindow():
            break
        widget, parent = parent, parent.parentWidget()
    event.accept()


_guard: WheelGuard | None = None
_scheduled = False


def install_wheel_guard(app: QApplication | None = None) -> None:
    """Install the guard for the whole application now (calling it again changes nothing)."""
    global _guard
    app = app or QApplication.instance()
    if app is None:
        return
    if _guard is None:
        _guard = WheelGuard()
        app.installEventFilter(_guard)
        # Widgets built before the guard were polished without it: they would still take the focus from the wheel.
        for widget in app.allWidgets():
            if isinstance(widget, _guard.guarded) and widget.focusPolicy() == _guard._wheel_focus:
                widget.setFocusPolicy(_guard._strong_focus)


def install_wheel_guard_soon() -> None:
    """Install the guard as the event loop starts: every event of the program goes through it (about 2 µs each),
    and building the window sends 7,000 of them that no wheel can be part of."""
    global _scheduled
    if not _scheduled and QApplication.instance() is not None:
        _scheduled = True
        QTimer.singleShot(0, install_wheel_guard)


def hold_wheel_guard() -> None:
    """Forms built from now on leave the guard to the caller, who installs it (install_wheel_guard) when it chooses:
    the window's start does so after its first paint, which the guard would slow down and no wheel can reach yet."""
    global _scheduled
    _scheduled = True
