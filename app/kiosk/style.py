"""The kiosk's look: large type, high contrast, finger-sized targets, scaled to the window."""

import re

STYLE = """
QWidget { background: #0f1e2e; color: #f4f7fa; font-family: 'DejaVu Sans'; font-size: 22px; }
QLabel[role="company"] { font-size: 34px; font-weight: bold; color: #9fd6ff; }
QLabel[role="clock"] { font-size: 170px; font-weight: bold; }
QLabel[role="date"] { font-size: 30px; color: #c6d4e1; }
QLabel[role="status"] { font-size: 36px; color: #ffffff; }
QLabel[role="status-wait"] { font-size: 36px; color: #f2c14e; }
QLabel[role="status-error"] { font-size: 28px; color: #ff7b72; }
QLabel[role="title"] { font-size: 38px; font-weight: bold; }
QLabel[role="subtitle"] { font-size: 28px; color: #c6d4e1; }
QLabel[role="dots"] { font-size: 44px; min-height: 60px; color: #9fd6ff; }
QLabel[role="error"] { font-size: 26px; color: #ff7b72; min-height: 34px; }
QLabel[role="ok"] { font-size: 26px; color: #3ccf7a; }
QLabel[role="warning"] { font-size: 26px; color: #f2c14e; }
QLabel[role="small"] { font-size: 20px; color: #9fb3c8; }
QLabel[role="phrase"] { font-weight: bold; color: #ffffff;
    background: #1c2f44; border-radius: 24px; padding: 20px; }
QLabel[role="verdict-ok"] { font-size: 96px; font-weight: bold; color: #3ccf7a; }
QLabel[role="verdict-bad"] { font-size: 80px; font-weight: bold; color: #ff6b5e; }
QLabel[role="heard"] { font-size: 34px; color: #e6edf3; }
QLabel[role="message"] { font-size: 30px; color: #e6edf3; }
QFrame[role="receipt"] { background: #f4f7fa; border-radius: 16px; }
QFrame[role="receipt"] QLabel { background: transparent; color: #0f1e2e; font-size: 28px; }
QFrame[role="receipt"] QLabel[role="receipt-code"] { font-family: 'DejaVu Sans Mono';
    font-size: 24px; color: #24405e; }
QLabel[role="field"] { min-height: 56px; max-height: 56px; }  /* a field's height */
QPushButton { background: #24405e; color: #ffffff; border: none; border-radius: 18px;
    font-size: 30px; padding: 14px; min-height: 64px; }
QPushButton:pressed { background: #2f5a85; }
QPushButton:disabled { background: #1a2b3d; color: #5d7387; }
QPushButton[role="key"] { font-size: 44px; font-weight: bold; }
QPushButton[role="ok"] { background: #1f8f55; font-weight: bold; }
QPushButton[role="ok"]:disabled { background: #1a3b2c; color: #5d7387; }
QPushButton[role="secondary"] { background: #3a4b5c; }
QPushButton[role="type"] { font-size: 40px; font-weight: bold; }
QPushButton[role="suggested"] { font-size: 40px; font-weight: bold; background: #1f8f55;
    border: 4px solid #9ff0c0; }
QPushButton[role="small"] { font-size: 18px; min-height: 36px; padding: 6px 14px;
    background: #1c2f44; color: #9fb3c8; }
QLineEdit, QComboBox { background: #f4f7fa; color: #0f1e2e; border-radius: 8px; padding: 8px;
    font-size: 24px; min-height: 40px; }
QLineEdit[role="badge"] { font-size: 18px; min-height: 30px; background: #1c2f44;
    color: #9fb3c8; }
QComboBox QAbstractItemView { background: #f4f7fa; color: #0f1e2e; }
QScrollBar:vertical { background: #1c2f44; width: 18px; border-radius: 9px; margin: 0; }
QScrollBar::handle:vertical { background: #5d7387; border-radius: 9px; min-height: 48px; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: none; }
QTabWidget::pane { border: 1px solid #24405e; border-radius: 8px; }
QTabBar::tab { background: #1c2f44; padding: 12px 22px; font-size: 22px; }
QTabBar::tab:selected { background: #24405e; font-weight: bold; }
QListWidget { background: #f4f7fa; color: #0f1e2e; font-size: 22px; }
QListWidget[role="receipts"] { font-size: 28px; }
QListWidget[role="receipts"]::item { padding: 10px; border-bottom: 1px solid #c6d4e1; }
QListWidget::item:selected { background: #1f5f99; color: #ffffff; }
QCheckBox { font-size: 24px; }
QCheckBox::indicator { width: 32px; height: 32px; border: 3px solid #9fd6ff; border-radius: 6px;
    background: #f4f7fa; }
QCheckBox::indicator:checked { background: #3ccf7a; border: 3px solid #ffffff; }
QCheckBox::indicator:unchecked { background: #f4f7fa; }
QPushButton[role="danger"] { background: #8f2f2a; }
QPushButton[role="kbd"] { font-size: 24px; min-height: 40px; padding: 4px; border-radius: 8px; }
QPushButton[role="kbd-wide"] { font-size: 20px; min-height: 40px; padding: 4px;
    border-radius: 8px; background: #3a4b5c; }
QPushButton[role="kbd-wide"]:checked { background: #1f8f55; font-weight: bold; }
"""

_PX = re.compile(r"(\d+)px")


def stylesheet(scale: float = 1.0) -> str:
    """STYLE with every pixel size (fonts, paddings, heights) times ``scale``."""
    return _PX.sub(lambda m: f"{max(1, round(int(m.group(1)) * scale))}px", STYLE)
