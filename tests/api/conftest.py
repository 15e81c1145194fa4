"""Fixtures for the API tests: the real app over the session's real verifier, served by a
real uvicorn on 127.0.0.1 (a free port), and base64 of real synthetic clips."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest

from app.api import ApiSettings, create_app
from tests.live_server import LiveServer, api_server

CLIPS = {
    "ENTRADA 13 40": "Entrada, treze e quarenta.",
    "SAIDA 17 05": "Saída, dezessete e cinco.",
}


@pytest.fixture(scope="session")
def clip_bytes(make_clip) -> dict[str, bytes]:
    """Expected phrase -> WAV bytes of a synthetic voice saying it (2-4 s)."""
    return {phrase: make_clip(text).read_bytes() for phrase, text in CLIPS.items()}


@pytest.fixture(scope="session")
def clip_b64(clip_bytes) -> dict[str, str]:
    return {phrase: base64.b64encode(data).decode("ascii") for phrase, data in clip_bytes.items()}


@pytest.fixture(scope="session")
def serve(verifier) -> Callable[..., LiveServer]:
    """serve(settings=None) -> a LiveServer context for the real app on the session verifier."""

    def make(settings: ApiSettings | None = None) -> LiveServer:
        return api_server(create_app(verifier, settings or ApiSettings()))

    return make


@pytest.fixture(scope="module")
def live(serve) -> Iterator[LiveServer]:
    """One server with default settings, shared by a test module."""
    with serve() as server:
        yield server


@pytest.fixture(scope="session")
def function_url_event() -> Callable[..., dict]:
    """A Lambda function URL event (payload v2), shaped like the ones AWS delivers."""

    def make(
        body: str | bytes | None,
        method: str = "POST",
        path: str = "/",
        b64: bool = False,
        headers: dict[str, str] | None = None,
    ) -> dict:
        raw = body.encode() if isinstance(body, str) else body
        event_body = None
        if raw is not None:
            event_body = base64.b64encode(raw).decode() if b64 else raw.decode()
        domain = "b62rss5pn3ufd7w2uwnaroo5qu0ujcsb.lambda-url.sa-east-1.on.aws"
        return {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": "",
            "headers": {
                "x-amzn-tls-version": "TLSv1.3",
                "x-forwarded-proto": "https",
                "x-forwarded-port": "443",
                "x-forwarded-for": "203.0.113.7",
                "accept": "*/*",
                "host": domain,
                "user-agent": "python-requests/2.31.0",
                "content-length": str(len(raw or b"")),
                **(headers or {}),
            },
            "requestContext": {
                "accountId": "anonymous",
                "apiId": "b62rss5pn3ufd7w2uwnaroo5qu0ujcsb",
                "domainName": domain,
                "domainPrefix": "b62rss5pn3ufd7w2uwnaroo5qu0ujcsb",
                "http": {
                    "method": method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "203.0.113.7",
                    "userAgent": "python-requests/2.31.0",
                },
                "requestId": "6a0f4c8e-0b7d-4a59-9a35-3c2d9f0e1a11",
                "routeKey": "$default",
                "stage": "$default",
                "time": "25/Nov/2025:14:45:00 +0000",
                "timeEpoch": 1764081900000,
            },
            "body": event_body,
            "isBase64Encoded": b64,
        }

    return make
