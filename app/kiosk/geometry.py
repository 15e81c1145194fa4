"""Where the kiosk window goes: full screen that really fills the screen (with or without a
window manager), or a window that fits the screen it opens on (``--windowed``)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication, QWidget

PREFERRED = QSize(1280, 800)  # the size the screens are drawn for
FRAME = QSize(16, 48)  # room left for a window manager's border and title bar


def parse_size(text: str | None) -> QSize | None:
    """'1280x800' -> QSize; '' or None -> None (pick one that fits). ValueError if malformed."""
    if not text:
        return None
    w, h = (int(x) for x in text.lower().split("x"))
    if w <= 0 or h <= 0:
        raise ValueError(text)
    return QSize(w, h)


def windowed_size(requested: QSize | None, available: QRect) -> QSize:
    """The requested size, or the preferred one, shrunk to fit the available area (the screen
    minus panels) with room for the window frame: on 1366x768 the bottom row stays visible."""
    want = requested or PREFERRED
    room = available.size() - FRAME
    return QSize(max(320, min(want.width(), room.width())),
                 max(240, min(want.height(), room.height())))  # fmt: skip


def show_windowed(win: QWidget, requested: QSize | None) -> None:
    screen = win.screen() or QApplication.primaryScreen()
    size = windowed_size(requested, screen.availableGeometry()) if screen else requested
    win.resize(size or PREFERRED)
    if screen is not None:  # centred on the screen, not wherever the last window was
        area = screen.availableGeometry()
        win.move(area.center() - win.rect().center())
    win.show()


def show_full_screen(win: QWidget) -> None:
    """Full screen: the screen's whole geometry is set first, so with no window manager to
    honour the full-screen request (a bare X server) the window still covers the screen."""
    screen = win.screen() or QApplication.primaryScreen()
    if screen is not None:
        win.setGeometry(screen.geometry())
    win.showFullScreen()
