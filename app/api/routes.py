"""The routes, kept thin: read, check, hand the audio to the verifier through the gate."""

from __future__ import annotations

import logging
import time
from functools import partial
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from app import __version__
from app.api.auth import check_caller
from app.api.request import declared_size, read_validate_request
from app.api.schemas import (
    ErrorResponse,
    HealthResponse,
    QueueInfo,
    ValidateRequest,
    ValidateResponse,
)
from app.core.phrase import parse_expected

log = logging.getLogger(__name__)


def _errors(*codes: int) -> dict[int | str, dict]:
    return {code: {"model": ErrorResponse} for code in codes}


router = APIRouter()


@router.post(
    "/",
    response_model=ValidateResponse,
    summary="Check that the audio says the expected punch phrase",
    dependencies=[Depends(check_caller)],
    responses=_errors(400, 401, 404, 405, 408, 413, 422, 429, 500, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ValidateRequest.model_json_schema()}},
        }
    },
)
async def validate(request: Request, response: Response) -> ValidateResponse:
    state = request.app.state
    received = time.perf_counter()
    verifier, settings = state.verifier, state.settings
    check = partial(parse_expected, punch_types=verifier.options.punch_types)
    size = declared_size(request, settings.max_body_bytes)  # 413 before anything is read
    with state.gate.admit(settings.max_body_bytes if size is None else size) as ticket:
        phrase, audio = await read_validate_request(
            request,
            settings.max_body_bytes,
            settings.body_timeout_seconds,
            check,
            settings.min_body_rate_bytes,
        )
        result = await state.gate.run(ticket, verifier.verify, audio, phrase)
    total = time.perf_counter() - received
    core = result.timings.total
    response.headers["Server-Timing"] = (
        f"core;dur={core * 1000:.1f}, app;dur={max(0.0, total - core) * 1000:.1f}"
    )
    response.headers["X-PontoVoz-Reason"] = result.reason
    log.info(
        "verify %s -> %s (%s, %s) core %.0f ms, total %.0f ms, %d audio bytes",
        phrase,
        result.validated,
        result.reason,
        result.method,
        core * 1000,
        total * 1000,
        len(audio),
    )
    return ValidateResponse(validated=result.validated, spoken_text_in_audio=result.spoken_text)


@router.head("/health", include_in_schema=False, response_model=None)  # monitors use HEAD
@router.get("/health", response_model=HealthResponse, responses=_errors(503))
async def health(request: Request) -> HealthResponse | JSONResponse:
    state = request.app.state
    verifier, gate = state.verifier, state.gate
    options = verifier.options
    body = HealthResponse(
        status="ok" if verifier.loaded else "loading",
        model_loaded=verifier.loaded,
        version=__version__,
        # A name, never a path: the server's folders are nobody's business.
        model=Path(options.model_path).name if options.model_path else "faster-whisper-base",
        compute_type=options.compute_type,
        cpu_threads=options.cpu_threads,
        num_workers=options.num_workers,
        queue=QueueInfo(concurrency=gate.concurrency, pending=gate.pending, limit=gate.limit),
    )
    if not verifier.loaded:
        return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "2"})
    return body
