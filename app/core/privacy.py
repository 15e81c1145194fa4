"""No telemetry, ever: ONNX Runtime's is switched off before it can start.

ONNX Runtime (which runs faster-whisper's Silero VAD) starts its telemetry when the module is
*imported*: it writes a device id and an event database under
``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` and queues a "ProcessInfo" event there.
``onnxruntime.disable_telemetry_events()`` after the import is too late (one event is already
queued), so ``ORT_DISABLE_TELEMETRY=1`` must be in the environment *before* the import; the
call is kept as a second lock. Every path that may import onnxruntime (the VAD, the model
loader) calls ``disable_telemetry()`` first, so the kiosk, the API, Lambda, the CLI and the
frozen bundle are all covered by this one function. Measured with onnxruntime 1.32.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

ENV = "ORT_DISABLE_TELEMETRY"
log = logging.getLogger(__name__)
_lock = threading.Lock()
_done = False


def disable_telemetry() -> None:
    """Turn ONNX Runtime's telemetry off for this process (idempotent, cheap after the first)."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        if "onnxruntime" in sys.modules and os.environ.get(ENV) != "1":
            # Something imported it before us: its telemetry may already have started.
            log.warning("onnxruntime was imported before its telemetry could be switched off")
        os.environ[ENV] = "1"  # read by onnxruntime when its module is first imported
        try:
            import onnxruntime
        except ImportError:  # no VAD runtime installed: nothing to switch off
            pass
        else:
            onnxruntime.disable_telemetry_events()
        _done = True
