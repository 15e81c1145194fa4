"""A real PulseAudio server with a virtual microphone, for tests (docs/DEVELOPING.md).

The null sink 'virt' plays what paplay sends it; the microphone is ``virtmic``, a capture source
remapped from virt's monitor, so the server lists it as a microphone (a monitor of an output is
not one: ``app.kiosk.audio_health`` leaves monitors out).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

TOOLS = ("pulseaudio", "paplay", "pactl")
MIC = "virtmic"


def require_tools() -> None:
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:  # CI installs them (scripts/setup.sh): a missing one is a broken machine
        pytest.fail(
            f"PulseAudio tools missing ({', '.join(missing)}): apt-get install pulseaudio "
            "pulseaudio-utils libasound2-plugins (see docs/DEVELOPING.md)"
        )


def pactl(*args: str, check: bool = True) -> str:
    return subprocess.run(["pactl", *args], check=check, capture_output=True, text=True).stdout


def start_server() -> None:
    """Start the server in $XDG_RUNTIME_DIR (the caller sets it) with the virtual mic."""
    subprocess.run(
        ["pulseaudio", "-D", "--exit-idle-time=-1", "-n",
         "--load=module-native-protocol-unix",
         "--load=module-null-sink sink_name=virt", "--load=module-always-sink"],
        check=True, capture_output=True,
    )  # fmt: skip
    for _ in range(50):
        if subprocess.run(["pactl", "info"], capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    add_mic()


def add_mic() -> None:
    pactl("load-module", "module-remap-source", "master=virt.monitor", f"source_name={MIC}")
    pactl("set-default-source", MIC)


def remove_mic() -> None:
    """Unplug the microphone: its module goes, the server stays."""
    for line in pactl("list", "short", "modules").splitlines():
        if "module-remap-source" in line:
            pactl("unload-module", line.split()[0])


def kill_server() -> None:
    subprocess.run(["pulseaudio", "--kill"], capture_output=True)
    for _ in range(50):
        if subprocess.run(["pactl", "info"], capture_output=True).returncode != 0:
            return
        time.sleep(0.1)


def rescan_portaudio() -> None:
    import sounddevice as sd

    sd._terminate()  # PortAudio lists devices once: re-scan now that the server changed
    sd._initialize()


class Environment:
    """XDG_RUNTIME_DIR pointed at a fresh folder (and PULSE_SERVER unset) while in use."""

    def __init__(self, runtime) -> None:
        self.runtime = str(runtime)
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> Environment:
        self.saved = {k: os.environ.get(k) for k in ("XDG_RUNTIME_DIR", "PULSE_SERVER")}
        os.environ["XDG_RUNTIME_DIR"] = self.runtime
        os.environ.pop("PULSE_SERVER", None)
        return self

    def __exit__(self, *exc) -> None:
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
