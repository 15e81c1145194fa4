"""docs/SECURITY.md, "The Speech API against slow and flooding clients" (large bodies at
once, trickled bodies), replayed on the real app (real uvicorn on 127.0.0.1 with the
production protocol and limits, the Lambda handler in-process, the real model)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import subprocess
import sys

import httpx
import pytest
from trust_helpers import ROOT, LiveServer

from app.api import ApiSettings, create_app
from app.api.lambda_handler import make_handler
from app.core.errors import PhraseError
from app.core.phrase import parse_expected
from tests.aws_events import function_url_event

PHRASE = "ENTRADA 13 40"


@pytest.fixture(scope="module")
def clip_b64(make_clip) -> str:
    return base64.b64encode(make_clip("Entrada, treze e quarenta.").read_bytes()).decode()


@pytest.fixture(scope="module")
def live(verifier):
    with LiveServer(create_app(verifier, ApiSettings())) as server:
        yield server


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


@pytest.mark.parametrize("phrase", ["ENTRADA ١٣ ٤٠", "ENTRADA １３ ４０", "ENTRADA 1٣ 40"])
def test_only_ascii_digits_in_expected_speech(live, clip_b64, phrase):
    with pytest.raises(PhraseError, match="0-9"):
        parse_expected(phrase)
    r = httpx.post(live.url + "/", json={"expected_speech": phrase, "audio": clip_b64}, timeout=60)
    assert r.status_code == 422 and "0-9" in r.json()["error"]
    ok = httpx.post(live.url + "/", json={"expected_speech": PHRASE, "audio": clip_b64}, timeout=60)
    assert ok.status_code == 200 and ok.json()["validated"] is True


def test_head_and_405_are_json(live):
    get = httpx.get(live.url + "/")
    assert get.status_code == 405 and get.headers["allow"] == "POST"
    assert "não é permitido" in get.json()["error"] and "POST /" in get.json()["error"]
    head = httpx.head(live.url + "/")
    assert head.status_code == 405 and head.headers["content-type"] == "application/json"
    assert int(head.headers["content-length"]) > 0 and head.content == b""  # HEAD: no body
    assert httpx.head(live.url + "/health").status_code == 200


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000,  # a head that never ends
    ],
    ids=["request-line", "header-line", "oversized-head"],
)
def test_uvicorn_level_400_is_json(live, request_bytes):
    answer = _raw(live.port, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"content-type: application/json" in head
    assert "requisição HTTP/1.1 inválida" in json.loads(body)["error"]


def test_health_shows_no_path(live, verifier):
    assert verifier.options.model_path  # the tests point the model at the user's cache
    r = httpx.get(live.url + "/health")
    assert r.status_code == 200
    assert verifier.options.model_path not in r.text and "/" not in r.json()["model"]


def test_422_without_library_error_numbers(live):
    garbage = base64.b64encode(b"this is not audio at all " * 40).decode()
    r = httpx.post(live.url + "/", json={"expected_speech": PHRASE, "audio": garbage})
    assert r.status_code == 422
    message = r.json()["error"]
    assert "decodificar o áudio" in message and "Errno" not in message and "<none>" not in message


def test_bearer_with_a_tab_gets_the_right_message(verifier):
    app = create_app(verifier, ApiSettings(auth_token="tok-123"))
    with LiveServer(app) as server:
        r = httpx.post(server.url + "/", headers={"Authorization": "Bearer\ttok-123"}, json={})
        assert r.status_code == 401 and "com um espaço" in r.json()["error"]
        r = httpx.post(server.url + "/", headers={"Authorization": "Basic dXNlcg=="}, json={})
        assert r.status_code == 401 and "'Basic'" in r.json()["error"]
        r = httpx.post(server.url + "/", json={})
        assert r.status_code == 401 and "faltam as credenciais" in r.json()["error"]
        r = httpx.post(server.url + "/", headers={"Authorization": "Bearer tok-123"}, json={})
        assert r.status_code == 422  # authenticated: on to the body


def test_per_token_rate_limit(verifier):
    settings = ApiSettings(auth_token="kiosk-a, kiosk-b", rate_limit_per_minute=8)
    with LiveServer(create_app(verifier, settings)) as server:

        def post(token: str) -> httpx.Response:
            return httpx.post(server.url + "/", headers={"Authorization": f"Bearer {token}"})

        codes = [post("kiosk-a").status_code for _ in range(3)]
        assert codes[:2] == [400, 400] and codes[2] == 429  # burst of 8/4 = 2, then limited
        limited = post("kiosk-a")
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 8
        assert "requisições demais" in limited.json()["error"]
        assert post("kiosk-b").status_code == 400  # the other token has its own budget
        assert post("stolen").status_code == 401


def test_lambda_bad_base64_says_so(verifier):
    handler = make_handler(verifier, ApiSettings())
    direct = handler({"body": "%%% not base64", "isBase64Encoded": True})
    assert direct["status"] == 400 and "não é um base64 válido" in direct["error"]
    event = function_url_event("x", headers={"authorization": "Bearer t"}, iam=True)
    event.update(body="%%% not base64", isBase64Encoded=True)
    r = handler(event)
    assert r["statusCode"] == 400 and "não é um base64 válido" in json.loads(r["body"])["error"]


def test_public_function_url_requires_auth(verifier, clip_b64):
    body = json.dumps({"expected_speech": PHRASE, "audio": clip_b64})
    open_handler = make_handler(verifier, ApiSettings())
    r = open_handler(function_url_event(body))
    error = json.loads(r["body"])["error"]
    assert r["statusCode"] == 401 and "não está configurada" in error and "AWS_IAM" in error
    assert open_handler(function_url_event(None, method="GET", path="/health"))["statusCode"] == 200
    r = open_handler(function_url_event(body, iam=True))  # AWS checked the signature
    assert r["statusCode"] == 200 and json.loads(r["body"])["validated"] is True
    with_token = make_handler(verifier, ApiSettings(auth_token="lambda-token"))
    assert with_token(function_url_event(body))["statusCode"] == 401
    r = with_token(function_url_event(body, headers={"authorization": "Bearer lambda-token"}))
    assert r["statusCode"] == 200


def test_serve_refuses_a_public_address_without_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTOVOZ_API_")}
    env.update(PYTHONPATH=str(ROOT), PONTOVOZ_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--host", "0.0.0.0", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "sem token" in done.stderr and "--auth-token-file" in done.stderr


def test_iam_signed_url_is_rate_limited_per_caller(verifier):
    handler = make_handler(verifier, ApiSettings(rate_limit_per_minute=8))
    codes = [handler(function_url_event("{}", iam=True))["statusCode"] for _ in range(3)]
    assert codes == [422, 422, 429]  # 422: authorised, then the empty body is refused


def test_trickled_body_is_cut_after_the_grace_period(verifier):
    """A client that sends its headers, then its body at 20 bytes/s, must not hold an
    admission slot for the whole 30 s body timeout."""
    import time

    server = LiveServer(create_app(verifier, ApiSettings()))
    with server, socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        start = time.monotonic()
        s.setblocking(False)
        reply = b""
        while time.monotonic() - start < 15:
            with contextlib.suppress(OSError):
                s.send(b"a" * 10)
            try:
                chunk = s.recv(65536)
            except BlockingIOError:
                chunk = None
            if chunk == b"":
                break
            reply += chunk or b""
            time.sleep(0.5)
        spent = time.monotonic() - start
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert b"chega devagar demais" in reply and 4.5 <= spent <= 8.0
