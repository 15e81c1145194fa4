"""`python -m app kiosk [--windowed]`: start the time clock (the default command)."""

from __future__ import annotations

import argparse
import sys
import time


def register(subparsers) -> None:
    p = subparsers.add_parser("kiosk", help="abre o quiosque (tela cheia; o padrão)")
    p.add_argument("--windowed", action="store_true", help="janela normal (desenvolvimento)")
    p.add_argument("--size", default="1280x800", help="tamanho da janela com --windowed")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    from app.kiosk.window import KioskWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PontoVoz")
    win = KioskWindow()
    win.metrics["created"] = started
    if args.windowed:
        w, h = (int(x) for x in args.size.lower().split("x"))
        win.resize(w, h)
        win.show()
    else:
        win.showFullScreen()
    win.start()
    return app.exec()
