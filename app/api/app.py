"""The application factory: one FastAPI app for uvicorn, the Lambda handler and the tests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app import __version__
from app.api.auth import RateLimiter
from app.api.errors import install_handlers
from app.api.gate import Gate
from app.api.routes import router
from app.api.settings import ApiSettings

if TYPE_CHECKING:
    from app.core.verifier import Verifier

log = logging.getLogger(__name__)

DESCRIPTION = (
    "Checks that a short recording says the expected time-clock phrase (e.g. 'ENTRADA 13 40'). "
    "POST / takes the seed's body unchanged. A server reachable from outside requires "
    "'Authorization: Bearer <token>'; each token has a rate limit (429 with Retry-After)."
)


def create_app(verifier: Verifier | None = None, settings: ApiSettings | None = None) -> FastAPI:
    """Build the app. Without a verifier one is made from the engine settings (env included)
    and its model is loaded at startup (lifespan), before the first request is accepted."""
    if verifier is None:
        from app.core.verifier import Verifier

        verifier = Verifier()
    settings = settings or ApiSettings.from_env()
    gate = Gate(
        settings.concurrency or verifier.options.num_workers,
        settings.max_queue,
        settings.max_wait_seconds,
        settings.max_inflight_bytes,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not verifier.loaded:
            seconds = await run_in_threadpool(verifier.load)
            log.info("model loaded in %.2f s", seconds)
        yield
        gate.shutdown()

    app = FastAPI(
        title="PontoVoz Speech API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.verifier = verifier
    app.state.settings = settings
    app.state.gate = gate
    limit = settings.rate_limit_per_minute
    app.state.rate_limiter = RateLimiter(limit) if limit else None
    install_handlers(app)
    app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (one per worker process): settings from the env."""
    from app.api import logguard

    logguard.install()
    return create_app()
