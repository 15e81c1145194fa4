"""An on-screen keyboard for the admin's text fields (a kiosk has a touch screen, no keys).

It types into whichever line edit has the focus, by posting real key events, so every field
behaves as with a physical keyboard. Its buttons never take the focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QGridLayout, QLineEdit, QPushButton, QWidget

ROWS = ("1234567890", "qwertyuiop", "asdfghjklç", "zxcvbnm-_.", "@/:áãéêíóú")


class OnScreenKeyboard(QWidget):
    typed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.shift = False
        self.target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setSpacing(4)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        for r, row in enumerate(ROWS):
            for c, ch in enumerate(row):
                self._key(grid, ch, r, c)
        for c, (name, span) in enumerate((("Maiúsc.", 2), ("Espaço", 5), ("Apagar", 3))):
            b = self._key(grid, name, len(ROWS), sum((2, 5, 3)[:c]), span)
            b.setProperty("role", "kbd-wide")
        self.setProperty("role", "keyboard")
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus)

    def _focus(self, _old, new) -> None:
        if isinstance(new, QLineEdit):
            self.target = new  # the field last touched keeps the keys when a key is pressed

    def _key(self, grid: QGridLayout, text: str, row: int, col: int, span: int = 1) -> QPushButton:
        b = QPushButton(text)
        b.setProperty("role", "kbd")
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(lambda _=False, t=text: self.press(t))
        grid.addWidget(b, row, col, 1, span)
        self.keys[text] = b
        return b

    def press(self, key: str) -> None:
        if key == "Maiúsc.":
            self.shift = not self.shift
            for k, b in self.keys.items():
                if len(k) == 1:
                    b.setText(k.upper() if self.shift else k)
            return
        widget = QApplication.focusWidget()
        target = widget if isinstance(widget, QLineEdit) else self.target
        if target is None:
            return
        if key == "Apagar":
            event = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier
            )
        else:
            text = " " if key == "Espaço" else (key.upper() if self.shift else key)
            event = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, text)
        QApplication.sendEvent(target, event)
        self.typed.emit(key)
