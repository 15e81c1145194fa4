"""Naming a microphone problem for what it is: no sound server, no input device, the configured
device gone, the device busy, a sample rate it refuses (only when that is what PortAudio said).

PortAudio lists devices once, when it starts: a microphone unplugged, or a sound server that
died or came back, is seen only after ``rescan()``. A rescan restarts PortAudio, so it runs only
while no stream of ours is open (``stream_opened``/``stream_closed`` count them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

NO_SERVER = "O serviço de som do computador não está funcionando."
NO_INPUT = "Nenhum microfone conectado."
STOPPED = "O microfone parou de responder (desconectado?)."
BUSY = "O microfone está em uso por outro programa."
SERVER_DEVICES = ("", "pulse", "pipewire", "default", "sysdefault")  # reach the sound server

# PortAudio error codes (portaudio.h)
PA_INVALID_SAMPLE_RATE = -9997
PA_INVALID_DEVICE = -9996
PA_DEVICE_UNAVAILABLE = -9985

_lock = threading.RLock()
_open_streams = 0


def gone(name: str) -> str:
    return f"Microfone “{name}” não encontrado (desconectado?)."


def bad_rate(rate: int) -> str:
    return f"O microfone não aceita a taxa de {rate} Hz. Ajuste nas configurações."


def stream_opened() -> None:
    global _open_streams
    with _lock:
        _open_streams += 1


def stream_closed() -> None:
    global _open_streams
    with _lock:
        _open_streams = max(0, _open_streams - 1)


def rescan() -> bool:
    """Restart PortAudio to see the devices as they are now; False (nothing done) while one of
    our streams is open."""
    import sounddevice as sd

    with _lock:
        if _open_streams:
            return False
        sd._terminate()
        sd._initialize()
        return True


def pulse_socket() -> Path | None:
    server = os.environ.get("PULSE_SERVER", "")
    if server:
        path = server.removeprefix("unix:")
        return Path(path) if path.startswith("/") else None  # a TCP server: not checked
    runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    return Path(runtime) / "pulse" / "native"  # PulseAudio's, and PipeWire's pulse server


def server_down(device: str) -> bool:
    """True when this kiosk uses a sound server (PulseAudio/PipeWire) and it does not answer.
    A machine that never ran one (plain ALSA) has no server to be down."""
    path = pulse_socket()
    if path is None:
        return False
    used = device in ("pulse", "pipewire") or path.parent.is_dir() or "PULSE_SERVER" in os.environ
    if not used:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect(str(path))
        except OSError:
            return True
    return False


def server_inputs() -> list[str] | None:
    """The sound server's capture sources, monitors of outputs left out; None when it cannot be
    asked (no ``pactl``): then PortAudio's list is all there is."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        out = subprocess.run([pactl, "list", "short", "sources"], capture_output=True,
                             text=True, timeout=2, check=True).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    names = [line.split("\t")[1] for line in out.splitlines() if line.count("\t") >= 1]
    return [n for n in names if not n.endswith(".monitor")]


def diagnose(device: str | int | None) -> str:
    """'' if the microphone should work, else why not (pt-BR). Rescans when it can."""
    import sounddevice as sd

    name = "" if device is None else str(device)
    if name in SERVER_DEVICES and server_down(name):
        return NO_SERVER
    rescan()
    try:
        inputs = [d["name"] for d in sd.query_devices() if d["max_input_channels"] > 0]
    except sd.PortAudioError:
        inputs = []
    if name in SERVER_DEVICES:
        if not inputs:
            return NO_INPUT
        sources = server_inputs() if any(i in ("pulse", "pipewire") for i in inputs) else None
        if sources is not None and not sources:
            return NO_INPUT  # the server runs, but no microphone is plugged into it
        return ""
    try:
        sd.query_devices(device, "input")
    except (ValueError, sd.PortAudioError):
        return gone(name) if inputs else NO_INPUT
    return ""


def open_error(exc: Exception, rate: int) -> str:
    """What a failed open means when the device itself is there: PortAudio's error code."""
    code = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
    if code == PA_INVALID_SAMPLE_RATE:
        return bad_rate(rate)
    if code == PA_DEVICE_UNAVAILABLE or "busy" in str(exc).lower():
        return BUSY
    return f"O microfone não pôde ser aberto ({exc})."
