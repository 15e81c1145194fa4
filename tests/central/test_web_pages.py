# ruff: noqa: F811 - pytest fixtures imported from hr_helpers are redefined as parameters
"""The HR web back office over real HTTP on a real PostgreSQL: login and sessions, CSRF, roles,
review decisions and corrections as new records, downloads, and bad input as pt-BR pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy.exc import DBAPIError

from app.central.aej_check import check as check_aej
from app.rep.chain import afd_hash
from tests.central.hr_helpers import PASSWORD, Site, csrf_of, site  # noqa: F401

PUNCH_COLS = "id, nsr, type, punched_at, flagged, flag_reason, validated, transcript, hash"


def audit_actions(site: Site) -> list[str]:
    return [r[0] for r in site.sql("SELECT action FROM hr_audit ORDER BY id")]


def test_login_session_and_logout(site: Site):
    c = site.client()
    r = c.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/entrar"
    r = c.post("/entrar", data={"usuario": "rh", "senha": "errada"})
    assert r.status_code == 401 and "Usuário ou senha incorretos." in r.text
    r = c.post("/entrar", data={"usuario": "RH ", "senha": PASSWORD, "proximo": "//evil.com"})
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    token = c.cookies["pv_sessao"]
    stored = [row[0] for row in site.sql("SELECT token_hash FROM hr_sessions")]
    assert token not in stored and len(stored) == 1  # only a hash of the token is kept
    page = c.get("/")
    assert page.status_code == 200 and "Presentes agora" in page.text
    r = c.post("/sair", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 303
    assert c.get("/").status_code == 303  # the session is gone
    assert audit_actions(site)[-3:] == ["login_recusado", "login", "logout"]


def test_forms_without_csrf_change_nothing(site: Site):
    c = site.client("rh")
    emp = site.employees[0]
    data = {"funcionario": emp, "data": "2026-10-05", "hora": "17:00", "tipo": "SAIDA",
            "motivo": "Esqueceu de marcar"}  # fmt: skip
    for token in (None, "forjado"):
        r = c.post("/correcoes", data={**data, **({"csrf": token} if token else {})})
        assert r.status_code == 400 and "Formulário inválido" in r.text
    assert site.sql("SELECT count(*) FROM hr_manual_punches")[0][0] == 0


def test_roles_see_only_what_they_may(site: Site):
    ti, gestor, rh = site.client("ti"), site.client("gestor"), site.client("rh")
    assert ti.get("/espelho").status_code == 403
    assert ti.get("/revisao").status_code == 403
    assert ti.get("/usuarios").status_code == 200
    assert rh.get("/usuarios").status_code == 200  # RH creates gestores (docs/CENTRAL-HR.md)
    team = {r[0]: r[1] for r in site.sql("SELECT employee_id, team_id FROM hr_employee_profiles")}
    mine = [e for e in site.employees if team[e] == site.team_a]
    other = [e for e in site.employees if team[e] != site.team_a]
    listing = gestor.get("/funcionarios").text
    names = dict(site.sql("SELECT id, name FROM employees"))
    assert all(names[e] in listing for e in mine)
    assert not any(names[e] in listing for e in other)
    assert gestor.get(f"/espelho?funcionario={other[0]}").status_code == 404
    assert gestor.get(f"/espelho?funcionario={mine[0]}&mes=2026-10").status_code == 200
    flagged_other = site.sql(
        "SELECT id FROM punches WHERE flagged AND employee_id = ANY(:ids)", ids=other
    )
    if flagged_other:
        assert gestor.get(f"/revisao/{flagged_other[0][0]}").status_code == 404
    assert gestor.get("/funcionarios/novo").status_code == 403  # gestor does not add people


def test_review_decision_is_a_new_record(site: Site):
    c = site.client("rh")
    pid = site.sql("SELECT id FROM punches WHERE flagged ORDER BY id LIMIT 1")[0][0]
    before = site.sql(f"SELECT {PUNCH_COLS} FROM punches WHERE id = :i", i=pid)
    page = c.get(f"/revisao/{pid}")
    assert page.status_code == 200 and "voz não validada" in page.text
    r = c.post(f"/revisao/{pid}", data={"csrf": csrf_of(page.text), "decisao": "rejeitar",
                                        "justificativa": "  "})  # fmt: skip
    assert r.status_code == 400 and "justificativa" in r.text
    ok = {
        "csrf": csrf_of(page.text),
        "decisao": "aprovar",
        "justificativa": "Ouvi o áudio: frase correta",
    }
    r = c.post(f"/revisao/{pid}", data=ok)
    assert r.status_code == 303
    assert site.sql(f"SELECT {PUNCH_COLS} FROM punches WHERE id = :i", i=pid) == before
    rows = site.sql("SELECT approved, justification, author FROM hr_punch_decisions")
    assert rows == [(True, "Ouvi o áudio: frase correta", "Rita do RH")]
    assert "marcacao_aprovada" in audit_actions(site)
    assert "aprovada" in c.get(f"/revisao/{pid}").text
    for sql in ("UPDATE hr_punch_decisions SET approved = false", "DELETE FROM hr_audit"):
        with pytest.raises(DBAPIError, match="append-only"):
            site.sql(sql)


def test_correction_is_marked_everywhere(site: Site):
    c = site.client("rh")
    emp = site.employees[0]
    page = c.get("/correcoes")
    r = c.post("/correcoes", data={"csrf": csrf_of(page.text), "funcionario": emp,
                                   "data": "2026-10-06", "hora": "18:07", "tipo": "SAIDA",
                                   "motivo": "Esqueceu de marcar a saída"})  # fmt: skip
    assert r.status_code == 303
    punches = c.get(f"/marcacoes?funcionario={emp}&de=2026-10-06&ate=2026-10-06").text
    assert "incluída pelo RH" in punches and "Esqueceu de marcar a saída" in punches
    sheet = c.get(f"/espelho?funcionario={emp}&mes=2026-10").text
    assert re.search(r'class="mk incluida"[^>]*>18:07\*', sheet)
    aej = c.get("/exportacoes/aej?de=2026-10-01&ate=2026-10-31")
    assert aej.status_code == 200 and check_aej(aej.content) == []
    line = [x for x in aej.content.decode("iso-8859-1").split("\r\n") if "T18:07:00" in x]
    assert line and line[0].endswith("|I||Esqueceu de marcar a saída")
    assert "marcacao_incluida" in audit_actions(site)


def test_downloads(site: Site):
    c = site.client("rh")
    emp = site.employees[1]
    pdf = c.get(f"/espelho/{emp}/2026-10.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(c.get("/folha/2026-10.csv").content.decode("utf-8-sig")),
                           delimiter=";"))  # fmt: skip
    assert len(rows) == 1 + len(site.employees) and rows[0][0] == "Nome"
    assert c.get("/folha/2026-10.xlsx").content[:2] == b"PK"
    kid = site.sql("SELECT id FROM kiosks ORDER BY id LIMIT 1")[0][0]
    afd = c.get(f"/exportacoes/afd/{kid}?de=2026-10-01&ate=2026-10-31")
    lines = afd.content.decode("iso-8859-1").split("\r\n")[:-1]
    assert len(lines[0]) == 302 and len(lines[-2]) == 64
    assert lines[-1].startswith("ASSINATURA_DIGITAL_EM_ARQUIVO_P7S")
    body = lines[1:-2]
    assert body and all(len(x) == 137 and x[9] == "7" for x in body)
    first_nsr = int(body[0][:9])
    prev = site.sql("SELECT afd_hash FROM punches WHERE kiosk_id = :k AND nsr = :n",
                    k=kid, n=first_nsr - 1)  # fmt: skip
    chain = prev[0][0] if prev else None
    for x in body:  # the type-7 chain holds across the exported range
        assert afd_hash(chain, x[:73]) == x[73:]
        chain = x[73:]


BAD = [
    ("get", "/marcacoes?de=31/10/2026", 400),
    ("get", "/marcacoes?funcionario=abc", 400),
    ("get", "/marcacoes?funcionario=99999999999999", 400),
    ("get", "/marcacoes?pagina=-5", 400),
    ("get", "/espelho?mes=2026-13", 400),
    ("get", "/espelho?funcionario=424242", 404),
    ("get", "/espelho/1/abc.pdf", 400),
    ("get", "/folha/2026-10.doc", 404),
    ("get", "/exportacoes/aej?de=2026-10-31&ate=2026-10-01", 400),
    ("get", "/exportacoes/aej", 400),
    ("get", "/exportacoes/afd/999?de=2026-10-01&ate=2026-10-31", 404),
    ("get", "/revisao/abc", 400),
    ("get", "/funcionarios/0", 404),
    ("get", "/nao-existe", 404),
    ("post", "/revisao/1", 400),
    ("post", "/funcionarios/novo", 400),
    ("delete", "/funcionarios", 405),
]


def test_bad_input_gets_a_ptbr_page(site: Site):
    c = site.client("rh")
    for method, path, status in BAD:  # one server for all cases: each setup costs seconds
        r = c.request(method, path)
        assert r.status_code == status, (path, r.text[:300])
        assert '<html lang="pt-BR">' in r.text, path
        assert "Traceback" not in r.text and "Internal Server Error" not in r.text
