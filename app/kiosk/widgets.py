"""Two widgets the kiosk draws itself: a one-line label that shrinks to fit (the phrase) and
the microphone's level meter (the challenge screen and the microphone test)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QWidget


class FitLabel(QLabel):
    """One line that shrinks its font to fit the width (the phrase never wraps)."""

    def __init__(self, role: str, max_px: int = 96) -> None:
        super().__init__("")
        self.setProperty("role", role)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(False)
        self.max_px = max_px
        self.px = max_px

    def set_max(self, px: int) -> None:
        self.max_px = px
        self.fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        room = max(100, self.width() - 80)  # padding on both sides
        px = self.max_px
        font = QFont(self.font())
        while px > 12:
            font.setPixelSize(px)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= room:
                break
            px -= 2
        if px != self.px or not self.styleSheet():
            self.px = px
            self.setStyleSheet(f"font-size: {px}px;")


class LevelMeter(QWidget):
    """A horizontal bar: green, yellow when loud, with a decaying peak."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumHeight(36)
        self.setMaximumHeight(56)
        self.value = 0.0
        self.peak = 0.0

    def reset(self) -> None:
        """Empty, peak too: not listening (a frozen peak read as a level still measured)."""
        self.value = self.peak = 0.0
        self.update()

    def set_level(self, value: float) -> None:
        self.value = max(0.0, min(1.0, value))
        self.peak = max(self.value, self.peak * 0.92)
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        r = self.rect().adjusted(2, 2, -2, -2)
        p.fillRect(r, QColor("#1c2f44"))
        w = int(r.width() * self.value)
        color = QColor("#f2c14e") if self.value > 0.8 else QColor("#3ccf7a")
        p.fillRect(r.x(), r.y(), w, r.height(), color)
        if self.peak > 0.01:  # no peak mark on a silent meter (it read as a cursor)
            px = r.x() + int(r.width() * self.peak)
            p.fillRect(px - 2, r.y(), 4, r.height(), QColor("#ffffff"))
        p.end()
