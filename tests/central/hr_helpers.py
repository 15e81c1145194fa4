"""Helpers for the HR web tests: the real web app on a real uvicorn (127.0.0.1, free port) over
the session's throwaway PostgreSQL, three users (RH, gestor of a team, TI), a small seeded
company, and an httpx client that logs in like a browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

import app.central.hr_models  # noqa: F401 - registers the HR tables for central_db's TRUNCATE
from app.central import auth
from app.central.db import make_engine, normalize_url, session_factory, session_scope
from app.central.web.app import create_web_app
from tests.live_server import LiveServer

PASSWORD = "senha-de-teste-1"


@dataclass
class Site:
    url: str
    engine: Engine
    factory: sessionmaker[Session]
    team_a: int
    team_b: int
    employees: list[int]  # seeded; employee i is in team (A, B, C)[i % 3]

    def client(self, username: str | None = None) -> httpx.Client:
        c = httpx.Client(base_url=self.url, timeout=30)
        if username:
            r = c.post("/entrar", data={"usuario": username, "senha": PASSWORD})
            assert r.status_code == 303, r.text
        return c

    def sql(self, query: str, **params: object) -> list:
        with self.engine.begin() as conn:
            return list(conn.execute(text(query), params).all())


def sql(db: str, query: str, **params: object) -> list:
    """Rows of one query on the database at URL ``db`` (a fresh engine, disposed after)."""
    engine = create_engine(normalize_url(db))
    with engine.begin() as conn:
        out = list(conn.execute(text(query), params).all())
    engine.dispose()
    return out


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


@pytest.fixture()
def site(central_db) -> Iterator[Site]:
    from app.lab.central_hr_data import seed

    engine = make_engine(central_db, pool_size=4)
    engine.dispose()
    factory = session_factory(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO hr_schedules (code, name, week, start, break_minutes, night_start,"
                " night_end) VALUES ('PADRAO', 'Padrão 44 h', '480,480,480,480,480,240,0',"
                " '08:00', 60, '22:00', '05:00') ON CONFLICT DO NOTHING"
            )
        )
    seeded = seed(engine, employees=6, first=date(2026, 10, 1), last=date(2026, 11, 20), kiosks=2)
    with engine.begin() as conn:
        teams = [r[0] for r in conn.execute(text("SELECT id FROM hr_teams ORDER BY id"))]
        conn.execute(
            text(
                "INSERT INTO hr_employer (id, cnpj, name, inpi, developer_id, developer_name,"
                " developer_email) VALUES (1, '12345678000195', 'Padaria São João Ltda',"
                " '12345678901234567', '11222333000181', 'PontoVoz Sistemas Ltda',"
                " 'suporte@pontovoz.com.br')"
            )
        )
    with session_scope(factory) as s:
        auth.create_user(s, "rh", "Rita do RH", PASSWORD, "rh")
        auth.create_user(s, "gestor", "Gil Gestor", PASSWORD, "gestor", team_id=teams[0])
        auth.create_user(s, "ti", "Tina da TI", PASSWORD, "ti")
    with LiveServer(create_web_app(factory)) as server:
        yield Site(server.url, engine, factory, teams[0], teams[1], seeded.employee_ids)
    engine.dispose()
