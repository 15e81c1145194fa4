"""The HR back office in a real browser (Debian's Chromium, headless, through chromedriver)
against a real Central (subprocess, real PostgreSQL, real HTTP) fed by a real kiosk (its own
PONTOVOZ_HOME, real model, real ledger, real sync).

HR logs in, adds an employee, the kiosk syncs the roster, punches (one validated, one that the
voice check rejects, so it is flagged) and pushes; HR sees the punch arrive, approves the flagged
one, adds a forgotten exit, downloads the espelho PDF and the AEJ. Every page is screenshot on a
desktop and a phone width: into PONTOVOZ_SCREENSHOTS when set (docs/screenshots/central), else
into the test's tmp dir.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import create_engine, text

from app.central.aej_check import check as check_aej
from app.central.db import normalize_url
from tests.app_cli import run_app
from tests.central.browser_helpers import (
    PASSWORD,
    add_hr_user,
    needs_chromium,
    open_browser,
    wait_for,
)

TZ = ZoneInfo("America/Sao_Paulo")
CPF = "52998224725"
DESKTOP = (1366, 900)
pytestmark = needs_chromium


def test_hr_back_office_in_a_browser(tmp_path, central_server, verifier, make_clip, monkeypatch):
    from app.punch.service import PunchService
    from app.store.ledger import Ledger
    from app.store.settings import LedgerSettings

    db, url = central_server.database_url, central_server.url
    engine = create_engine(normalize_url(db))
    with engine.begin() as conn:
        employer = (
            "(1, '11222333000181', 'Padaria Pão Quente Ltda', '12345678901234567',"
            " '11222333000181', 'PontoVoz Sistemas Ltda', 'suporte@pontovoz.com.br')"
        )
        columns = "id, cnpj, name, inpi, developer_id, developer_name, developer_email"
        conn.execute(text(f"INSERT INTO hr_employer ({columns}) VALUES {employer}"))
    add_hr_user(db, "rita", "Rita do RH")
    home = tmp_path / "kiosk"
    (home / "config").mkdir(parents=True)
    ledger_cfg = {"kiosk_id": "01", "employer_name": "Padaria Pão Quente Ltda",
                  "employer_id": "11222333000181", "place": "Porta da frente",
                  "audio_retention_days": 30}  # fmt: skip
    (home / "config" / "settings.json").write_text(json.dumps({"ledger": ledger_cfg}))
    code = run_app("central", "enroll-code", "--database-url", db).stdout.split()[0]
    joined = run_app("central", "join", "--url", url, "--code", code, "--name", "Porta da frente",
                 home=home)  # fmt: skip
    assert joined.returncode == 0, joined.stderr

    d, shots, downloads = open_browser(tmp_path, DESKTOP, tallest=4000)
    try:
        d.get(url + "/")
        assert "/entrar" in d.current_url
        shots.take("01-entrar")
        d.find_element(By.ID, "usuario").send_keys("rita")
        d.find_element(By.ID, "senha").send_keys("errada")
        d.find_element(By.ID, "entrar").click()
        wait_for(lambda: "Usuário ou senha incorretos." in d.page_source)
        d.find_element(By.ID, "senha").send_keys(PASSWORD)
        d.find_element(By.ID, "entrar").click()
        wait_for(lambda: "Presentes agora" in d.page_source)

        # add an employee through the form
        d.get(url + "/funcionarios")
        d.find_element(By.ID, "novo-funcionario").click()
        wait_for(lambda: d.find_elements(By.ID, "cpf"))
        shots.take("03-funcionario-novo")
        d.find_element(By.ID, "nome").send_keys("Carla Dias")
        d.find_element(By.ID, "cpf").send_keys("529.982.247-25")
        d.find_element(By.ID, "pin").send_keys("472915")
        d.find_element(By.ID, "salvar").click()
        wait_for(lambda: "Alterações salvas." in d.page_source)
        shots.take("04-funcionario")

        # the kiosk gets the roster, punches (validated + flagged) and pushes to Central
        assert run_app("central", "sync", home=home).returncode == 0
        monkeypatch.setenv("PONTOVOZ_HOME", str(home))
        settings = LedgerSettings.load(home / "config" / "settings.json")
        now = datetime.now(TZ)
        with Ledger.open(home / "data" / "ledger.sqlite3", settings) as ledger:
            service = PunchService(ledger, verifier)
            carla = service.identify(pin="472915")
            assert carla is not None and carla.name == "Carla Dias"
            wrong = make_clip("Bom dia a todos, tudo bem?")
            at = service.challenge("ENTRADA")  # the kiosk's own clock says which time to say
            good = make_clip(f"Entrada, {at.hour} horas e {at.minute} minutos.")
            punch, _ = service.punch_once(carla, "ENTRADA", good)  # flagged if the minute turned
            flagged, _ = service.punch_once(carla, "INTERVALO", wrong)
            assert flagged.flagged
            to_review = 1 + int(punch.flagged)
        pushed = run_app("central", "sync", home=home)
        assert pushed.returncode == 0, pushed.stderr

        d.get(url + "/")
        wait_for(lambda: "Carla Dias" in d.page_source)
        assert "Porta da frente" in d.page_source and "on-line" in d.page_source
        shots.take("02-hoje")
        d.get(url + "/marcacoes")
        table = d.find_element(By.ID, "marcacoes").text
        assert "Carla Dias" in table and punch.expected in table
        shots.take("05-marcacoes")

        # approve the flagged punch with a justification
        d.get(url + "/revisao")
        assert d.find_element(By.ID, "pendentes").text == str(to_review)
        shots.take("06-revisao")
        d.find_element(By.LINK_TEXT, "Revisar").click()
        wait_for(lambda: d.find_elements(By.ID, "decidir"))
        shots.take("07-revisao-marcacao")
        for _ in range(to_review):  # each decision leads to the next pending punch
            assert "Frase pedida" in d.page_source
            d.find_element(By.ID, "aprovar").click()
            d.find_element(By.ID, "justificativa").send_keys("Ouvi o áudio: frase dita certa.")
            old = d.current_url
            d.find_element(By.ID, "decidir").click()
            wait_for(lambda old=old: d.current_url != old)
        wait_for(lambda: "Nada para revisar." in d.page_source)
        with engine.connect() as conn:
            decided = conn.execute(
                text("SELECT p.expected FROM hr_punch_decisions d JOIN punches p"
                     " ON p.id = d.punch_id WHERE d.approved")
            ).scalars().all()  # fmt: skip
        assert flagged.expected in decided and len(decided) == to_review

        # add the forgotten exit as a correction
        d.get(url + "/correcoes")
        Select(d.find_element(By.ID, "corr-funcionario")).select_by_visible_text("Carla Dias")
        d.execute_script(
            "document.getElementById('corr-data').value = arguments[0];"
            "document.getElementById('corr-hora').value = '00:01';",
            now.date().isoformat(),
        )
        Select(d.find_element(By.ID, "corr-tipo")).select_by_visible_text("Saída")
        d.find_element(By.ID, "corr-motivo").send_keys("Esqueceu de marcar; confirmado.")
        d.find_element(By.ID, "incluir").click()
        wait_for(lambda: "Esqueceu de marcar; confirmado." in d.page_source)
        shots.take("08-correcoes")

        # espelho on screen, its PDF, the AEJ
        d.get(url + "/espelho")
        Select(d.find_element(By.ID, "esp-funcionario")).select_by_visible_text("Carla Dias")
        d.find_element(By.ID, "ver-espelho").click()
        wait_for(lambda: "Baixar PDF" in d.page_source)
        marks = d.find_elements(By.CSS_SELECTOR, "span.mk")
        kinds = {m.get_attribute("class").split()[-1] for m in marks}
        assert {"incluida", "aprovada"} <= kinds, kinds
        shots.take("09-espelho")
        d.find_element(By.ID, "baixar-pdf").click()
        pdf = wait_for(lambda: [p for p in downloads.glob("espelho_*.pdf")])
        assert pdf[0].read_bytes().startswith(b"%PDF")
        d.get(url + "/exportacoes")
        first = now.date().replace(day=1).isoformat()
        d.execute_script("document.querySelector('input[name=de]').value = arguments[0];"
                         "document.querySelector('input[name=ate]').value = arguments[1];",
                         first, now.date().isoformat())  # fmt: skip
        shots.take("10-exportacoes")
        d.find_element(By.ID, "baixar-aej").click()
        aej = wait_for(lambda: [p for p in downloads.glob("AEJ_*.txt")])
        data = aej[0].read_bytes()
        assert check_aej(data) == []
        lines = data.decode("iso-8859-1").split("\r\n")
        assert sum(1 for x in lines if x.startswith("05|")) == 3
        assert any("|I||Esqueceu de marcar; confirmado." in x for x in lines)

        more = [("/funcionarios", "11-funcionarios"), ("/horarios", "12-horarios"),
                ("/auditoria", "13-auditoria"), ("/marcacoes?de=x", "14-erro")]  # fmt: skip
        for path, name in more:
            d.get(url + path)
            shots.take(name)
        d.get(url + "/auditoria")
        audit = d.page_source
        # the audit log reads as sentences
        for action in ("entrou no painel", "no quadro de funcionários", "aprovou a marcação",
                       "incluiu uma marcação de saída", "baixou o espelho de ponto de",
                       "exportou o AEJ de"):  # fmt: skip
            assert action in audit, action
    finally:
        d.quit()
        engine.dispose()
    assert len(shots.saved) == 28 and all(p.stat().st_size > 5000 for p in shots.saved)
