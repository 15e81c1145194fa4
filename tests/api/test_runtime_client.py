"""The container's entry point, run the way AWS runs it: ``python -m awslambdaric
app.api.lambda_handler.handler`` (the official runtime interface client) against a small
local implementation of the Lambda Runtime API on 127.0.0.1 (the AWS emulator binary cannot
be installed here)."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.api.runtime_api import PHRASE, RuntimeAPI, start_runtime, stop


def test_runtime_interface_client_runs_the_handler(function_url_event, clip_b64, tmp_path):
    api = RuntimeAPI()
    started = time.monotonic()
    # A public function URL needs a token (the deploy guide's setup); direct invokes do not.
    proc = start_runtime(
        api,
        PONTOVOZ_HOME=str(tmp_path / "home"),
        PONTOVOZ_CPU_THREADS="2",
        PONTOVOZ_API_AUTH_TOKEN="runtime-test-token",
    )
    try:
        body = json.dumps({"expected_speech": PHRASE, "audio": clip_b64[PHRASE]})
        auth = {"authorization": "Bearer runtime-test-token"}
        ids = {
            "url": api.invoke(function_url_event(body, b64=True, headers=auth)),
            "direct": api.invoke({"expected_speech": PHRASE, "audio": clip_b64[PHRASE]}),
            "bad": api.invoke({"expected_speech": PHRASE}),
            "health": api.invoke(function_url_event(None, method="GET", path="/health")),
        }
        done = api.wait(lambda: all(i in api.results for i in ids.values()), timeout=180)
        assert done, f"no answer from the runtime client:\n{stop(proc)}"
        assert api.first_next_at is not None
        print(f"\ncold init through awslambdaric: {api.first_next_at - started:.2f} s")

        kind, url = api.results[ids["url"]]
        assert kind == "response" and url["statusCode"] == 200, url
        assert json.loads(url["body"])["validated"] is True
        kind, direct = api.results[ids["direct"]]
        assert kind == "response" and direct["validated"] is True, direct
        kind, bad = api.results[ids["bad"]]
        assert kind == "response" and bad["status"] == 422 and "audio" in bad["error"]
        kind, health = api.results[ids["health"]]
        assert kind == "response" and json.loads(health["body"])["model_loaded"] is True
        assert api.init_error is None
        assert proc.poll() is None  # still waiting for the next invocation
    finally:
        api.close()
        stop(proc)


def test_broken_model_is_reported_as_an_init_error(tmp_path):
    api = RuntimeAPI()
    proc = start_runtime(api, PONTOVOZ_MODEL_PATH=str(tmp_path / "no-such-model"))
    try:
        assert api.wait(lambda: api.init_error is not None, timeout=120), stop(proc)
        assert "model_path" in api.init_error["errorMessage"]
        assert proc.wait(timeout=30) != 0
    finally:
        api.close()
        stop(proc)


@pytest.fixture(autouse=True)
def _model_path_is_set():
    # tests/conftest.py assembles the model once and exports PONTOVOZ_MODEL_PATH for children.
    assert os.environ.get("PONTOVOZ_MODEL_PATH")
