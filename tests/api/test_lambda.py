"""The Lambda handler in-process, with function URL and direct-invoke events of real clips."""

from __future__ import annotations

import base64
import json
import types

import pytest

from app.api import ApiSettings
from app.api.lambda_handler import make_handler

PHRASE = "ENTRADA 13 40"
CONTEXT = types.SimpleNamespace(
    function_name="pontovoz-speech",
    aws_request_id="6a0f4c8e-0b7d-4a59-9a35-3c2d9f0e1a11",
    invoked_function_arn="arn:aws:lambda:sa-east-1:123456789012:function:pontovoz-speech",
    get_remaining_time_in_millis=lambda: 30000,
)


@pytest.fixture(scope="module")
def handler(verifier):
    # Anonymous function URL events are refused by default (tests/security/test_api_input.py);
    # these tests are about the event shapes, so they allow them.
    return make_handler(verifier, ApiSettings(allow_anonymous=True))


def seed_body(phrase: str, audio: str) -> str:
    return json.dumps({"expected_speech": phrase, "audio": audio})


def body_of(response: dict) -> dict:
    body = response["body"]
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)


@pytest.mark.parametrize("b64", [False, True], ids=["plain-body", "isBase64Encoded"])
def test_function_url_event(handler, function_url_event, clip_b64, b64):
    # AWS base64-encodes the body when the client sends no text Content-Type (the seed's case).
    event = function_url_event(seed_body(PHRASE, clip_b64[PHRASE]), b64=b64)
    response = handler(event, CONTEXT)
    assert response["statusCode"] == 200, response
    assert response["headers"]["content-type"] == "application/json"
    body = body_of(response)
    assert set(body) == {"validated", "spoken_text_in_audio"}
    assert body["validated"] is True


def test_function_url_other_phrase_and_errors(handler, function_url_event, clip_b64):
    r = handler(function_url_event(seed_body("SAIDA 17 05", clip_b64[PHRASE])), CONTEXT)
    assert r["statusCode"] == 200 and body_of(r)["validated"] is False
    r = handler(function_url_event("not json"), CONTEXT)
    assert r["statusCode"] == 400 and "não é um JSON válido" in body_of(r)["error"]
    r = handler(function_url_event(seed_body(PHRASE, "@@@")), CONTEXT)
    assert r["statusCode"] == 422 and "não é um base64 válido" in body_of(r)["error"]
    r = handler(function_url_event(None, method="GET", path="/"), CONTEXT)
    assert r["statusCode"] == 405 and "não é permitido" in body_of(r)["error"]
    r = handler(function_url_event(None, method="GET", path="/health"), CONTEXT)
    assert r["statusCode"] == 200 and body_of(r)["model_loaded"] is True
    bad = function_url_event("x", b64=True)
    bad["body"] = "%%% not base64"
    r = handler(bad, CONTEXT)
    assert r["statusCode"] == 400 and "não é um base64 válido" in body_of(r)["error"]


def test_direct_invoke_event_is_the_json_object(handler, clip_b64):
    result = handler({"expected_speech": PHRASE, "audio": clip_b64[PHRASE]}, CONTEXT)
    assert set(result) == {"validated", "spoken_text_in_audio"}
    assert result["validated"] is True
    result = handler({"expected_speech": "SAIDA 17 05", "audio": clip_b64["SAIDA 17 05"]}, CONTEXT)
    assert result["validated"] is True


@pytest.mark.parametrize(
    ("event", "status", "word"),
    [
        ({"expected_speech": PHRASE}, 422, "falta o campo 'audio'"),
        ({"expected_speech": PHRASE, "audio": "@@"}, 422, "não é um base64 válido"),
        ({"expected_speech": "ENTRADA 99 00", "audio": "AAAA"}, 422, "a hora deve estar"),
        ([1, 2, 3], 400, "objeto JSON"),
        (None, 400, "objeto JSON"),
        ("not json", 400, "não é um JSON válido"),
        ({}, 422, "falta o campo"),
    ],
)
def test_direct_invoke_errors(handler, event, status, word):
    result = handler(event, CONTEXT)
    assert result["status"] == status, result
    assert word in result["error"]


def test_console_style_event_with_body(handler, clip_b64):
    # The Lambda console's test events and hand-made proxies: {"body": "...", ...} only.
    result = handler({"body": seed_body(PHRASE, clip_b64[PHRASE])}, CONTEXT)
    assert result["validated"] is True
    raw = base64.b64encode(seed_body(PHRASE, clip_b64[PHRASE]).encode()).decode()
    result = handler({"body": raw, "isBase64Encoded": True}, CONTEXT)
    assert result["validated"] is True


def test_direct_invoke_with_auth_token_configured(verifier, function_url_event, clip_b64):
    # IAM already authorised a direct invoke; a function URL request still needs the token.
    h = make_handler(verifier, ApiSettings(auth_token="tok"))
    assert h({"expected_speech": PHRASE, "audio": clip_b64[PHRASE]}, CONTEXT)["validated"]
    r = h(function_url_event(seed_body(PHRASE, clip_b64[PHRASE])), CONTEXT)
    assert r["statusCode"] == 401
