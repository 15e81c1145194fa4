"""The HR web back office: one FastAPI sub-application, server-rendered pt-BR pages.

``create_web_app(factory)`` builds it on a SQLAlchemy session factory; Central mounts it (or a
test serves it alone). Routes stay thin: queries in ``queries``, rules in ``app.central``.
Every error becomes a pt-BR page: ``WebError`` (bad input, 400), ``Forbidden`` (403),
``NotFound`` (404), a missing login redirects to /entrar, and a bug still gets a page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.central import auth
from app.central.db import session_scope
from app.central.espelho_pdf import fmt_cnpj, fmt_cpf
from app.central.timesheet import hhmm
from app.store.csv_export import reason_pt

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
COOKIE = "pv_sessao"


class WebError(Exception):
    status = 400

    def __init__(self, message: str, title: str = "Não foi possível concluir") -> None:
        super().__init__(message)
        self.message, self.title = message, title


class Forbidden(WebError):
    status = 403

    def __init__(self, message: str = "Seu perfil não tem acesso a esta página.") -> None:
        super().__init__(message, "Acesso negado")


class NotFound(WebError):
    status = 404

    def __init__(self, message: str = "O que você procurou não existe.") -> None:
        super().__init__(message, "Não encontrado")


class LoginRequired(Exception):
    pass


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["hhmm"] = hhmm
templates.env.filters["cpf"] = fmt_cpf
templates.env.filters["cnpj"] = fmt_cnpj
templates.env.filters["reason"] = reason_pt  # older kiosks stored English flag reasons
templates.env.globals["role_names"] = auth.ROLE_NAMES


def _local(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    from app.central.hr_data import TZ

    return value.astimezone(TZ).strftime(fmt) if value else "—"


templates.env.filters["local"] = _local


def _punch_time(p: Any, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A punch at the local time its kiosk wrote, with that zone's UTC offset ("-04:00" in
    Manaus): the same hour the AFD, the AEJ and the espelho show."""
    from app.central.hr_data import punch_local

    at = punch_local(p.punched_at, p.punched_at_ts)
    return f"{at.strftime(fmt)} ({at.strftime('%z')[:3]}:{at.strftime('%z')[3:]})"


templates.env.filters["punch_time"] = _punch_time


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("user", getattr(request.state, "user", None))
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def db(request: Request) -> Iterator[Session]:
    """One transaction per request (``session_scope``: commit on success, roll back on error)."""
    with session_scope(request.app.state.factory) as s:
        yield s


# scope="function": commit before the response leaves, so a redirect never shows stale data
# and a failed commit is an error page, not a success.
DB = Annotated[Session, Depends(db, scope="function")]


def current_user(request: Request, s: DB) -> auth.CurrentUser:
    user = auth.session_user(s, request.cookies.get(COOKIE))
    if user is None:
        raise LoginRequired()
    request.state.user = user
    return user


User = Annotated[auth.CurrentUser, Depends(current_user)]


def need(user: auth.CurrentUser, permission: str) -> None:
    if not user.can(permission):
        raise Forbidden()


def check_csrf(user: auth.CurrentUser, token: str | None) -> None:
    if not auth.csrf_ok(user, token):
        raise WebError(
            "O formulário expirou ou não veio desta página. Recarregue e tente de novo.",
            "Formulário inválido",
        )


def parse_date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise WebError(f"{field}: data inválida (use AAAA-MM-DD).") from None


def parse_month(text: str | None) -> tuple[int, int]:
    from app.central.hr_data import TZ

    if not text:
        now = datetime.now(TZ)
        return now.year, now.month
    try:
        y, m = (int(x) for x in text.strip().split("-")[:2])
        date(y, m, 1)
    except ValueError:
        raise WebError("Mês inválido (use AAAA-MM).") from None
    if not 2000 <= y <= 2100:
        raise WebError("Mês fora do intervalo aceito.")
    return y, m


def parse_int(text: str | None, field: str) -> int | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        raise WebError(f"{field}: número inválido.") from None
    if not 0 <= value < 2**31:
        raise WebError(f"{field}: número fora do intervalo.")
    return value


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        nxt = request.url.path
        return redirect(f"/entrar?proximo={nxt}" if nxt not in ("/", "/entrar") else "/entrar")

    @app.exception_handler(WebError)
    async def _web(request: Request, exc: WebError) -> Response:
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


def create_web_app(factory: sessionmaker[Session]) -> FastAPI:
    """The HR back office on ``factory`` (a sessionmaker bound to Central's PostgreSQL)."""
    from app.central.web import pages_main, pages_people, pages_punches, pages_reports

    app = FastAPI(title="PontoVoz Central — RH", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.factory = factory
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (pages_main, pages_people, pages_punches, pages_reports):
        app.include_router(module.router)
    _install_handlers(app)

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
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


def now_utc() -> datetime:
    return datetime.now(UTC)
