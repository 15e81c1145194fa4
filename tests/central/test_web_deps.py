"""What `app.central.web.deps` gives a page (session, signed-in user, `Require(permission)`)
and how `app.central.web.errors` shows each error of the one hierarchy, on a real uvicorn over
the seeded PostgreSQL (hr_helpers' site), through a small router of its own: the pages'
behaviour is tested in test_web_pages.py."""

# ruff: noqa: F811 - pytest fixtures imported from hr_helpers are redefined as parameters
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from app.central import auth
from app.central.errors import BadInput
from app.central.hr_models import User as UserRow
from app.central.web.deps import DB, Require, User, render
from app.central.web.errors import NotFound, WebError, install_handlers
from tests.central.hr_helpers import Site, site  # noqa: F401
from tests.live_server import LiveServer

router = APIRouter()


@router.get("/so-ti")
def only_users_admins(
    request: Request, s: DB, user: Annotated[auth.CurrentUser, Require("users")]
) -> Response:
    count = s.scalar(select(func.count(UserRow.id)))
    return render(request, "error.html", title="ok", message=f"{user.name}: {count} usuários")


@router.get("/quem")
def who(request: Request, user: User) -> Response:
    return render(request, "error.html", title="ok", message=user.name)


@router.get("/falha/{kind}")
def fail(kind: str, user: User) -> Response:
    if kind == "form":
        raise WebError("Data inválida.", "Dados inválidos")
    if kind == "nada":
        raise NotFound()
    raise BadInput("o nome deve ter de 2 a 150 caracteres")  # a service error let through


@pytest.fixture()
def probe(site: Site) -> Iterator[str]:
    app = FastAPI()
    app.state.factory = site.factory
    app.include_router(router)
    install_handlers(app)
    with LiveServer(app) as server:
        yield server.url


def signed_in(site: Site, url: str, username: str) -> httpx.Client:
    """A client on ``url`` holding the session cookie of a real login on the site."""
    cookies = site.client(username).cookies
    return httpx.Client(base_url=url, cookies=cookies, timeout=30)


def test_require_lets_the_permission_through_and_refuses_the_rest(site: Site, probe: str):
    ti, gestor = signed_in(site, probe, "ti"), signed_in(site, probe, "gestor")
    allowed = ti.get("/so-ti")
    assert allowed.status_code == 200 and "Tina da TI: 3 usuários" in allowed.text
    refused = gestor.get("/so-ti")
    assert refused.status_code == 403 and "Acesso negado" in refused.text
    assert "Seu perfil não tem acesso a esta página." in refused.text
    assert gestor.get("/quem").text.count("Gil Gestor") >= 1


def test_no_session_redirects_to_the_login(probe: str):
    anonymous = httpx.Client(base_url=probe, timeout=30)
    r = anonymous.get("/so-ti")
    assert r.status_code == 303 and r.headers["location"] == "/entrar?proximo=/so-ti"


def test_every_error_of_the_hierarchy_is_a_ptbr_page(site: Site, probe: str):
    rh = signed_in(site, probe, "rh")
    form = rh.get("/falha/form")
    assert (
        form.status_code == 400 and "Dados inválidos" in form.text and "Data inválida." in form.text
    )
    missing = rh.get("/falha/nada")
    assert missing.status_code == 404 and "O que você procurou não existe." in missing.text
    domain = rh.get("/falha/servico")
    assert domain.status_code == 422, "a domain error is its own page, not a 500"
    assert "o nome deve ter de 2 a 150 caracteres" in domain.text
