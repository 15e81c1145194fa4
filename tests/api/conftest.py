"""Fixtures for the API tests: the real app over the session's real verifier, served by a
real uvicorn on 127.0.0.1 (a free port), and base64 of real synthetic clips."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest

from app.api import ApiSettings, create_app
from tests import aws_events
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
    return aws_events.function_url_event
