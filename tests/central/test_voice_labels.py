# ruff: noqa: F811 - pytest fixtures imported from hr_helpers are redefined as parameters
"""Review decisions as labelled real voices (docs/CENTRAL-HR.md, "Real voices for the
verifier"), on the real PostgreSQL: consent on the HR form and by CLI (audited), the export
writes audio only for employees who consent now, labels it from the latest decision, keeps
names and CPFs out, and `eval` reads it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from app.central import voice_labels
from app.cli import main as cli
from app.core.audio import wav_bytes
from app.lab.evaluate import read_manifest
from tests.central.hr_helpers import Site, csrf_of, site  # noqa: F401

WAV = wav_bytes(np.zeros(1600, dtype=np.float32))


def run(site: Site, query: str, **params: object) -> None:
    """A statement that returns no rows (``Site.sql`` fetches them)."""
    with site.engine.begin() as conn:
        conn.execute(text(query), params)


def flagged_punch(site: Site, emp: int, n: int, approved: bool | None, audio: bool = True) -> int:
    """A flagged punch of ``emp`` (a copy of one of their seeded punches under a new NSR), its
    audio in Central, and a review decision (None: still pending)."""
    pid = site.sql(
        "INSERT INTO punches (kiosk_id, nsr, uuid, ledger_kiosk_id, employee_id,"
        " kiosk_employee_id, employee_name, cpf, type, punched_at, punched_at_ts, recorded_at,"
        " expected, transcript, validated, method, tries, flagged, flag_reason, offline,"
        " audio_sha256, afd_hash, prev_hash, hash, chain_ok, chain_problem)"
        " SELECT kiosk_id, 900000 + :emp * 100 + :n, :uuid, ledger_kiosk_id, employee_id,"
        " kiosk_employee_id, employee_name, cpf, type, punched_at, punched_at_ts, recorded_at,"
        " expected,"
        " 'entrada 3 e 57', false, 'text', 3, true, 'voz não validada após 3 tentativas',"
        " offline, audio_sha256, afd_hash, prev_hash, hash, true, ''"
        " FROM punches WHERE employee_id = :emp ORDER BY id LIMIT 1 OFFSET :n RETURNING id",
        n=n, uuid=str(uuid.uuid4()), emp=emp,
    )[0][0]  # fmt: skip
    if audio:
        run(site, "INSERT INTO punch_audio (punch_id, data) VALUES (:p, :d)", p=pid, d=WAV)
    if approved is not None:
        rh = site.sql("SELECT id FROM hr_users WHERE username = 'rh'")[0][0]
        run(
            site,
            "INSERT INTO hr_punch_decisions (punch_id, approved, justification, user_id, author)"
            " VALUES (:p, :a, 'conferido com o gestor', :u, 'Rita do RH')",
            p=pid, a=approved, u=rh,
        )  # fmt: skip
    return pid


def consent_cli(site: Site, emp: int, *extra: str) -> int:
    cpf = site.sql("SELECT cpf FROM employees WHERE id = :e", e=emp)[0][0]
    url = site.engine.url.render_as_string(hide_password=False)
    return cli(["central", "employees", "consent", "--database-url", url, "--cpf", cpf, *extra])


def export(site: Site, out: Path, *extra: str) -> int:
    url = site.engine.url.render_as_string(hide_password=False)
    return cli(["central", "labels", "export", "--database-url", url, "--out", str(out), *extra])


def manifest(out: Path) -> list[dict]:
    return read_manifest(out / voice_labels.MANIFEST)


def test_consent_export_labels_and_revoke(site: Site, tmp_path, capsys):
    yes, no = site.employees[0], site.employees[1]
    approved = flagged_punch(site, yes, 0, True)
    rejected = flagged_punch(site, yes, 1, False)
    flagged_punch(site, yes, 2, None)  # pending: not a label
    flagged_punch(site, yes, 3, True, audio=False)  # no audio in Central
    twice = flagged_punch(site, yes, 4, False)
    rh = site.sql("SELECT id FROM hr_users WHERE username = 'rh'")[0][0]
    run(
        site,
        "INSERT INTO hr_punch_decisions (punch_id, approved, justification, user_id, author)"
        " VALUES (:p, true, 'revisto de novo', :u, 'Rita do RH')",
        p=twice, u=rh,
    )  # the latest decision counts  # fmt: skip
    flagged_punch(site, no, 0, True)
    flagged_punch(site, no, 1, False)

    assert consent_cli(site, yes) == 0
    said = capsys.readouterr().out
    assert "consentimento de voz registrado" in said and "melhorar o reconhecimento" in said
    out = tmp_path / "rotulos"
    assert export(site, out) == 0
    said = capsys.readouterr().out
    assert "3 marcações exportadas" in said
    assert "2 marcações puladas: funcionário sem consentimento" in said
    assert "1 marcação sem áudio" in said

    items = manifest(out)
    assert len(items) == 3 and {i["voice"] for i in items} == {"real"}
    assert sorted((i["kind"], i["label"]) for i in items) == [
        ("review_approved", True), ("review_approved", True), ("review_rejected", False)
    ]  # fmt: skip
    assert len({i["speaker"] for i in items}) == 1
    for item in items:
        assert item["path"].read_bytes() == WAV
        assert item["expected_speech"]
    expected = dict(site.sql("SELECT id, expected FROM punches WHERE id IN (:a, :r)",
                             a=approved, r=rejected))  # fmt: skip
    assert {i["expected_speech"] for i in items} >= set(expected.values())
    text = (out / voice_labels.MANIFEST).read_text(encoding="utf-8")
    for name, cpf in site.sql("SELECT name, cpf FROM employees"):
        assert name not in text and cpf not in text  # pseudonymous only
    assert len(list((out / voice_labels.AUDIO_DIR).iterdir())) == 3

    assert consent_cli(site, yes, "--revogar") == 0
    assert "revogado" in capsys.readouterr().out
    assert export(site, out) == 0  # same folder: what is no longer allowed goes
    said = capsys.readouterr().out
    assert "0 marcações exportadas" in said and "3 áudios de exportação anterior" in said
    assert manifest(out) == [] and list((out / voice_labels.AUDIO_DIR).iterdir()) == []
    other = tmp_path / "outra"
    assert export(site, other) == 0 and manifest(other) == []

    rows = site.sql("SELECT username, action, detail FROM hr_audit ORDER BY id")
    actions = [r[1] for r in rows if "voz" in r[1]]
    assert actions == ["consentimento_voz_dado", "rotulos_voz_exportados",
                       "consentimento_voz_revogado", "rotulos_voz_exportados",
                       "rotulos_voz_exportados"]  # fmt: skip
    first_export = json.loads(next(r[2] for r in rows if r[1] == "rotulos_voz_exportados"))
    assert first_export["exported"] == 3 and first_export["without_consent"] == 2
    assert all(r[0].startswith("terminal") for r in rows if "voz" in r[1])


def test_period_filter_and_refusals(site: Site, tmp_path, capsys):
    emp = site.employees[2]
    flagged_punch(site, emp, 0, True)
    assert consent_cli(site, emp) == 0
    day = site.sql(
        "SELECT (punched_at_ts AT TIME ZONE 'America/Sao_Paulo')::date FROM punches"
        " WHERE nsr >= 900000"
    )[0][0]
    out = tmp_path / "p"
    assert export(site, out, "--from", day.isoformat(), "--to", day.isoformat()) == 0
    assert len(manifest(out)) == 1
    assert export(site, out, "--from", "2030-01-01") == 0 and manifest(out) == []
    capsys.readouterr()
    assert export(site, out, "--from", "2026-11-02", "--to", "2026-11-01") == 2
    assert "período inválido" in capsys.readouterr().err
    (tmp_path / "cheia").mkdir()
    (tmp_path / "cheia" / "notas.txt").write_text("x")
    assert export(site, tmp_path / "cheia") == 2
    assert "outros arquivos" in capsys.readouterr().err
    assert consent_cli(site, emp, "--revoke") == 0
    assert consent_cli(site, emp, "--revoke") == 0
    assert "não havia consentimento" in capsys.readouterr().out


def test_consent_on_the_hr_form(site: Site):
    emp = site.employees[0]
    rh, gestor = site.client("rh"), site.client("gestor")
    page = rh.get(f"/funcionarios/{emp}")
    assert page.status_code == 200
    assert "Consentimento de voz (LGPD)" in page.text and "Sem consentimento" in page.text
    assert "melhorar o reconhecimento de voz do ponto" in page.text
    assert "revogável a qualquer momento" in page.text
    token = csrf_of(page.text)
    url = f"/funcionarios/{emp}/consentimento-voz"
    r = rh.post(url, data={"csrf": token, "acao": "dar"})  # purpose not confirmed
    assert r.status_code == 400 and "Confirme que o funcionário leu a finalidade" in r.text
    assert rh.post(url, data={"acao": "dar", "confirmo": "1"}).status_code == 400  # no CSRF
    mine = site.sql("SELECT employee_id FROM hr_employee_profiles WHERE team_id = :t",
                    t=site.team_a)[0][0]  # fmt: skip
    g_page = gestor.get(f"/funcionarios/{mine}")
    form = {"csrf": csrf_of(g_page.text), "acao": "dar", "confirmo": "1"}
    r = gestor.post(f"/funcionarios/{mine}/consentimento-voz", data=form)
    assert r.status_code == 403  # only HR records consent
    assert site.sql("SELECT voice_consent_at FROM employees WHERE id = :e", e=emp)[0][0] is None

    r = rh.post(url, data={"csrf": token, "acao": "dar", "confirmo": "1"})
    assert r.status_code == 303
    at, purpose, by = site.sql(
        "SELECT voice_consent_at, voice_consent_purpose, voice_consent_by FROM employees"
        " WHERE id = :e", e=emp,
    )[0]  # fmt: skip
    assert at is not None and purpose == voice_labels.PURPOSE and by == "Rita do RH"
    page = rh.get(f"/funcionarios/{emp}")
    assert "Consentimento registrado" in page.text and "Revogar consentimento" in page.text
    r = rh.post(url, data={"csrf": token, "acao": "revogar"})
    assert r.status_code == 303
    assert site.sql("SELECT voice_consent_at FROM employees WHERE id = :e", e=emp)[0][0] is None
    audit = site.sql("SELECT username, action, target FROM hr_audit WHERE action LIKE '%voz%'")
    assert [(u, a) for u, a, _ in audit] == [
        ("rh", "consentimento_voz_dado"), ("rh", "consentimento_voz_revogado")
    ]  # fmt: skip
    assert {t for _, _, t in audit} == {f"funcionario:{emp}"}


@pytest.mark.parametrize("expected,said", [("ENTRADA 08 05", "ENTRADA 8 5"), ("PAUSA", "")])
def test_said_from_the_expected_phrase(expected, said):
    assert voice_labels._said("ENTRADA", expected) == said
