"""The Lambda adapter (docs/SECURITY.md, its "Lambda" row): with several tokens configured, a
direct invoke got 401 (the whole comma-separated list was sent as one token), and events with
``headers: null``, a list or ``cookies: 5`` raised. Replayed on the real adapter (Mangum over the
real Speech API app).

The verifier is the real class, not loaded: every request here is decided (401, 400, a refused
body) before any audio is heard, which is the point; the model's answers are tests/api's."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from app.api import ApiSettings
from app.api.lambda_handler import LambdaAdapter
from app.core.verifier import Verifier
from tests.aws_events import function_url_event

TOKENS = "token-um,token-dois , token-tres"


@pytest.fixture(scope="module")
def adapter() -> LambdaAdapter:
    return LambdaAdapter(Verifier(), ApiSettings(auth_token=TOKENS))


def url_event(body: str | None = "{}", token: str | None = None) -> dict:
    """A function URL / API Gateway v2 event, as AWS sends it, with ``token`` as its bearer."""
    headers = {"authorization": f"Bearer {token}"} if token else None
    return function_url_event(body, headers=headers)


def v1_event(body: str | None = "{}", token: str | None = None) -> dict:
    """An API Gateway REST (payload v1) proxy event."""
    headers = {"Host": "api.example", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return {
        "resource": "/", "path": "/", "httpMethod": "POST", "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None,
        "requestContext": {"resourcePath": "/", "httpMethod": "POST", "path": "/prod/",
                           "stage": "prod", "requestId": "r2",
                           "identity": {"sourceIp": "203.0.113.7"}},
        "body": body, "isBase64Encoded": False,
    }  # fmt: skip


def status_and_error(response: dict) -> tuple[int, str]:
    body = response["body"]
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return int(response["statusCode"]), json.loads(body).get("error", "")


@pytest.mark.parametrize("token", ["token-um", "token-dois", "token-tres"])
@pytest.mark.parametrize("make", [url_event, v1_event], ids=["v2", "v1"])
def test_every_configured_token_works_on_both_event_kinds(adapter, make, token):
    status, error = status_and_error(adapter(make("{}", token)))
    assert status == 422 and "expected_speech" in error  # past the token, on to the body
    status, _ = status_and_error(adapter(make("{}", "token-quatro")))
    assert status == 401
    status, _ = status_and_error(adapter(make("{}", TOKENS)))  # the whole list is no token
    assert status == 401


def test_direct_invoke_with_several_tokens_is_authorised(adapter):
    result = adapter({"expected_speech": "ENTRADA 13 40"})  # IAM already allowed the call
    assert result["status"] == 422 and "audio" in result["error"]  # was: 401


def _odd_events() -> dict[str, object]:
    base = url_event("{}", "token-um")
    odd: dict[str, object] = {"list": [1, 2], "string": "oi", "number": 5, "null": None}
    for key, value in [("headers", None), ("headers", []), ("headers", {"a": 5}),
                       ("cookies", 5), ("cookies", [1]), ("body", {"a": 1}), ("body", 5),
                       ("isBase64Encoded", "sim"), ("requestContext", None),
                       ("requestContext", {"http": 5}), ("rawPath", 7),
                       ("queryStringParameters", "a=1"),
                       ("multiValueHeaders", {"a": "b"})]:  # fmt: skip
        event = copy.deepcopy(base)
        event[key] = value
        odd[f"{key}={value!r}"] = event
    no_body = copy.deepcopy(base)
    del no_body["body"]
    odd["no body"] = no_body
    odd["bad base64"] = {**url_event("{}", "token-um"), "body": "@@@", "isBase64Encoded": True}
    v1 = v1_event("{}", "token-um")
    odd["v1 headers null"] = {**v1, "headers": None, "multiValueHeaders": None}
    return odd


@pytest.mark.parametrize("name", list(_odd_events()))
def test_odd_events_get_a_json_400_never_an_exception(adapter, name):
    event = _odd_events()[name]
    response = adapter(event)  # must not raise
    if "statusCode" in response:  # an HTTP event: an HTTP answer
        status, error = status_and_error(response)
    else:  # a direct invoke: the result object itself
        status, error = response["status"], response["error"]
    if name in NO_HEADERS:  # read as an event without headers: no token, a JSON 401
        assert status == 401, (status, error)
    else:
        assert 400 <= status < 500 and status != 401, (status, error)
    assert error and not error.startswith("Traceback")


NO_HEADERS = {"headers=None", "v1 headers null"}
