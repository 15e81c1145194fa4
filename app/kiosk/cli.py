"""`python -m app kiosk [--windowed]`: start the time clock (the default command)."""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("kiosk", help="abre o quiosque (tela cheia; o padrão)")
    p.add_argument("--windowed", action="store_true", help="janela normal (desenvolvimento)")
    p.add_argument(
        "--size",
        default="",
        help="tamanho da janela com --windowed, ex.: 1280x800 (padrão: o que cabe na tela)",
    )
    p.set_defaults(func=run)


def start_model():
    """The model's load, started before anything else is imported: it is most of the wait
    before the first punch, and it runs on its own thread (``Engine``) while the window is
    built. Unreadable settings: nothing started here; the window says why."""
    from app.core.errors import ConfigError
    from app.kiosk.engine import Engine
    from app.kiosk.settings import SettingsStore

    engine = Engine()
    try:
        options = SettingsStore().load().engine_options()
    except (ConfigError, OSError):
        return engine
    if engine.build(options):
        engine.load()
    return engine


def run(args: argparse.Namespace) -> int:
    from app.kiosk.geometry import parse_size

    try:
        size = parse_size(args.size)
    except ValueError:
        print(f"erro: tamanho inválido {args.size!r} (use LARGURAxALTURA, ex.: 1280x800)",
              file=sys.stderr)  # fmt: skip
        return 2
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PontoVoz")
    engine = start_model()  # loads while the window's modules are imported and built

    from app.kiosk.app import Kiosk
    from app.kiosk.geometry import show_full_screen, show_windowed

    kiosk = Kiosk(engine=engine)
    if args.windowed:
        show_windowed(kiosk.window, size)
    else:
        show_full_screen(kiosk.window)
    kiosk.start()
    return app.exec()
