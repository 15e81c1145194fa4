"""Child process of test_kill_after_verdict.py: a real kiosk window (offscreen Qt, its own model,
the real ledger in $PONTOVOZ_HOME) punching ``punches`` times with a replayed clip.

Each time the result screen comes up saying "Validado" it prints ``SHOWN <n>`` at that very
moment (from the stack's ``currentChanged``, before any other event runs). On the last punch it
then dies: ``self`` sends itself SIGKILL inside that handler (nothing after the verdict runs at
all); ``parent`` keeps the event loop going and waits for the parent's SIGKILL. Earlier punches go
on to their receipt as a worker's would.

    python -m tests.kiosk.kill_child CLIP PUNCHES self|parent
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TIMEOUT = 180.0  # seconds one step may take before the child gives up


def main(clip: str, punches: int, mode: str) -> int:
    from app.kiosk.recorder import ClipSource
    from tests.kiosk.child_kiosk import start_kiosk

    kiosk = start_kiosk()
    win = kiosk.win
    shown = 0

    def on_screen(_index: int) -> None:
        nonlocal shown
        if (
            win.window.stack.currentWidget() is win.window.result
            and "Validado" in win.window.result.verdict.text()
        ):
            shown += 1
            sys.stdout.write(f"SHOWN {shown}\n")
            sys.stdout.flush()
            if shown == punches and mode == "self":
                os.kill(os.getpid(), signal.SIGKILL)

    win.window.stack.currentChanged.connect(on_screen)

    kiosk.pump(lambda: win.model_state == "ready", TIMEOUT)
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    for n in range(1, punches + 1):
        kiosk.punch_entry(ClipSource(Path(clip), rate=48000), TIMEOUT)
        if shown < n:
            sys.stdout.write(f"NOT VALIDATED {win.window.result.verdict.text()!r}\n")
            sys.stdout.flush()
            return 3
        if n < punches:  # as a worker would: the receipt comes by itself
            kiosk.pump(lambda: win.window.stack.currentWidget() is win.window.receipt, TIMEOUT)
    kiosk.pump(lambda: False, 120.0)  # "parent": the parent's SIGKILL ends this
    return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
