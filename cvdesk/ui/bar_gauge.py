"""A painted bar of an envelope's consumption (requested, granted, paid against its amount) that opens on a click,
Entrée or Espace: no chart library, a few rectangles."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent, QPaintEvent

GRANTED = QColor("#3b7dd8")
PAID = QColor("#1f4e8c")
REQUESTED = QColor("#c9dcf5")
OVER = QColor("#c62828")
TRACK = QColor("#eeeeee")
BAR_HEIGHT = 14


class BarGauge(QWidget):
    """Title, a bar and lines of figures (one per line of figures). The bar's full width is the largest of the amounts, so that an envelope
    overspent shows its excess in red beyond the envelope's mark."""

    activated = Signal()

    def __init__(self, title: str, figures: str, amount: int, requested: int, granted: int, paid: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.figures = title, figures
        self.amount, self.requested, self.granted, self.paid = amount, requested, granted, paid
        self.over = granted > amount
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(f"{title} : {' · '.join(figures.splitlines())}")
        self.setToolTip("Cliquez (ou Entrée) pour voir ces actions dans l'onglet Actions.")
        self._line = self.fontMetrics().height()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, self._line * (1 + len(self.figures.splitlines())) + BAR_HEIGHT + 14)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(220, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        width = self.width() - 8
        text_color = self.palette().windowText().color()
        title_font = painter.font()
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(OVER if self.over else text_color)
        painter.drawText(QRectF(4, 2, width, self._line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self.fontMetrics().elidedText(self.title, Qt.TextElideMode.ElideRight, width))
        title_font.setBold(False)
        painter.setFont(title_font)
        top = self._line + 5
        scale = max(self.amount, self.requested, self.granted, self.paid, 1)

        def span(cents: int) -> float:
            return width * max(cents, 0) / scale

        painter.fillRect(QRectF(4, top, span(self.amount) if self.amount else width, BAR_HEIGHT), TRACK)
        painter.fillRect(QRectF(4, top + BAR_HEIGHT - 4, span(self.requested), 4), REQUESTED)
        within = min(self.granted, self.amount) if self.amount else 0
        painter.fillRect(QRectF(4, top, span(within), BAR_HEIGHT - 4), GRANTED)
        if self.over:
            painter.fillRect(QRectF(4 + span(self.amount), top, span(self.granted) - span(self.amount),
                                    BAR_HEIGHT - 4), OVER)
        painter.fillRect(QRectF(4, top + 3, span(self.paid), BAR_HEIGHT - 10), PAID)
        if self.amount:
            painter.setPen(QPen(text_color, 2))
            mark = 4 + span(self.amount)
            painter.drawLine(int(mark), top - 2, int(mark), top + BAR_HEIGHT + 2)
        painter.setPen(OVER if self.over else text_color)
        for number, line in enumerate(self.figures.splitlines()):
            painter.drawText(QRectF(4, top + BAR_HEIGHT + 3 + number * self._line, width, self._line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, width))
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(QRectF(1, 1, self.width() - 2, self.height() - 2))
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.activated.emit()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        super().focusOutEvent(event)
        self.update()
