# ruff: noqa: F811 - pytest fixtures imported from hr_helpers are redefined as parameters
"""The HR back office as RH uses it, over real HTTP on a real PostgreSQL (and the real PDF): RH
creates gestores, names sort and match as Brazilians write them (ICU collation + unaccent),
exports follow the picked period, the audit log reads as sentences, pt-BR numbers and plurals,
and an espelho PDF whose Ocorrências are whole and whose footer never touches the signatures
(checked on the PDF's own text positions, from poppler's pdftotext, and rendered to PNG by
pdftoppm)."""

from __future__ import annotations

import getpass
import html
import os
import random
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from app.central import ptbr
from app.central.espelho_pdf import COLS, Header, espelho_pdf, espelhos_pdf
from app.central.timesheet import Mark, espelho
from tests.app_cli import run_app
from tests.central.hr_helpers import PASSWORD, Site, csrf_of, site, sql  # noqa: F401

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")


@pytest.mark.parametrize(
    ("value", "decimals", "sign", "expected"),
    [(-0.04, 1, True, "0,0"), (0.0, 1, True, "0,0"), (-2.46, 1, True, "-2,5"),
     (3.0, 1, True, "+3,0"), (1234567, 0, False, "1.234.567"), (1234.5, 1, False, "1.234,5")],
)  # fmt: skip
def test_numbers_have_a_decimal_comma_and_no_negative_zero(value, decimals, sign, expected):
    assert ptbr.number(value, decimals, sign) == expected


def test_plurals_and_dates_in_words():
    one, many = "marcação sinalizada", "marcações sinalizadas"
    assert ptbr.plural(1, one, many) == "1 marcação sinalizada"
    assert ptbr.plural(7, one, many) == "7 marcações sinalizadas"
    assert ptbr.plural(0, "falta", "faltas") == "0 faltas"
    assert ptbr.day_long(date(2026, 12, 6)) == "domingo, 6 de dezembro de 2026"
    assert ptbr.period(date(2026, 12, 1), date(2026, 12, 31)) == "1º a 31 de dezembro de 2026"
    assert ptbr.period(date(2026, 11, 15), date(2026, 12, 14)) == (
        "15 de novembro a 14 de dezembro de 2026"
    )


def test_rh_creates_a_gestor_who_then_logs_in(site: Site):
    rh = site.client("rh")
    page = rh.get("/usuarios")
    assert page.status_code == 200 and "Novo usuário" in page.text
    r = rh.post("/usuarios", data={"csrf": csrf_of(page.text), "usuario": "gabi",
                                   "nome": "Gabriela Gestora", "senha": PASSWORD,
                                   "perfil": "gestor", "equipe": str(site.team_b)})  # fmt: skip
    assert r.status_code == 303
    gabi = site.client("gabi")
    assert "Gabriela Gestora" in gabi.get("/").text
    assert gabi.get("/usuarios").status_code == 403  # a gestor does not create accounts
    audit = rh.get("/auditoria").text
    assert "Rita do RH" in audit and "criou o usuário gabi (Gabriela Gestora), perfil gestor" in (
        html.unescape(audit)
    )


def test_cli_first_account_rules_and_gestor_with_team(central_db):
    env = {"PONTOVOZ_HR_PASSWORD": PASSWORD}
    add = ("central", "users", "add", "--database-url", central_db)
    first_gestor = run_app(*add, "--username", "gil", "--name", "Gil", "--role", "gestor",
                       "--equipe", "Loja", **env)  # fmt: skip
    assert first_gestor.returncode == 2 and "primeiro usuário" in first_gestor.stderr
    rh = run_app("central", "users", "add", "--database-url", central_db, "--username", "ana",
             "--name", "Ana Souza", **env)  # fmt: skip
    assert rh.returncode == 0, rh.stderr
    no_team = run_app("central", "users", "add", "--database-url", central_db, "--username", "gil",
                  "--name", "Gil", "--role", "gestor", **env)  # fmt: skip
    assert no_team.returncode == 2 and "--equipe" in no_team.stderr
    gil = run_app(*add, "--username", "gil", "--name", "Gil Gestor", "--role", "gestor",
              "--equipe", "Loja Centro", **env)  # fmt: skip
    assert gil.returncode == 0 and "equipe Loja Centro" in gil.stdout, gil.stderr
    rows = sql(central_db, "SELECT u.role, t.name FROM hr_users u LEFT JOIN hr_teams t"
                           " ON t.id = u.team_id ORDER BY u.id")  # fmt: skip
    assert [tuple(r) for r in rows] == [("rh", None), ("gestor", "Loja Centro")]
    who = f"terminal:{getpass.getuser()}"
    audit = sql(central_db, "SELECT username, action FROM hr_audit ORDER BY id")
    assert [tuple(r) for r in audit] == [
        (who, "usuario_criado"), (who, "equipe_criada"), (who, "usuario_criado")
    ]  # fmt: skip


