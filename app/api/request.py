"""Reading the request body: bounded in size and time, JSON whatever the Content-Type
(the seed's clients send no header), then strict validation and base64 decoding."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.api.errors import USAGE, BadRequest, InvalidField, PayloadTooLarge, RequestTimeout
from app.api.schemas import ValidateRequest, describe
from app.core.errors import br_number
from app.http_body import BadLength, BodyTiming, TooLarge, TooSlow, declared_length, read_bounded

#: Bodies above this are parsed off the event loop (JSON + base64 of MBs takes milliseconds).
_OFFLOAD_BYTES = 256 * 1024
_URLSAFE = str.maketrans("-_", "+/")
T = TypeVar("T")


def declared_size(request: Request, limit: int) -> int | None:
    """The Content-Length, checked against the limit before any byte of the body is read
    (None: chunked, admitted at the limit and counted while read)."""
    try:
        return declared_length(request.headers.get("content-length"), limit)
    except BadLength:
        raise BadRequest("o cabeçalho Content-Length não é um número") from None
    except TooLarge as exc:
        raise _payload_too_large(exc) from None


#: A body may start slowly, but after this many seconds it must average ``min_rate`` bytes/s.
BODY_GRACE_SECONDS = 5.0


async def read_body(request: Request, limit: int, timeout: float, min_rate: float = 0.0) -> bytes:
    """The whole body, or 413 past ``limit`` bytes, or 408 when it takes longer than
    ``timeout`` or, after a grace period, arrives slower than ``min_rate`` bytes/s on average
    (a client trickling its body must not hold an admission slot for the whole timeout)."""
    declared_size(request, limit)
    timing = BodyTiming(timeout, min_rate, BODY_GRACE_SECONDS)
    try:
        return await read_bounded(request.stream(), limit, timing)
    except TooLarge as exc:
        raise _payload_too_large(exc) from None
    except TooSlow as exc:
        if exc.by_rate:
            raise RequestTimeout(
                f"o corpo da requisição chega devagar demais ({exc.received} bytes em "
                f"{exc.waited:.0f} s; é preciso pelo menos {br_number(min_rate / 1024)} KiB/s)"
            ) from None
        raise RequestTimeout(
            f"o corpo da requisição não chegou em {br_number(timeout)} s"
        ) from None


def _payload_too_large(exc: TooLarge) -> PayloadTooLarge:
    return PayloadTooLarge(_too_large(exc.size, exc.limit), {"Connection": "close"})


def _too_large(size: int, limit: int) -> str:
    return (
        f"o corpo da requisição tem {size} bytes; o limite é {limit} bytes "
        f"({br_number(limit / 1_000_000, '.1f')} MB). Envie um trecho mais curto ou comprimido "
        "(2 a 4 s bastam)"
    )


def parse_request(body: bytes) -> ValidateRequest:
    """Body bytes -> a validated request, or BadRequest/InvalidField saying what to fix."""
    if not body.strip():
        raise BadRequest(f"o corpo da requisição está vazio; {USAGE}")
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError, bad UTF-8, absurd nesting/ints
        raise BadRequest(f"o corpo da requisição não é um JSON válido; {USAGE}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"o corpo da requisição deve ser um objeto JSON; {USAGE}")
    try:
        return ValidateRequest.model_validate(data)
    except ValidationError as exc:
        raise InvalidField(describe(exc)) from None


def decode_audio_base64(text: str) -> bytes:
    """Standard or URL-safe base64, line breaks and a ``data:...;base64,`` prefix tolerated."""
    s = text.strip()
    if s.startswith("data:") and "," in s[:256]:
        head, _, s = s.partition(",")
        if not head.endswith(";base64"):
            raise InvalidField("'audio' é uma data URL sem ';base64'; envie o base64 do arquivo")
    s = "".join(s.split())
    if "-" in s or "_" in s:
        s = s.translate(_URLSAFE)
    if len(s) % 4:
        s += "=" * (-len(s) % 4)
    try:
        data = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidField(
            "'audio' não é um base64 válido; codifique em base64 os bytes do arquivo de áudio "
            "(A-Z, a-z, 0-9, '+', '/' e '=' de preenchimento)"
        ) from None
    if not data:
        raise InvalidField("'audio' decodifica para 0 bytes; envie o base64 de um arquivo de áudio")
    return data


async def read_validate_request(
    request: Request,
    limit: int,
    timeout: float,
    check_phrase: Callable[[str], T],
    min_rate: float = 0.0,
) -> tuple[T, bytes]:
    """Read, parse and validate the body; returns (checked phrase, audio bytes)."""
    body = await read_body(request, limit, timeout, min_rate)
    if len(body) > _OFFLOAD_BYTES:
        return await run_in_threadpool(_parse_and_decode, body, check_phrase)
    return _parse_and_decode(body, check_phrase)


def _parse_and_decode(body: bytes, check_phrase: Callable[[str], T]) -> tuple[T, bytes]:
    req = parse_request(body)
    phrase = check_phrase(req.expected_speech)  # PhraseError before any audio work
    return phrase, decode_audio_base64(req.audio)
