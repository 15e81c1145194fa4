"""The seed's HTTP contract, through a real uvicorn on 127.0.0.1 with the real model."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import socket
import textwrap
import time
import wave

import httpx
import numpy as np
import pytest

from app.api import ApiSettings
from app.api.settings import LAMBDA_PAYLOAD_LIMIT

PHRASE = "ENTRADA 13 40"
TIMEOUT = httpx.Timeout(60.0)


def post(url: str, body: bytes | str, headers: dict[str, str] | None = None) -> httpx.Response:
    data = body.encode() if isinstance(body, str) else body
    return httpx.post(url + "/", content=data, headers=headers or {}, timeout=TIMEOUT)


def seed_body(phrase: str, audio_b64: str) -> str:
    return json.dumps({"expected_speech": phrase, "audio": audio_b64})


def wav_bytes(samples: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def assert_error(r: httpx.Response, status: int, *words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body
    for word in words:
        assert word.lower() in body["error"].lower(), body["error"]


# -- the seed's happy path ----------------------------------------------------------------


def test_seed_request_without_any_header_is_validated(live, clip_b64):
    # Exactly what the seed's clients send: the JSON body and no Content-Type at all.
    r = post(live.url, seed_body(PHRASE, clip_b64[PHRASE]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"validated", "spoken_text_in_audio"}
    assert body["validated"] is True
    assert isinstance(body["spoken_text_in_audio"], str) and body["spoken_text_in_audio"]
    assert r.headers["content-type"] == "application/json"
    assert "core;dur=" in r.headers["server-timing"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-www-form-urlencoded", "text/plain"]
)
def test_any_content_type_is_read_as_json(live, clip_b64, content_type):
    # curl -d sends form-urlencoded; the Lambda function URL never looked at the header.
    r = post(live.url, seed_body(PHRASE, clip_b64[PHRASE]), {"content-type": content_type})
    assert r.status_code == 200, r.text
    assert r.json()["validated"] is True


def test_other_phrase_is_answered_not_validated(live, clip_b64):
    r = post(live.url, seed_body("SAIDA 13 40", clip_b64[PHRASE]))
    assert r.status_code == 200, r.text
    assert r.json()["validated"] is False


def test_wrapped_and_data_url_base64_are_accepted(live, clip_bytes):
    b64 = base64.b64encode(clip_bytes[PHRASE]).decode()
    wrapped = "\n".join(textwrap.wrap(b64, 76))  # what `base64 clip.wav` prints
    r = post(live.url, seed_body(PHRASE, wrapped))
    assert r.status_code == 200 and r.json()["validated"] is True, r.text
    r = post(live.url, seed_body(PHRASE, "data:audio/wav;base64," + b64))
    assert r.status_code == 200 and r.json()["validated"] is True, r.text


def test_silence_is_not_validated_not_an_error(live):
    r = post(live.url, seed_body(PHRASE, base64.b64encode(wav_bytes(np.zeros(32000))).decode()))
    assert r.status_code == 200, r.text
    assert r.json()["validated"] is False


def test_health_and_openapi(live):
    r = httpx.get(live.url + "/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["model_loaded"] is True
    assert h["cpu_threads"] >= 1 and h["num_workers"] >= 1 and h["version"]
    spec = httpx.get(live.url + "/openapi.json").json()
    body = spec["paths"]["/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["expected_speech", "audio"]
    assert body["additionalProperties"] is False


# -- bad input: 4xx JSON {"error"} that says what to fix --------------------------------


def _bad_bodies(good_audio: str) -> list[tuple[str, bytes | str, int, tuple[str, ...]]]:
    text_b64 = base64.b64encode(b"this is not audio at all, just text " * 20).decode()
    return [
        ("not json", "expected_speech=ENTRADA 13 40", 400, ("não é um json válido",)),
        ("empty body", "", 400, ("está vazio",)),
        ("binary body", b"\xff\xfe\x00garbage", 400, ("não é um json válido",)),
        ("json array", "[1, 2]", 400, ("objeto json",)),
        ("json string", '"ENTRADA 13 40"', 400, ("objeto json",)),
        ("deep nesting", "[" * 100_000 + "]" * 100_000, 400, ("não é um json válido",)),
        ("missing audio", json.dumps({"expected_speech": PHRASE}), 422, ("falta o campo", "audio")),
        (
            "missing expected",
            json.dumps({"audio": good_audio}),
            422,
            ("falta o campo", "expected_speech"),
        ),
        (
            "extra field",
            json.dumps({"expected_speech": PHRASE, "audio": good_audio, "user": 1}),
            422,
            ("campo inesperado 'user'",),
        ),
        (
            "expected is a number",
            json.dumps({"expected_speech": 1340, "audio": good_audio}),
            422,
            ("expected_speech", "deve ser um texto"),
        ),
        (
            "audio is null",
            json.dumps({"expected_speech": PHRASE, "audio": None}),
            422,
            ("audio", "deve ser um texto", "base64"),
        ),
        (
            "audio is a list",
            json.dumps({"expected_speech": PHRASE, "audio": [1, 2]}),
            422,
            ("audio", "deve ser um texto"),
        ),
        (
            "empty expected",
            json.dumps({"expected_speech": "", "audio": good_audio}),
            422,
            ("expected_speech", "não pode estar vazio"),
        ),
        (
            "empty audio",
            json.dumps({"expected_speech": PHRASE, "audio": ""}),
            422,
            ("audio", "não pode estar vazio"),
        ),
        (
            "invalid base64",
            json.dumps({"expected_speech": PHRASE, "audio": "%%%not*base64%%%"}),
            422,
            ("não é um base64 válido",),
        ),
        (
            "base64 of text",
            json.dumps({"expected_speech": PHRASE, "audio": text_b64}),
            422,
            ("não foi possível decodificar o áudio",),
        ),
        (
            "unknown type",
            json.dumps({"expected_speech": "ALMOCO 13 40", "audio": good_audio}),
            422,
            ("tipo de marcação desconhecido", "ALMOCO"),
        ),
        (
            "hour 25",
            json.dumps({"expected_speech": "ENTRADA 25 40", "audio": good_audio}),
            422,
            ("a hora deve estar entre 0 e 23",),
        ),
        (
            "minute 60",
            json.dumps({"expected_speech": "ENTRADA 13 60", "audio": good_audio}),
            422,
            ("o minuto deve estar entre 0 e 59",),
        ),
        (
            "no spaces",
            json.dumps({"expected_speech": "ENTRADA1340", "audio": good_audio}),
            422,
            ("TIPO HORA MINUTO",),
        ),
        (
            "words for numbers",
            json.dumps({"expected_speech": "ENTRADA treze quarenta", "audio": good_audio}),
            422,
            ("TIPO HORA MINUTO",),
        ),
    ]


def test_every_bad_body_gets_a_4xx_json_error(live, clip_b64):
    for name, body, status, words in _bad_bodies(clip_b64[PHRASE]):
        start = time.monotonic()
        r = post(live.url, body)
        assert time.monotonic() - start < 10, name
        try:
            assert_error(r, status, *words)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_undecodable_audio_gets_a_portuguese_422(live):
    # What an API client reads most often after a wrong upload: pt-BR, the field names of the
    # contract kept, no library noise.
    text = base64.b64encode("isto não é áudio, só texto ".encode() * 40).decode()
    r = post(live.url, seed_body(PHRASE, text))
    assert_error(r, 422)
    message = r.json()["error"]
    assert message.startswith(
        "não foi possível decodificar o áudio (não é um arquivo de áudio suportado)"
    ), message
    assert "could not" not in message and "Errno" not in message


def test_body_over_the_lambda_limit_is_413(live):
    body = seed_body(PHRASE, "A" * LAMBDA_PAYLOAD_LIMIT)
    assert len(body) > LAMBDA_PAYLOAD_LIMIT
    assert_error(post(live.url, body), 413, "o limite é 6291456 bytes")


def test_body_over_the_limit_without_content_length_is_413(live):
    def chunks():
        for _ in range(7):
            yield b"A" * (1024 * 1024)

    r = httpx.post(live.url + "/", content=chunks(), timeout=TIMEOUT)  # chunked encoding
    assert_error(r, 413, "o limite é")


def test_audio_over_the_duration_limit_is_422(live, clip_bytes):
    from app.lab import corpus

    with wave.open(io.BytesIO(clip_bytes[PHRASE])) as w:
        speech = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    long = corpus.pad(speech, 0.0, 36.0)  # ~38 s, about 1.2 MB: under the size limit
    data = wav_bytes(long)
    assert len(data) < LAMBDA_PAYLOAD_LIMIT
    r = post(live.url, seed_body(PHRASE, base64.b64encode(data).decode()))
    assert_error(r, 422, "o limite é 30 s")


@pytest.mark.parametrize(
    ("method", "path", "status", "word"),
    [
        ("GET", "/", 405, "o método GET não é permitido em /"),
        ("PUT", "/", 405, "o método PUT não é permitido em /"),
        ("DELETE", "/", 405, "o método DELETE não é permitido em /"),
        ("POST", "/validate", 404, "caminho inexistente: POST /validate"),
    ],
)
def test_wrong_method_or_path(live, method, path, status, word):
    r = httpx.request(method, live.url + path, content=b"{}", timeout=TIMEOUT)
    assert_error(r, status, word, "envie POST /")


def test_stalled_body_gets_408_not_a_hang(serve):
    with serve(ApiSettings(body_timeout_seconds=0.5)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
                + b'{"expected_speech": '
            )
            start = time.monotonic()
            reply = ""
            while chunk := s.recv(65536):  # the server closes after the 408
                reply += chunk.decode("latin-1")
        assert reply.startswith("HTTP/1.1 408"), reply
        assert '"error"' in reply and time.monotonic() - start < 5


# -- auth and overload ---------------------------------------------------------------------


def test_bearer_token_when_configured(serve, clip_b64):
    body = seed_body(PHRASE, clip_b64[PHRASE])
    with serve(ApiSettings(auth_token="s3cret-token")) as server:
        assert_error(post(server.url, body), 401, "faltam as credenciais", "Bearer")
        r = post(server.url, body, {"authorization": "Bearer wrong"})
        assert_error(r, 401, "não é válido")
        assert r.headers["www-authenticate"] == "Bearer"
        r = post(server.url, body, {"authorization": "Bearer s3cret-token"})
        assert r.status_code == 200 and r.json()["validated"] is True
        assert httpx.get(server.url + "/health").status_code == 200


async def _burst(url: str, body: str, n: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        return await asyncio.gather(*(client.post(url + "/", content=body) for _ in range(n)))


def test_full_queue_gets_503_with_retry_after(serve, clip_b64):
    body = seed_body(PHRASE, clip_b64[PHRASE])
    with serve(ApiSettings(concurrency=1, max_queue=1)) as server:
        responses = asyncio.run(_burst(server.url, body, 6))
        codes = sorted(r.status_code for r in responses)
        assert codes.count(200) >= 1 and codes.count(503) >= 1, codes
        assert set(codes) <= {200, 503}
        for r in responses:
            if r.status_code == 503:
                assert_error(r, 503, "ocupado")
                assert int(r.headers["retry-after"]) >= 1
        # the server recovers once the burst is over
        assert post(server.url, body).status_code == 200


def test_wait_longer_than_max_wait_gets_503(serve, clip_b64):
    body = seed_body(PHRASE, clip_b64[PHRASE])
    with serve(ApiSettings(concurrency=1, max_queue=8, max_wait_seconds=0.01)) as server:
        responses = asyncio.run(_burst(server.url, body, 4))
        codes = sorted(r.status_code for r in responses)
        assert codes.count(200) >= 1 and codes.count(503) >= 1, codes
        waited = [r for r in responses if r.status_code == 503]
        assert all("esperou" in r.json()["error"] for r in waited)