def _add_people(site: Site, names: list[str]) -> list[str]:
    """Employees added the way Central adds them (service.add_employee); their CPFs."""
    from app.central import service
    from app.central.db import session_scope
    from app.lab.central_hr_data import make_cpf

    rng = random.Random(24)
    cpfs = [make_cpf(rng) for _ in names]
    with session_scope(site.factory) as s:
        for i, (name, cpf) in enumerate(zip(names, cpfs, strict=True)):
            service.add_employee(s, name, cpf, f"{482713 + 137 * i}")
    return cpfs


def _names_in(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'<a href="/funcionarios/\d+">([^<]+)</a>', page)]


def test_names_sort_and_match_ignoring_case_and_accents(site: Site):
    cpfs = _add_people(
        site, ["Ângela Müller", "Tânia Reis", "angela lima", "Élio Souza", "Zuleica"]
    )
    rh = site.client("rh")
    listed = _names_in(rh.get("/funcionarios").text)
    ours = [n for n in listed if n in {"Ângela Müller", "Tânia Reis", "angela lima",
                                      "Élio Souza", "Zuleica"}]  # fmt: skip
    assert ours == ["angela lima", "Ângela Müller", "Élio Souza", "Tânia Reis", "Zuleica"]
    found = _names_in(rh.get("/funcionarios", params={"busca": "angela"}).text)
    assert found == ["angela lima", "Ângela Müller"]
    assert _names_in(rh.get("/funcionarios", params={"busca": "ÂNGELA MULLER"}).text) == [
        "Ângela Müller"
    ]
    assert _names_in(rh.get("/funcionarios", params={"busca": "elio"}).text) == ["Élio Souza"]
    # LIKE wildcards are text, not patterns
    assert _names_in(rh.get("/funcionarios", params={"busca": "%"}).text) == []
    tania = cpfs[1]
    masked = f"{tania[:3]}.{tania[3:6]}.{tania[6:9]}-{tania[9:]}"
    assert "Tânia Reis" in _names_in(rh.get("/funcionarios", params={"busca": masked}).text)


def test_exports_follow_the_picked_period(site: Site):
    rh = site.client("rh")
    today = datetime.now(ptbr_tz()).date()
    first = today.replace(day=1)
    page = html.unescape(rh.get("/exportacoes").text)
    assert f'name="mes" value="{today:%Y-%m}"' in page
    assert f"de={first.isoformat()}&ate=" in page  # AFD links: the current month by default
    nov = html.unescape(rh.get("/exportacoes", params={"mes": "2026-11"}).text)
    links = re.findall(r'href="/exportacoes/afd/\d+\?de=([\d-]+)&ate=([\d-]+)"', nov)
    assert links and set(links) == {("2026-11-01", "2026-11-30")}
    assert "1º a 30 de novembro de 2026" in nov and "01/11/2026 a 30/11/2026" in nov
    part = html.unescape(
        rh.get("/exportacoes", params={"de": "2026-11-05", "ate": "2026-11-20"}).text
    )
    assert set(re.findall(r"/exportacoes/afd/\d+\?de=([\d-]+)&ate=([\d-]+)", part)) == {
        ("2026-11-05", "2026-11-20")
    }
    assert 'name="de" value="2026-11-05"' in part
    bad = rh.get("/exportacoes", params={"de": "05/11/2026", "ate": "2026-11-20"})
    assert bad.status_code == 400 and "data inválida" in bad.text


def ptbr_tz():
    from app.central.hr_data import TZ

    return TZ


def test_audit_reads_as_sentences(site: Site):
    rh = site.client("rh")
    form = rh.get("/funcionarios/novo").text
    new = {"csrf": csrf_of(form), "nome": "Maria Clara Antunes", "cpf": "111.444.777-35",
           "pin": "472915", "cargo": "Caixa", "admissao": "2026-11-03"}  # fmt: skip
    r = rh.post("/funcionarios/novo", data=new)
    assert r.status_code == 303
    eid = int(r.headers["location"].split("/")[2].split("?")[0])
    edit = rh.get(f"/funcionarios/{eid}").text
    rh.post(f"/funcionarios/{eid}", data={"csrf": csrf_of(edit), "nome": "Maria Clara Antunes Reis",
                                          "cargo": "Caixa", "admissao": "2026-11-03"})  # fmt: skip
    page = html.unescape(rh.get("/auditoria").text)
    text = re.sub(r"<[^>]+>", " ", page)
    text = " ".join(text.split())
    assert "Rita do RH cadastrou Maria Clara Antunes no quadro de funcionários" in text
    assert ("alterou o cadastro de Maria Clara Antunes Reis: nome de Maria Clara Antunes para"
            " Maria Clara Antunes Reis") in text  # fmt: skip
    assert "entrou no painel" in text
    for raw in ("funcionario_criado", "funcionario criado", '{"nome"', "usuario:"):
        assert raw not in page, raw


