# ruff: noqa: F811 - pytest fixtures imported from hr_helpers are redefined as parameters
"""The employee form's placement (team, schedule, kiosks, admission, role) over real HTTP on a
real PostgreSQL: adding and editing read the same fields, several kiosks arrive as a list, and a
team, schedule or kiosk that does not exist is a pt-BR 400 page that changes nothing."""

from __future__ import annotations

from tests.central.hr_helpers import Site, csrf_of, site  # noqa: F401 - fixture


def _placement(site: Site, employee_id: int) -> tuple:
    (row,) = site.sql(
        "SELECT e.all_kiosks, p.team_id, p.schedule_code, e.role, e.admission_date::text"
        " FROM employees e JOIN hr_employee_profiles p ON p.employee_id = e.id WHERE e.id = :id",
        id=employee_id,
    )
    kiosks = site.sql(
        "SELECT kiosk_id FROM employee_kiosks WHERE employee_id = :id ORDER BY kiosk_id",
        id=employee_id,
    )
    return (*row, [k[0] for k in kiosks])


def test_add_then_edit_reads_the_same_placement_fields(site: Site):
    rh = site.client("rh")
    kiosks = [k[0] for k in site.sql("SELECT id FROM kiosks ORDER BY id")]
    assert len(kiosks) >= 2
    new = {"csrf": csrf_of(rh.get("/funcionarios/novo").text), "nome": "  Maria   Clara ",
           "cpf": "111.444.777-35", "pin": "472915", "equipe": str(site.team_b),
           "horario": "PADRAO", "quiosques": [str(k) for k in kiosks[:2]], "cargo": "Caixa",
           "admissao": "2026-11-03"}  # fmt: skip
    r = rh.post("/funcionarios/novo", data=new)
    assert r.status_code == 303, r.text
    eid = int(r.headers["location"].split("/")[2].split("?")[0])
    assert site.sql("SELECT name FROM employees WHERE id = :id", id=eid)[0][0] == "Maria Clara"
    assert _placement(site, eid) == (
        False, site.team_b, "PADRAO", "Caixa", "2026-11-03", kiosks[:2]
    )  # fmt: skip

    edit = {"csrf": csrf_of(rh.get(f"/funcionarios/{eid}").text), "nome": "Maria Clara Reis",
            "equipe": str(site.team_a), "horario": "", "quiosques": [str(kiosks[1])],
            "cargo": "Gerente", "admissao": "2026-10-01"}  # fmt: skip
    assert rh.post(f"/funcionarios/{eid}", data=edit).status_code == 303
    assert _placement(site, eid) == (
        False, site.team_a, None, "Gerente", "2026-10-01", [kiosks[1]]
    )  # fmt: skip

    everywhere = {**edit, "todos_quiosques": "1"}
    assert rh.post(f"/funcionarios/{eid}", data=everywhere).status_code == 303
    assert _placement(site, eid) == (True, site.team_a, None, "Gerente", "2026-10-01", [])

    for field, value, words in (("quiosques", ["999999"], "Quiosque inexistente."),
                                ("equipe", "999999", "Equipe inexistente."),
                                ("horario", "NAO-EXISTE", "Horário de trabalho inexistente."),
                                ("nome", " x ", "Informe o nome completo")):  # fmt: skip
        bad = rh.post(f"/funcionarios/{eid}", data={**edit, field: value})
        assert bad.status_code == 400 and words in bad.text, (field, bad.text)
        assert _placement(site, eid) == (True, site.team_a, None, "Gerente", "2026-10-01", [])
