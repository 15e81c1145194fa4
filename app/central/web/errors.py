"""The HR pages' errors, shown once as pt-BR pages (`install_handlers`).

One hierarchy with the rest of Central: a page raises `WebError` (bad form input, 400),
`Forbidden` (403) or `NotFound` (404), all `CentralError`s, and a domain error from the
service that a page lets through is shown the same way with its own status. A missing login
redirects to /entrar; any other bug still gets a page, never a bare 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.central.errors import CentralError, Forbidden, NotFound
from app.central.web.templating import render

__all__ = ["Forbidden", "LoginRequired", "NotFound", "WebError", "install_handlers"]

log = logging.getLogger(__name__)


class WebError(CentralError):
    """A form the page cannot accept: ``message`` says what to fix."""

    def __init__(self, message: str, title: str = "Não foi possível concluir") -> None:
        super().__init__(message, title)


class LoginRequired(Exception):
    """No valid session cookie: not an error page, a redirect to the login."""


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        nxt = request.url.path
        target = f"/entrar?proximo={nxt}" if nxt not in ("/", "/entrar") else "/entrar"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CentralError)
    async def _web(request: Request, exc: CentralError) -> Response:
        return render(request, "error.html", exc.status, title=exc.title, message=exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        msg = f"Dados do formulário inválidos ou ausentes: {fields}."
        return render(request, "error.html", 400, title="Dados inválidos", message=msg)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):  # a kiosk/API client: JSON, as Central's API
            text = "endereço não encontrado" if exc.status_code == 404 else str(exc.detail)
            return JSONResponse({"error": text}, status_code=exc.status_code)
        titles = {404: "Página não encontrada", 405: "Operação não permitida"}
        title = titles.get(exc.status_code, "Não foi possível concluir")
        msg = "Confira o endereço ou volte ao início." if exc.status_code == 404 else title + "."
        return render(request, "error.html", exc.status_code, title=title, message=msg)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        msg = "Algo deu errado do nosso lado. Nada foi alterado; tente de novo em instantes."
        return render(request, "error.html", 500, title="Erro inesperado", message=msg)