def _words(pdf: Path) -> list[dict]:
    """Every word of the PDF with its page and box, in points (pdftotext -bbox-layout)."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    out = re.sub(r"<!DOCTYPE[^>]*>", "", out).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    root = ElementTree.fromstring(out)
    words = []
    for n, page in enumerate(root.iter("page"), 1):
        for w in page.iter("word"):
            box = {k: float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")}
            words.append({"page": n, "text": w.text or "", **box})
    return words


LONG_NOTE = "Saída ausente"


def _crowded_month() -> tuple[Header, object]:
    """A month whose every weekday opens without closing (a note a day), plus a day with 26
    marks: long cells in Marcações and Ocorrências."""
    marks = [Mark(datetime(2026, 12, d, 8, 0), "ENTRADA") for d in range(1, 32)]
    marks += [Mark(datetime(2026, 12, 2, 9, i), "ENTRADA") for i in range(0, 52, 2)]
    e = espelho(2026, 12, marks, until=date(2026, 12, 31))
    h = Header("Padaria São João Ltda", "12345678000195",
               "Maria Aparecida dos Santos Oliveira de Albuquerque", "52998224725",
               datetime(2026, 12, 31, 18, 0), "Auxiliar de padaria", date(2025, 3, 10))  # fmt: skip
    return h, e


@pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (apt-get install poppler-utils)")
def test_espelho_pdf_wraps_and_keeps_the_footer_clear(tmp_path):
    h, e = _crowded_month()
    pdf = tmp_path / "espelho.pdf"
    pdf.write_bytes(espelho_pdf(h, e))
    words = _words(pdf)
    text = " ".join(w["text"] for w in words)
    assert "..." not in text  # nothing cut
    assert "Cargo: Auxiliar de padaria" in text and "Admissão: 10/03/2025" in text
    # every mark of the crowded day is printed
    for i in range(0, 52, 2):
        assert f"09:{i:02d}" in text
    # Ocorrências: the column's x range (mm -> pt), every note word inside it, none cut
    left_mm = 10 + sum(w for _, w in COLS[:-1])
    x0, x1 = left_mm * 72 / 25.4, (left_mm + COLS[-1][1]) * 72 / 25.4
    notes = [w for w in words if w["text"] in ("Saída", "ausente")]
    assert len(notes) >= 2 * 20, len(notes)
    assert all(x0 <= w["xMin"] and w["xMax"] <= x1 + 0.5 for w in notes)
    # the footer sits below the signature labels on every page, with room between
    pages = {w["page"] for w in words}
    for n in pages:
        footer = [w for w in words if w["page"] == n and w["text"] == "Página"]
        assert len(footer) == 1, n
        body = [w for w in words if w["page"] == n and w["yMax"] < footer[0]["yMin"] - 0.1]
        lowest = max(w["yMax"] for w in body)
        assert footer[0]["yMin"] - lowest > 8, (n, footer[0]["yMin"], lowest)  # > 2.8 mm
    sign = [w for w in words if w["text"] in ("Empregado", "Empregador")]
    assert len(sign) == 2
    foot = next(w for w in words if w["text"] == "Página" and w["page"] == sign[0]["page"])
    assert foot["yMin"] - max(w["yMax"] for w in sign) > 8
    assert f"Página 1 de {len(pages)}" in text
    # rendered, as an auditor sees it
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 20_000
    shots = os.environ.get("PONTOVOZ_SCREENSHOTS")
    if shots:
        shutil.copy(png, Path(shots) / "15-espelho-pdf.png")


@pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (apt-get install poppler-utils)")
def test_one_pdf_for_everyone_numbers_pages_per_employee(tmp_path):
    h, e = _crowded_month()
    other = Header(h.employer_name, h.employer_id, "Bruno Lima", "11144477735", h.generated_at)
    pdf = tmp_path / "todos.pdf"
    pdf.write_bytes(espelhos_pdf([(h, e), (other, e)]))
    words = _words(pdf)
    per_page: dict[int, str] = {}
    for w in words:
        per_page[w["page"]] = per_page.get(w["page"], "") + " " + w["text"]
    assert len(per_page) >= 2
    firsts = [n for n, t in per_page.items() if "Página 1 de" in t]
    assert len(firsts) == 2  # each employee starts at page 1
    assert "Bruno Lima" in per_page[firsts[1]] and "Cargo: não informado" in per_page[firsts[1]]
