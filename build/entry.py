"""The frozen entry point of the PyInstaller bundle (kiosk.spec): ``PontoVoz [args]``.

    PontoVoz                 the kiosk, full screen (app.cli's default command)
    PontoVoz --self-test     offline health check, JSON on stdout, exit 0 when all passed
    PontoVoz --version       the version
    PontoVoz <command> ...   any `python -m app` command (verify, punch, export, ...)

Start-up probe for IT and CI (reads only the environment; no effect when unset):
``PONTOVOZ_STARTUP_PROBE=1`` prints ``PONTOVOZ-PROBE window-shown <s>`` on stderr when the
first top-level window is exposed (<s>: seconds since the process was created), and
``PONTOVOZ-PROBE model-ready <s>`` once the model has loaded (and ``python-ready`` when this
script starts, after the bootloader and interpreter); ``PONTOVOZ_PROBE_QUIT_S=N`` then
closes the windows N seconds after the window was shown, so the kiosk shuts down cleanly.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

PROBE_ENV = "PONTOVOZ_STARTUP_PROBE"
QUIT_ENV = "PONTOVOZ_PROBE_QUIT_S"


def _use_bundled_portaudio() -> None:
    """Point sounddevice at the bundle's libportaudio.so.2 (Linux).

    sounddevice finds PortAudio with ``ctypes.util.find_library("portaudio")``, which only sees
    system libraries (ldconfig), and on Linux has no fallback to a bundled copy. Must run before
    anything imports sounddevice.
    """
    base = getattr(sys, "_MEIPASS", None)
    if base is None or not sys.platform.startswith("linux"):
        return
    bundled = os.path.join(base, "libportaudio.so.2")
    if not os.path.isfile(bundled):
        return
    import ctypes.util

    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        return bundled if name == "portaudio" else original(name)

    ctypes.util.find_library = find_library


def _process_age() -> float:
    """Seconds since this process was created (the bootloader's start, when frozen)."""
    try:  # Linux: both counted from boot, to the clock tick (psutil rounds boot time to 1 s)
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import psutil

        return time.time() - psutil.Process().create_time()
    except Exception:
        return time.perf_counter()


def _install_probe() -> None:
    """Create the QApplication early with an event filter that reports the first window."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    quit_after = float(os.environ.get(QUIT_ENV, "0") or 0)

    def say(event: str) -> None:
        print(f"PONTOVOZ-PROBE {event} {_process_age():.3f}", file=sys.stderr, flush=True)

    class Probe(QObject):
        shown = False

        def eventFilter(self, obj, event):
            if (
                not self.shown
                and event.type() == QEvent.Type.Expose
                and getattr(obj, "isTopLevel", lambda: False)()
            ):
                self.shown = True
                say("window-shown")
                QTimer.singleShot(0, self.watch_model)
                if quit_after > 0:
                    QTimer.singleShot(int(quit_after * 1000), QApplication.closeAllWindows)
            return False

        def watch_model(self) -> None:
            for w in QApplication.topLevelWidgets():
                state = w.property("model_state")  # app.kiosk.app.Kiosk publishes it
                if state in ("ready", "failed"):
                    say(f"model-{state}")
                    return
            QTimer.singleShot(50, self.watch_model)

    probe = Probe(app)
    app.installEventFilter(probe)
    app._pontovoz_probe = probe  # keep it alive


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _use_bundled_portaudio()
    if argv and argv[0] == "--self-test":
        from app.kiosk import selftest

        return selftest.main()
    if argv and argv[0] == "--version":
        from app import __version__

        print(f"PontoVoz {__version__}")
        return 0
    if os.environ.get(PROBE_ENV):
        print(f"PONTOVOZ-PROBE python-ready {_process_age():.3f}", file=sys.stderr, flush=True)
        _install_probe()
    from app.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
