"""The kiosk's shape (docs/ARCHITECTURE.md): small modules, and a window that only holds the
screens, so the wiring stays in one place (``app.kiosk.app``)."""

from __future__ import annotations

import ast
from pathlib import Path

import app.kiosk

KIOSK = Path(app.kiosk.__file__).parent
MAX_LINES = 400
# what the window may import from the kiosk: its screens and their look, nothing that acts
WINDOW_MAY_IMPORT = {
    "app.kiosk.admin",
    "app.kiosk.punch_screens",
    "app.kiosk.receipt_screens",
    "app.kiosk.screens",
    "app.kiosk.settings",
    "app.kiosk.setup_screen",
    "app.kiosk.style",
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_kiosk_module_is_over_400_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in KIOSK.glob("*.py")}
    assert len(sizes) > 20  # the package was found
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_the_window_builds_no_controller_worker_or_store():
    kiosk_imports = {m for m in imported(KIOSK / "window.py") if m.startswith("app.")}
    assert kiosk_imports and kiosk_imports <= WINDOW_MAY_IMPORT, kiosk_imports - WINDOW_MAY_IMPORT


def test_the_kiosk_builder_is_what_the_entry_point_uses():
    assert "app.kiosk.app" in imported(KIOSK / "cli.py")
    assert "app.kiosk.window" not in imported(KIOSK / "cli.py")
