"""What a page asks FastAPI for (the full-stack template's ``deps.py``): its database session
(``DB``), the signed-in user (``User``, or `Require` for one permission), and the CSRF check.

    def page(request: Request, s: DB, user: User) -> Response: ...
    def admin(request: Request, user: Annotated[auth.CurrentUser, Require("users")]) -> ...

`render` (`app.central.web.templating`) and `redirect` are re-exported here so a page imports
one module for what it is given and what it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from app.central import auth
from app.central.db import session_scope
from app.central.web.errors import Forbidden, LoginRequired, WebError
from app.central.web.templating import render

__all__ = [
    "COOKIE", "DB", "Require", "User", "check_csrf", "current_user", "db", "need", "redirect",
    "render",
]  # fmt: skip

COOKIE = "pv_sessao"


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


def Require(permission: str) -> Any:  # a capital: it reads as a type in a signature
    """``Depends`` on the signed-in user holding ``permission`` (403 page otherwise)."""

    def check(user: User) -> auth.CurrentUser:
        need(user, permission)
        return user

    checker: Callable[..., auth.CurrentUser] = check
    return Depends(checker)


def check_csrf(user: auth.CurrentUser, token: str | None) -> None:
    if not auth.csrf_ok(user, token):
        raise WebError(
            "O formulário expirou ou não veio desta página. Recarregue e tente de novo.",
            "Formulário inválido",
        )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
