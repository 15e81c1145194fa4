"""HR's first day with Central (gestores, Hoje, names, periods, audit, espelho) in a real
browser (Debian's Chromium through chromedriver) on a fresh Central (subprocess, real
PostgreSQL, real HTTP) fed by a real kiosk ledger over the kiosk API.

The first account comes from the command line (what ``central.sh`` prints) and creates a gestor
on Usuários; people are added with ``central employees add`` (audited as the OS user); the kiosk
sends an entry, an intervalo, an exit and a flagged punch; the Hoje board counts the intervalo as
a break and says which day it is; a search without accents finds "Ângela"; the export period and
its AFD links follow the picked month; the espelho of everyone downloads as one PDF; the audit log
reads as sentences; a revoked kiosk's alert opens to what to do. Every page is shot at 1366×768
and 390×844 (into PONTOVOZ_SCREENSHOTS when set: docs/screenshots/central) and checked for
sideways scrolling and for text spilling out of its card on the phone.
"""

from __future__ import annotations

import getpass
import re
import subprocess
from datetime import datetime
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from app.central import ptbr
from app.central.hr_data import TZ, month_bounds
from tests.app_cli import run_app
from tests.central.browser_helpers import (
    PASSWORD,
    PHONE,
    add_hr_user,
    needs_chromium,
    open_browser,
    wait_for,
)
from tests.central.hr_helpers import sql

DESKTOP = (1366, 768)
LONG = "Maria Aparecida dos Santos Oliveira de Albuquerque Cavalcanti"
PEOPLE = [("Tânia Reis", "52998224725", "482713"), ("Ângela Müller", "11144477735", "591384"),
          ("Bruno Lima", "39053344705", "638529"), (LONG, "15350946056", "719468")]  # fmt: skip

pytestmark = needs_chromium


def kiosk_sends_today(url: str, db: str, tmp_path: Path) -> None:
    """A real kiosk ledger: enrolled with a code from ``central enroll-code``; Ângela goes to
    her break, Tânia is in, Bruno came and left, and the long-named one's entry is flagged."""
    from app.store.ledger import Ledger
    from app.store.models import PunchDraft
    from app.store.roster import records_after
    from app.store.settings import LedgerSettings

    code = run_app("central", "enroll-code", "--database-url", db, "--label", "Recepção")
    assert code.returncode == 0, code.stderr
    enrolled = httpx.post(url + "/api/v1/enroll", json={"code": code.stdout.split()[0],
                          "name": "Recepção", "ledger_kiosk_id": "01"})  # fmt: skip
    assert enrolled.status_code == 200, enrolled.text
    ledger = Ledger.open(tmp_path / "ledger.sqlite3", LedgerSettings(kiosk_id="01"))
    try:
        ids = {name: ledger.add_employee(name, cpf, pin=pin).id for name, cpf, pin in PEOPLE}
        plan = [("Ângela Müller", "ENTRADA"), ("Tânia Reis", "ENTRADA"), ("Bruno Lima", "ENTRADA"),
                ("Ângela Müller", "INTERVALO"), ("Bruno Lima", "SAIDA")]  # fmt: skip
        for name, kind in plan:
            ledger.record_punch(PunchDraft(ids[name], kind, f"{kind} 8 00", validated=True,
                                           tries=1))  # fmt: skip
        why = "voz não validada após 3 tentativas"
        ledger.record_punch(PunchDraft(ids[LONG], "ENTRADA", "ENTRADA 8 00", "entrada oito",
                                       tries=3, flag_reason=why))  # fmt: skip
        batch = records_after(ledger, 0)
    finally:
        ledger.close()
    body = {"punches": [w.body for w in batch if w.kind == "punch"],
            "events": [w.body for w in batch if w.kind == "event"]}  # fmt: skip
    headers = {"Authorization": f"Bearer {enrolled.json()['token']}",
               "X-Kiosk-Time": datetime.now().astimezone().isoformat()}  # fmt: skip
    pushed = httpx.post(url + "/api/v1/punches", json=body, headers=headers)
    assert pushed.status_code == 200, pushed.text
    linked = sql(db, "SELECT count(*) FROM punches WHERE employee_id IS NOT NULL")[0][0]
    assert linked == 6


def text_of(d: webdriver.Chrome, css: str) -> str:
    return d.find_element(By.CSS_SELECTOR, css).text


def page_text(d: webdriver.Chrome) -> str:
    """The page's text, or "" while it is being replaced (a navigation in flight)."""
    try:
        return d.find_element(By.TAG_NAME, "body").text
    except WebDriverException:
        return ""


def login(d: webdriver.Chrome, url: str, username: str) -> None:
    d.get(url + "/entrar")
    d.find_element(By.NAME, "usuario").send_keys(username)
    d.find_element(By.NAME, "senha").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "/entrar" not in d.current_url)


