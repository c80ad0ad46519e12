"""A painted bar of an envelope's consumption (requested, granted, paid against its amount) that opens on a click,
Entrée or Espace: no chart library, a few rectangles."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from cvdesk.ui.qt_numbers import ALIGN_LEFT_VCENTER, STRONG_FOCUS

if TYPE_CHECKING:
    from PySide6.QtGui import QEnterEvent, QFocusEvent, QFontMetrics, QKeyEvent, QMouseEvent, QPaintEvent

GRANTED = QColor("#3b7dd8")
PAID = QColor("#1f4e8c")
REQUESTED = QColor("#c9dcf5")
OVER = QColor("#c62828")
TRACK = QColor("#eeeeee")
BAR_HEIGHT = 14
ELLIPSIS = "…"

# The gauges are painted before the window's first paint is done, where a brush, a pen or fillRect() would make PySide
# build the Qt namespace (its overloads take Qt.GlobalColor, Qt.BrushStyle, Qt.PenStyle): about 35 ms. So a filled
# rectangle is a one-pixel swatch of its colour drawn stretched, and the text takes the painter's pen as it comes, the
# widget's own text colour (red for an overspent envelope, through its palette).
_swatches: dict[int, QPixmap] = {}


def _swatch(color: QColor) -> QPixmap:
    key = color.rgba()
    swatch = _swatches.get(key)
    if swatch is None:
        swatch = _swatches[key] = QPixmap(1, 1)
        swatch.fill(color)
    return swatch


def elided(metrics: QFontMetrics, text: str, width: float) -> str:
    """The text cut at its end with « … » to fit the width, as Qt's ElideRight does (which takes a Qt enum)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    low, high = 0, len(text)  # the longest start that fits with the ellipsis: low fits, high does not
    while high - low > 1:
        middle = (low + high) // 2
        if metrics.horizontalAdvance(text[:middle] + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle
    return text[:low] + ELLIPSIS


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
        self.setProperty("focusPolicy", STRONG_FOCUS)  # by its number: cvdesk.ui.qt_numbers says why
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(f"{title} : {' · '.join(figures.splitlines())}")
        self.setToolTip("Cliquez (ou Entrée) pour voir ces actions dans l'onglet Actions.")
        self._line = self.fontMetrics().height()
        self._mark_color = self.palette().windowText().color()  # the envelope's mark stays in the text's usual colour
        if self.over:
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.WindowText, OVER)
            self.setPalette(palette)
        self._hand = False

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, self._line * (1 + len(self.figures.splitlines())) + BAR_HEIGHT + 14)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(220, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)  # its pen: the palette's text colour (red when the envelope is overspent)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        width = self.width() - 8
        metrics = self.fontMetrics()
        title_font = painter.font()
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.drawText(QRectF(4, 2, width, self._line), ALIGN_LEFT_VCENTER, elided(painter.fontMetrics(),
                                                                                     self.title, width))
        title_font.setBold(False)
        painter.setFont(title_font)
        top = self._line + 5
        scale = max(self.amount, self.requested, self.granted, self.paid, 1)

        def span(cents: int) -> float:
            return width * max(cents, 0) / scale

        def fill(x: float, y: float, w: float, h: float, color: QColor) -> None:
            if w > 0 and h > 0:
                painter.drawPixmap(QRectF(x, y, w, h), _swatch(color), QRectF(0, 0, 1, 1))

        fill(4, top, span(self.amount) if self.amount else width, BAR_HEIGHT, TRACK)
        fill(4, top + BAR_HEIGHT - 4, span(self.requested), 4, REQUESTED)
        within = min(self.granted, self.amount) if self.amount else 0
        fill(4, top, span(within), BAR_HEIGHT - 4, GRANTED)
        if self.over:
            fill(4 + span(self.amount), top, span(self.granted) - span(self.amount), BAR_HEIGHT - 4, OVER)
        fill(4, top + 3, span(self.paid), BAR_HEIGHT - 10, PAID)
        if self.amount:
            mark = int(4 + span(self.amount))
            fill(mark - 1, top - 3, 2, BAR_HEIGHT + 6, self._mark_color)  # a line 2 pixels wide across the bar
        for number, line in enumerate(self.figures.splitlines()):
            painter.drawText(QRectF(4, top + BAR_HEIGHT + 3 + number * self._line, width, self._line),
                             ALIGN_LEFT_VCENTER, elided(metrics, line, width))
        if self.hasFocus():
            focus = self.palette().highlight().color()
            right, bottom = self.width() - 2, self.height() - 2
            fill(0, 0, self.width(), 2, focus)
            fill(0, bottom, self.width(), 2, focus)
            fill(0, 0, 2, self.height(), focus)
            fill(right, 0, 2, self.height(), focus)
        painter.end()

    def enterEvent(self, event: QEnterEvent) -> None:  # noqa: N802 (Qt's name)
        # The pointing hand is set when the mouse first comes: set when built, its Qt.CursorShape would be named
        # before the first paint (cvdesk.ui.qt_numbers says why not; QWidget's cursor property takes no number).
        if not self._hand:
            from PySide6.QtCore import Qt

            self._hand = True
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        super().enterEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        from PySide6.QtCore import Qt

        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.activated.emit()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        from PySide6.QtCore import Qt

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
