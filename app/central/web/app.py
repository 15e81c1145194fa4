"""The HR web back office: one FastAPI sub-application, server-rendered pt-BR pages.

``create_web_app(factory)`` builds it on a SQLAlchemy session factory; Central mounts it (or a
test serves it alone). It only assembles: static files, one router per page group
(``pages_*``), the error pages (``errors``) and the security headers. What a page is given
comes from ``deps`` (session, user, permission), how it draws from ``templating``, form values
from ``forms``, its queries from ``queries``, the rules from ``app.central``; pages never import
this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from app.central.web import pages_main, pages_people, pages_punches, pages_reports
from app.central.web.errors import install_handlers
from app.central.web.templating import HERE

PAGES = (pages_main, pages_people, pages_punches, pages_reports)


def create_web_app(factory: sessionmaker[Session]) -> FastAPI:
    """The HR back office on ``factory`` (a sessionmaker bound to Central's PostgreSQL)."""
    app = FastAPI(title="PontoVoz Central — RH", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.factory = factory
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in PAGES:
        app.include_router(module.router)
    install_handlers(app)

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; media-src 'self' blob:; style-src 'self'; script-src 'self'",
        )
        if request.url.path != "/static/style.css":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
