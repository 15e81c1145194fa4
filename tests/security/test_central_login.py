# ruff: noqa: F811 - pytest fixtures imported from central_fixtures are redefined as parameters
"""Central's login (docs/SECURITY.md, "Central"): forty wrong passwords in a row used to get forty
quick 401s and then the right one worked. Replayed against a real Central (uvicorn + PostgreSQL): a
growing delay per account and per address, refused before the password is checked, shown in pt-BR,
audited."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import text

from app.central import auth, throttle
from app.central.db import session_scope
from tests.security.central_fixtures import central, central_db, central_url, pg_cluster  # noqa: F401

PASSWORD = "senha-de-teste-1"


def _login(url: str, user: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30) as c:
        return c.post("/entrar", data={"usuario": user, "senha": password})


def _audit(central, action: str) -> int:
    with session_scope(central.factory) as s:
        return sum(1 for e in s.query(auth.AuditEntry).all() if e.action == action)


def test_forty_wrong_passwords_then_the_right_one(central):
    with session_scope(central.factory) as s:
        auth.create_user(s, "rh", "Rita do RH", PASSWORD, "rh")
    start = time.monotonic()
    codes = [_login(central.url, "rh", f"errada-{i}").status_code for i in range(40)]
    elapsed = time.monotonic() - start
    free = throttle.POLICY.free_account
    assert codes[:free] == [401] * free  # the free ones
    # past them, a password is checked only once each growing delay has run out
    checked = codes.count(401)
    assert checked <= attempts(free, elapsed) + 1, (checked, elapsed)
    assert codes.count(429) == 40 - checked and codes[-1] == 429
    r = _login(central.url, "rh", PASSWORD)
    assert r.status_code == 429  # the right password too: waiting is the only way on
    m = re.search(r"Muitas tentativas\. Tente de novo em (\d+) s\.", r.text)
    assert m and int(r.headers["Retry-After"]) == int(m.group(1)) >= 1
    assert _audit(central, "login_recusado") == checked
    assert _audit(central, "login_bloqueado") == 41 - checked
    # The wait running out, without sleeping through it: the one fake here is the clock,
    # moved by setting the stored deadline in the past.
    with session_scope(central.factory) as s:
        s.execute(text("UPDATE login_throttle SET blocked_until = now() - interval '1 second'"))
    assert _login(central.url, "rh", PASSWORD).status_code == 303


def attempts(free: int, seconds: float) -> int:
    """Password checks an attacker gets in ``seconds`` by waiting out every delay."""
    t, n = 0.0, 0
    while True:
        n += 1
        t += throttle.delay_s(n, free)
        if t > seconds:
            return n


def test_parallel_guesses_are_counted_one_after_another(central):
    with session_scope(central.factory) as s:
        auth.create_user(s, "ti", "Tina da TI", PASSWORD, "ti")
    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda i: _login(central.url, "ti", f"x{i}").status_code, range(12)))
    # a check made before any failure was stored would let all 12 reach the password
    assert codes.count(401) == throttle.POLICY.free_account, codes
    assert codes.count(429) == 12 - throttle.POLICY.free_account


def test_one_address_guessing_many_accounts_is_slowed_down(central):
    names = [f"pessoa{i}" for i in range(throttle.POLICY.free_address + 3)]
    codes = [_login(central.url, n, "qualquer").status_code for n in names]
    assert codes[: throttle.POLICY.free_address] == [401] * throttle.POLICY.free_address
    assert codes[-1] == 429


def test_attempts_per_hour_an_attacker_gets():
    """Waiting out every delay, one account, over the first hour and a day."""
    first_hour = attempts(throttle.POLICY.free_account, 3600)
    day = attempts(throttle.POLICY.free_account, 86400)
    print(f"\nlogin attempts per account: {first_hour} in the first hour, {day} in 24 h")
    assert first_hour <= 20 and day <= 120  # was: unlimited (40 in about a second)
