"""An on-screen keyboard for the admin's text fields (a kiosk has a touch screen, no keys).

It types into whichever line edit has the focus, by posting real key events, so every field
behaves as with a physical keyboard. Its buttons never take the focus. It has the letters of
Portuguese names (Antônio, Simões, Conceição, Müller) and two ways to type capitals: Maiúsc.
for the next letter only (as on a phone), Caps Lock until it is pressed again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QGridLayout, QLineEdit, QPushButton, QWidget

ROWS = (
    "1234567890-_.",
    "qwertyuiopáàâ",
    "asdfghjklçãéê",
    "zxcvbnm@/:íóô",
    "õúü,",  # "," for addresses and decimals (0,5)
)
SHIFT, CAPS, SPACE, BACKSPACE = "Maiúsc.", "Caps Lock", "Espaço", "Apagar"
WIDE = ((SHIFT, 2), (SPACE, 3), (CAPS, 2), (BACKSPACE, 2))  # after the last row's letters
COLUMNS = len(ROWS[0])


class OnScreenKeyboard(QWidget):
    typed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.shift = False  # the next letter only
        self.caps = False  # until pressed again
        self.target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setSpacing(4)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        for r, row in enumerate(ROWS):
            for c, ch in enumerate(row):
                self._key(grid, ch, r, c)
        col = len(ROWS[-1])
        for name, span in WIDE:
            b = self._key(grid, name, len(ROWS) - 1, col, span)
            b.setProperty("role", "kbd-wide")
            col += span
        assert col == COLUMNS, "the last row fills the keyboard's width"
        self.keys[SHIFT].setCheckable(True)
        self.keys[CAPS].setCheckable(True)
        self.setProperty("role", "keyboard")
        app = QApplication.instance()
        if isinstance(app, QApplication):  # a QCoreApplication has no focus
            app.focusChanged.connect(self._focus)

    @property
    def upper(self) -> bool:
        return self.shift != self.caps  # Maiúsc. with Caps Lock on types one small letter

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

    def _relabel(self) -> None:
        self.keys[SHIFT].setChecked(self.shift)
        self.keys[CAPS].setChecked(self.caps)
        for k, b in self.keys.items():
            if len(k) == 1:
                b.setText(k.upper() if self.upper else k)

    def press(self, key: str) -> None:
        if key in (SHIFT, CAPS):
            if key == SHIFT:
                self.shift = not self.shift
            else:
                self.caps, self.shift = not self.caps, False
            self._relabel()
            return
        widget = QApplication.focusWidget()
        target = widget if isinstance(widget, QLineEdit) else self.target
        if target is None:
            return
        if key == BACKSPACE:
            event = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier
            )
        else:
            text = " " if key == SPACE else (key.upper() if self.upper else key)
            event = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, text)
        QApplication.sendEvent(target, event)
        if self.shift and len(key) == 1:
            self.shift = False  # one capital, then small letters again
            self._relabel()
        self.typed.emit(key)