def test_first_day_of_an_hr_team(tmp_path, central_server):
    db, url = central_server.database_url, central_server.url
    assert sql(db, "SELECT count(*) FROM hr_users")[0][0] == 0  # a fresh Central
    # central_db empties every table; a new Central has migration 0100's default schedule back
    sql(db, "INSERT INTO hr_schedules (code, name, week, start, break_minutes, night_start,"
            " night_end) VALUES ('PADRAO', 'Padrão 44 h', '480,480,480,480,480,240,0', '08:00',"
            " 60, '22:00', '05:00') ON CONFLICT DO NOTHING RETURNING code")  # fmt: skip
    add_hr_user(db, "ana", "Ana Souza")
    for name, cpf, pin in PEOPLE:
        job = ("--cargo", "Atendente", "--admissao", "2026-01-05")
        added = run_app("central", "employees", "add", "--database-url", db, "--name", name,
                        "--cpf", cpf, "--pin", pin, *job)  # fmt: skip
        assert added.returncode == 0, added.stderr
    kiosk_sends_today(url, db, tmp_path)
    today = datetime.now(TZ).date()
    d, shots, downloads = open_browser(tmp_path, DESKTOP, tallest=5000)
    try:
        d.set_window_size(*DESKTOP)
        d.get(url + "/entrar")
        shots.take("01-entrar")
        login(d, url, "ana")
        # Hoje: the day in words, the break counted as a break, pt-BR numbers and plurals
        d.get(url + "/")
        assert text_of(d, "#hoje-data") == ptbr.day_long(today)
        assert text_of(d, "#n-intervalo") == "1" and "Ângela Müller" in text_of(
            d, "#quadro-intervalo"
        )
        assert "Ângela" not in text_of(d, "#quadro-sairam")
        assert text_of(d, "#n-sairam") == "1" and "Bruno Lima" in text_of(d, "#quadro-sairam")
        assert text_of(d, "#n-presentes") == "2"
        assert text_of(d, "#alerta-revisao") == "1 marcação sinalizada aguardando revisão"
        offset = text_of(d, "#quiosques td.relogio")
        assert re.fullmatch(r"[+-]?\d+,\d s", offset) and offset != "-0,0 s", offset
        shots.take("02-hoje")

        # Usuários: the first account (RH) makes a team and a gestor
        d.get(url + "/usuarios")
        d.find_element(By.CSS_SELECTOR, "form[action='/equipes'] input[name=nome]").send_keys(
            "Loja Centro"
        )
        d.find_element(By.CSS_SELECTOR, "form[action='/equipes'] button").click()
        wait_for(lambda: "Loja Centro" in page_text(d))
        form = "form[action='/usuarios'] "
        for field, value in (("usuario", "gil"), ("nome", "Gil Gestor"), ("senha", PASSWORD)):
            d.find_element(By.CSS_SELECTOR, f"{form}input[name={field}]").send_keys(value)
        d.execute_script("document.querySelector(\"select[name=perfil]\").value = 'gestor';"
                         "const t = document.querySelector('select[name=equipe]');"
                         "t.value = t.options[t.options.length - 1].value;")  # fmt: skip
        d.find_element(By.CSS_SELECTOR, f"{form}button").click()
        wait_for(lambda: "Gil Gestor" in page_text(d))
        assert "gil" in text_of(d, "#usuarios"), page_text(d)
        assert "Loja Centro" in text_of(d, "#usuarios")
        shots.take("16-usuarios")

        # Funcionários: sorted as Brazilians sort, found without accents
        d.get(url + "/funcionarios")
        names = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#funcionarios td.title a")]
        assert names == ["Ângela Müller", "Bruno Lima", LONG, "Tânia Reis"]
        shots.take("11-funcionarios")
        d.find_element(By.ID, "busca").send_keys("angela")
        d.find_element(By.CSS_SELECTOR, "form.filters button").click()
        wait_for(lambda: "busca=angela" in d.current_url)
        found = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#funcionarios td.title a")]
        assert found == ["Ângela Müller"]

        # Marcações: the intervalo is there; on the phone each row is a card with its status
        d.get(url + "/marcacoes")
        assert "Intervalo" in text_of(d, "#marcacoes")
        shots.take("05-marcacoes")
        d.set_window_size(*PHONE)
        status = d.find_elements(By.CSS_SELECTOR, "#marcacoes td[data-label='Situação']")
        assert status and all(s.is_displayed() for s in status)
        d.set_window_size(*DESKTOP)

        # Exportações: the current month by default, then a picked month; employer filed
        d.get(url + "/exportacoes")
        first, last = month_bounds(today.year, today.month)
        assert text_of(d, "#periodo-texto") == ptbr.period(first, last)
        for field, value in (("cnpj", "11222333000181"), ("nome", "Padaria Pão Quente Ltda"),
                             ("inpi", "12345678901234567"), ("desenvolvedor", "11222333000181"),
                             ("desenvolvedor_nome", "PontoVoz Sistemas Ltda"),
                             ("desenvolvedor_email", "suporte@pontovoz.com.br")):  # fmt: skip
            d.find_element(By.CSS_SELECTOR, f"form[action='/empresa'] [name={field}]").send_keys(
                value
            )
        d.find_element(By.CSS_SELECTOR, "form[action='/empresa'] button").click()
        wait_for(lambda: d.current_url.endswith("/exportacoes"))
        prev = first.replace(day=1).toordinal() - 1
        py, pm = datetime.fromordinal(prev).year, datetime.fromordinal(prev).month
        d.execute_script("document.querySelector('input[name=mes]').value = arguments[0];",
                         f"{py:04d}-{pm:02d}")  # fmt: skip
        d.find_element(By.ID, "escolher-mes").click()
        wait_for(lambda: "mes=" in d.current_url)
        pfirst, plast = month_bounds(py, pm)
        afd = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "a.afd")]
        assert afd and all(h.endswith(f"?de={pfirst}&ate={plast}") for h in afd), afd
        assert text_of(d, "#periodo-texto") == ptbr.period(pfirst, plast)
        shots.take("10-exportacoes")

        # Espelho: on screen, then everyone's PDF in one file
        angela = sql(db, "SELECT id FROM employees WHERE cpf = '11144477735'")[0][0]
        d.get(url + f"/espelho?funcionario={angela}&mes={today:%Y-%m}")
        shots.take("09-espelho")
        d.find_element(By.ID, "baixar-todos").click()
        pdf = wait_for(lambda: list(downloads.glob("espelhos_*.pdf")))[0]
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        assert text.count("Página 1 de") == len(PEOPLE)
        assert "Cargo: Atendente" in text and "Admissão: 05/01/2026" in text
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf),
                        str(shots.folder / "17-espelhos-todos-pdf")], check=True)  # fmt: skip

        # a kiosk revoked on the command line: its alert opens to what to do
        kid = sql(db, "SELECT id FROM kiosks")[0][0]
        revoked = run_app("central", "revoke", "--database-url", db, str(kid))
        assert revoked.returncode == 0, revoked.stderr
        d.get(url + "/")
        d.find_element(By.CSS_SELECTOR, "#quiosques td.alertas a").click()
        wait_for(lambda: f"/quiosques/{kid}" in d.current_url)
        assert "Credencial revogada" in text_of(d, "#alertas")
        assert "enroll-code" in text_of(d, "#alertas")
        shots.take("18-quiosque-alertas")

        # Auditoria: sentences, the command line named with its OS user
        d.get(url + "/auditoria")
        log = text_of(d, "#auditoria")
        terminal = f"linha de comando ({getpass.getuser()})"
        for needle in (f"{terminal} criou o usuário ana (Ana Souza), perfil RH",
                       f"{terminal} cadastrou Ângela Müller no quadro de funcionários",
                       f"{terminal} revogou a credencial do quiosque",
                       "Ana Souza criou a equipe Loja Centro",
                       "Ana Souza criou o usuário gil (Gil Gestor), perfil gestor",
                       "Ana Souza baixou os espelhos de ponto de",
                       "Ana Souza entrou no painel"):  # fmt: skip
            assert needle in log.replace("\n", " "), needle
        assert "funcionario_criado" not in d.page_source and '{"' not in log
        shots.take("13-auditoria")

        # every other page on the phone too: no sideways scroll, nothing spilling
        flagged = sql(db, "SELECT id FROM punches WHERE flagged")[0][0]
        long_id = sql(db, "SELECT id FROM employees WHERE cpf = '15350946056'")[0][0]
        pages = [
            (f"/funcionarios/{long_id}", "04-funcionario"),
            ("/funcionarios/novo", "03-funcionario-novo"),
            ("/revisao", "06-revisao"),
            (f"/revisao/{flagged}", "07-revisao-marcacao"),
            ("/correcoes", "08-correcoes"),
            ("/horarios", "12-horarios"),
            ("/quarentena", "19-quarentena"),
            ("/marcacoes?de=x", "14-erro"),
        ]
        for path, name in pages:
            d.get(url + path)
            shots.take(name)

        # the gestor logs in
        d.find_element(By.CSS_SELECTOR, "form.who button").click()
        login(d, url, "gil")
        assert "Gil Gestor" in d.page_source
    finally:
        d.quit()
    assert not shots.spills, shots.spills
    assert all(p.stat().st_size > 5000 for p in shots.saved)
