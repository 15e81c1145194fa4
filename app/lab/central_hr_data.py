"""Synthetic HR data in Central's PostgreSQL: kiosks, employees, teams, schedules and months of
punches (with their real AFD hash chains), for the HR page benchmark and the web tests.

Each employee has a home kiosk and a schedule: day shift (08:00-12:00, 13:00-17:00 Monday to
Friday, 08:00-12:00 Saturday) or night shift (22:00-02:00, 03:00-06:00, Monday to Friday).
Times jitter by a few minutes; a share of days are absences, missing exits, and flagged punches
(voice not validated). Punches are loaded with COPY (250,000 rows in seconds), bypassing
ingest: the AFD chain is real (the AFD export is byte-true), the ledger ``hash`` is a stand-in
over a few fields, so these rows are for pages and timings, not for chain checks.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from app.rep.chain import afd_hash, afd_type7_body, record_hash

TZ = ZoneInfo("America/Sao_Paulo")
FIRST = (
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elaine",
    "Fábio",
    "Gabriela",
    "Heitor",
    "Íris",
    "João",
    "Karina",
    "Lucas",
    "Marina",
    "Nelson",
    "Olívia",
    "Paulo",
    "Quésia",
    "Rafael",
    "Sônia",
    "Tiago",
    "Úrsula",
    "Vítor",
    "Wânia",
    "Xavier",
    "Yara",
    "Zeca",
)
LAST = (
    "Souza",
    "Lima",
    "Oliveira",
    "Santos",
    "Pereira",
    "Costa",
    "Rodrigues",
    "Almeida",
    "Nascimento",
    "Araújo",
    "Ribeiro",
    "Carvalho",
    "Gomes",
    "Martins",
    "Rocha",
    "Barbosa",
)
PHRASE = {"ENTRADA": "ENTRADA", "INTERVALO": "INTERVALO", "RETORNO": "RETORNO", "SAIDA": "SAIDA"}


@dataclass(frozen=True)
class Seeded:
    kiosks: int
    employees: int
    punches: int
    flagged: int
    employee_ids: list[int]


def make_cpf(rng: random.Random) -> str:
    d = [rng.randrange(10) for _ in range(9)]
    for n in (9, 10):
        total = sum(d[i] * (n + 1 - i) for i in range(n))
        d.append(total * 10 % 11 % 10)
    return "".join(map(str, d))


def _day_plan(day: date, night: bool) -> list[tuple[str, datetime]]:
    wd = day.weekday()
    if night:
        if wd >= 5:
            return []
        nxt = day + timedelta(days=1)
        return [
            ("ENTRADA", datetime.combine(day, time(22, 0), TZ)),
            ("INTERVALO", datetime.combine(nxt, time(2, 0), TZ)),
            ("RETORNO", datetime.combine(nxt, time(3, 0), TZ)),
            ("SAIDA", datetime.combine(nxt, time(6, 0), TZ)),
        ]
    if wd == 6:
        return []
    if wd == 5:
        return [
            ("ENTRADA", datetime.combine(day, time(8, 0), TZ)),
            ("SAIDA", datetime.combine(day, time(12, 0), TZ)),
        ]
    return [
        ("ENTRADA", datetime.combine(day, time(8, 0), TZ)),
        ("INTERVALO", datetime.combine(day, time(12, 0), TZ)),
        ("RETORNO", datetime.combine(day, time(13, 0), TZ)),
        ("SAIDA", datetime.combine(day, time(17, 0), TZ)),
    ]


def seed(
    engine: Engine,
    employees: int = 200,
    first: date = date(2025, 12, 1),
    last: date = date(2026, 11, 30),
    kiosks: int = 4,
    seed_value: int = 1,
    flagged_rate: float = 0.01,
) -> Seeded:
    """Add kiosks, teams, employees and every punch from ``first`` to ``last`` (inclusive)."""
    rng = random.Random(seed_value)
    now = datetime.now(TZ)
    with engine.begin() as conn:
        kiosk_ids = []
        for i in range(kiosks):
            kid = conn.execute(
                text(
                    "INSERT INTO kiosks (name, ledger_kiosk_id, token_hash, last_seen_at,"
                    " clock_offset_s, head_nsr, head_hash) VALUES (:n, :l, :t, :s, :o, 0, :h)"
                    " RETURNING id"
                ),
                {
                    "n": f"Portaria {i + 1}",
                    "l": f"K{i + 1:02d}",
                    "t": secrets.token_hex(32),
                    "s": now - timedelta(seconds=30 if i % 3 else 900),
                    "o": rng.uniform(-2, 2),
                    "h": "0" * 64,
                },
            ).scalar_one()
            kiosk_ids.append(kid)
        teams = []
        for name in ("Produção", "Logística", "Administrativo", "Noturno"):
            teams.append(
                conn.execute(
                    text(
                        "INSERT INTO hr_teams (name) VALUES (:n) ON CONFLICT (name) DO UPDATE"
                        " SET name = EXCLUDED.name RETURNING id"
                    ),
                    {"n": name},
                ).scalar_one()
            )
        conn.execute(
            text(
                "INSERT INTO hr_schedules (code, name, week, start, break_minutes, night_start,"
                " night_end) VALUES ('NOTURNO', 'Noturno seg-sex 22:00-06:00',"
                " '420,420,420,420,420,0,0', '22:00', 60, '22:00', '05:00') ON CONFLICT DO NOTHING"
            )
        )
        people = []
        used: set[str] = set()
        for i in range(employees):
            cpf = make_cpf(rng)
            while cpf in used:
                cpf = make_cpf(rng)
            used.add(cpf)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
            eid = conn.execute(
                text(
                    "INSERT INTO employees (name, cpf, pin_index, pin_hash, active, all_kiosks,"
                    " created_at) VALUES (:n, :c, :pi, 'scrypt$x', true, true, :since)"
                    " RETURNING id"
                ),
                {
                    "n": name,
                    "c": cpf,
                    "pi": secrets.token_hex(32),
                    "since": datetime.combine(first, time(0), TZ),
                },
            ).scalar_one()
            night = i % 10 == 9
            team = teams[3] if night else teams[i % 3]
            conn.execute(
                text(
                    "INSERT INTO hr_employee_profiles (employee_id, team_id, schedule_code)"
                    " VALUES (:e, :t, :s)"
                ),
                {"e": eid, "t": team, "s": "NOTURNO" if night else "PADRAO"},
            )
            people.append((eid, name, cpf, night, kiosk_ids[i % kiosks]))
    rows = _punches(rng, people, first, last, flagged_rate)
    _copy(engine, rows, kiosk_ids)
    flagged = sum(1 for r in rows if r["flagged"])
    return Seeded(kiosks, employees, len(rows), flagged, [p[0] for p in people])


def _punches(rng, people, first, last, flagged_rate):
    rows = []
    day = first
    while day <= last:
        for eid, name, cpf, night, kiosk in people:
            plan = _day_plan(day, night)
            if not plan or rng.random() < 0.03:  # day off or absence
                continue
            if rng.random() < 0.01:
                plan = plan[:-1]  # forgot the exit
            for type_, at in plan:
                at = at + timedelta(minutes=rng.randint(-6, 9), seconds=rng.randint(0, 59))
                flagged = rng.random() < flagged_rate
                rows.append(
                    {
                        "eid": eid,
                        "name": name,
                        "cpf": cpf,
                        "kiosk": kiosk,
                        "type": type_,
                        "at": at,
                        "flagged": flagged,
                    }
                )
        day += timedelta(days=1)
    rows.sort(key=lambda r: r["at"])
    return rows


def _copy(engine: Engine, rows: list[dict], kiosk_ids: list[int]) -> None:
    nsr = dict.fromkeys(kiosk_ids, 0)
    prev = dict.fromkeys(kiosk_ids, "0" * 64)
    prev_afd: dict[int, str | None] = dict.fromkeys(kiosk_ids)
    cols = (
        "kiosk_id",
        "nsr",
        "uuid",
        "ledger_kiosk_id",
        "employee_id",
        "kiosk_employee_id",
        "employee_name",
        "cpf",
        "type",
        "punched_at",
        "punched_at_ts",
        "recorded_at",
        "expected",
        "transcript",
        "validated",
        "method",
        "tries",
        "flagged",
        "flag_reason",
        "offline",
        "audio_sha256",
        "afd_hash",
        "prev_hash",
        "hash",
        "chain_ok",
        "chain_problem",
    )
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY punches ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                k = r["kiosk"]
                nsr[k] += 1
                at: datetime = r["at"]
                rec = at + timedelta(seconds=2)
                punched, recorded = (
                    at.isoformat(timespec="seconds"),
                    rec.isoformat(timespec="seconds"),
                )
                body = afd_type7_body(nsr[k], punched, r["cpf"], recorded, False)
                ah = afd_hash(prev_afd[k], body)
                prev_afd[k] = ah
                hh, mm = at.hour, at.minute
                expected = f"{PHRASE[r['type']]} {hh:02d} {mm:02d}"
                heard = "" if r["flagged"] else expected.lower()
                h = record_hash(prev[k], {"nsr": nsr[k], "punched_at": punched, "type": r["type"]})
                values = (
                    k,
                    nsr[k],
                    _uuid(k, nsr[k]),
                    f"K{kiosk_ids.index(k) + 1:02d}",
                    r["eid"],
                    r["eid"],
                    r["name"],
                    r["cpf"],
                    r["type"],
                    punched,
                    at,
                    recorded,
                    expected,
                    heard,
                    not r["flagged"],
                    "text",
                    3 if r["flagged"] else 1,
                    r["flagged"],
                    "voz não validada após 3 tentativas" if r["flagged"] else "",
                    False,
                    hashlib.sha256(b"").hexdigest(),
                    ah,
                    prev[k],
                    h,
                    True,
                    "",
                )
                prev[k] = h
                cp.write_row(values)
        for k in kiosk_ids:
            cur.execute(
                "UPDATE kiosks SET head_nsr = %s, head_hash = %s WHERE id = %s",
                (nsr[k], prev[k], k),
            )
        raw.commit()
    finally:
        raw.close()


def _uuid(kiosk: int, nsr: int) -> str:
    h = hashlib.sha256(f"{kiosk}:{nsr}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
