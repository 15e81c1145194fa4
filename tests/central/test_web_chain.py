# ruff: noqa: F811 - pytest fixtures imported from hr_helpers are redefined as parameters
"""What HR sees of the chains (real web app, real PostgreSQL): the Hoje alert for records in
quarantine opens to their details (kiosk, NSR, both hashes) and closing one needs a written
note; every punch shows its chain state; a punch whose chain failed cannot be approved without
a written reason. The quarantine row is inserted as ingest writes it (the ingest path itself
is tested over HTTP in test_ingest/test_chain_roster)."""

from __future__ import annotations

import json

from tests.central.hr_helpers import PASSWORD, Site, csrf_of, site  # noqa: F401


def quarantine(site: Site) -> int:
    kiosk, held = site.sql("SELECT kiosk_id, hash FROM punches ORDER BY kiosk_id, nsr LIMIT 1")[0]
    record = {"nsr": 999, "type": "SAIDA", "employee_name": "Fulano Forjado", "cpf": "52998224725"}
    return site.sql(
        "INSERT INTO quarantined_records (kiosk_id, nsr, kind, uuid, reason, problem, hash,"
        " prev_hash, expected_prev, record) VALUES (:k, 999, 'punch', 'forjado-1', 'hash',"
        " 'hash do registro não confere com os campos', :h, :p, :e, :r) RETURNING id",
        k=kiosk, h="ab" * 32, p="cd" * 32, e=held, r=json.dumps(record),
    )[0][0]  # fmt: skip


def test_hoje_alert_opens_the_quarantine_and_closing_needs_a_note(site: Site):
    rh, gestor = site.client("rh"), site.client("gestor")
    assert "alerta-quarentena" not in rh.get("/").text
    qid = quarantine(site)
    today = rh.get("/").text
    assert 'id="alerta-quarentena"' in today and 'href="/quarentena"' in today
    assert "alerta-quarentena" not in gestor.get("/").text  # a team manager does not see it
    assert gestor.get("/quarentena").status_code == 403
    page = rh.get("/quarentena")
    assert page.status_code == 200
    assert "ab" * 32 in page.text and "cd" * 32 in page.text and "Fulano Forjado" in page.text
    assert ">999<" in page.text and "em aberto" in page.text
    assert "Fulano Forjado" not in rh.get("/marcacoes").text  # never an ordinary punch
    assert "Fulano Forjado" not in rh.get("/revisao").text
    short = rh.post(f"/quarentena/{qid}", data={"csrf": csrf_of(page.text), "nota": "ok"})
    assert short.status_code == 400 and "10 caracteres" in short.text
    note = "Credencial do quiosque revogada e trocada."
    done = rh.post(f"/quarentena/{qid}", data={"csrf": csrf_of(page.text), "nota": note})
    assert done.status_code == 303
    assert site.sql("SELECT ack_note, acknowledged_by FROM quarantined_records") == [
        (note, "Rita do RH")
    ]
    assert "alerta-quarentena" not in rh.get("/").text
    assert "verificado" in rh.get("/quarentena").text


def test_chain_state_on_punches_and_approval_needs_a_reason(site: Site):
    c = site.client("rh")
    pid, emp = site.sql(
        "SELECT id, employee_id FROM punches WHERE NOT flagged ORDER BY punched_at_ts DESC LIMIT 1"
    )[0]
    listing = c.get(f"/marcacoes?funcionario={emp}").text
    assert "cadeia ok" in listing and "cadeia falhou" not in listing
    site.sql(
        "UPDATE punches SET chain_ok = false, chain_problem = 'elo com o registro anterior não"
        " confere' WHERE id = :i RETURNING id",
        i=pid,
    )  # a punch held before quarantine existed
    assert "cadeia falhou" in c.get(f"/marcacoes?funcionario={emp}").text
    assert f"/revisao/{pid}" in c.get("/revisao").text  # it goes to review
    page = c.get(f"/revisao/{pid}")
    assert 'id="cadeia"' in page.text and "falhou" in page.text
    base = {"csrf": csrf_of(page.text), "decisao": "aprovar", "justificativa": "Conferido"}
    refused = c.post(f"/revisao/{pid}", data=base)
    assert refused.status_code == 400 and "cadeia de hashes" in refused.text
    assert site.sql("SELECT count(*) FROM hr_punch_decisions")[0][0] == 0
    why = "Comparado com o AFD do quiosque: mesmo registro."
    ok = c.post(f"/revisao/{pid}", data={**base, "motivo_cadeia": why})
    assert ok.status_code == 303
    (text,) = site.sql("SELECT justification FROM hr_punch_decisions")[0]
    assert why in text and "Cadeia falhou" in text
