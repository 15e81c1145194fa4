"""How fast the HR pages are with a year of data: 200 employees x 12 months (~250,000 punches)
in a throwaway PostgreSQL, Central served by ``python -m app central serve`` (real HTTP on
127.0.0.1), every page requested N times by a logged-in client; and the month's espelho for
everyone (all 200 computed, and all 200 PDFs written).

    python -m app.lab.central_pages_bench [--employees 200] [--months 12] [--repeat 20] [--json F]

Targets (docs/FIGURES.md, "Central HR back office"): every page p95 <= 300 ms; a month's espelho for
everyone <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "senha-do-bench-1"


def _months_back(last: date, months: int) -> date:
    y, m = last.year, last.month - months + 1
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def _wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("Central exited")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("Central did not start")


def _timed(client: httpx.Client, path: str, repeat: int) -> dict:
    for _ in range(2):  # warm-up
        r = client.get(path)
        if r.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {r.status_code}: {r.text[:300]}")
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, path
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"path": path, "p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1),
            "max_ms": round(times[-1], 1), "bytes": len(r.content)}  # fmt: skip


def everyone(url: str, year: int, month: int) -> dict:
    """The month's espelho for every employee: computed (one pass), and as 200 PDFs."""
    from sqlalchemy import select

    from app.central.db import make_engine, session_factory, session_scope
    from app.central.espelho_pdf import Header, espelho_pdf
    from app.central.hr_data import espelhos
    from app.central.models import Employee

    factory = session_factory(make_engine(url, pool_size=2))
    with session_scope(factory) as s:
        people = list(s.scalars(select(Employee).order_by(Employee.name)))
        t = time.perf_counter()
        sheets = espelhos(s, year, month, people, today=date.today())
        computed = time.perf_counter() - t
    t2 = time.perf_counter()
    size = 0
    for e, sh in sheets:
        h = Header("Empresa do Bench Ltda", "12345678000195", e.name, e.cpf, datetime.now())
        size += len(espelho_pdf(h, sh))
    pdfs = time.perf_counter() - t2
    return {"employees": len(people), "compute_s": round(computed, 2),
            "pdfs_s": round(pdfs, 2), "total_s": round(computed + pdfs, 2),
            "pdf_mb": round(size / 1e6, 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employees", type=int, default=200)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from sqlalchemy import text

    from app.central import pgcluster
    from app.central.db import make_engine, migrate
    from app.lab.central_hr_data import seed

    root = Path(tempfile.mkdtemp(prefix="pontovoz-bench-"))
    root.chmod(0o755)
    cluster = pgcluster.create(root / "cluster")
    proc = None
    try:
        migrate(cluster.url)
        engine = make_engine(cluster.url, pool_size=2)
        last = date.today() - timedelta(days=1)
        first = _months_back(last, args.months)
        t = time.perf_counter()
        seeded = seed(engine, employees=args.employees, first=first, last=last, kiosks=4)
        seed_s = time.perf_counter() - t
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            conn.execute(text("INSERT INTO hr_employer (id, cnpj, name, inpi, developer_id) VALUES"
                              " (1, '12345678000195', 'Empresa do Bench Ltda',"
                              " '12345678901234567', '11222333000181')"))  # fmt: skip
            pid = conn.execute(text("SELECT id FROM punches WHERE flagged LIMIT 1")).scalar()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PONTOVOZ_HR_PASSWORD": PASSWORD}
        subprocess.run([sys.executable, "-m", "app", "central", "users", "add", "--database-url",
                        cluster.url, "--username", "rh", "--name", "RH"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        port = pgcluster.free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "app", "central", "serve",
                                 "--database-url", cluster.url, "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL)  # fmt: skip
        _wait(url, proc)
        client = httpx.Client(base_url=url, timeout=120)
        assert client.post("/entrar", data={"usuario": "rh", "senha": PASSWORD}).status_code == 303
        emp = seeded.employee_ids[len(seeded.employee_ids) // 2]
        prev = last.replace(day=1) - timedelta(days=1)
        mes = f"{prev:%Y-%m}"
        de, ate = prev.replace(day=1).isoformat(), prev.isoformat()
        pages = ["/", "/funcionarios", f"/funcionarios/{emp}", "/horarios", "/marcacoes",
                 f"/marcacoes?funcionario={emp}&de={de}&ate={ate}", "/marcacoes?sinalizadas=1",
                 "/marcacoes?pagina=50", "/revisao", f"/revisao/{pid}", "/correcoes",
                 f"/espelho?funcionario={emp}&mes={mes}", "/exportacoes", "/auditoria",
                 f"/espelho/{emp}/{mes}.pdf", f"/exportacoes/afd/1?de={de}&ate={ate}"]  # fmt: skip
        heavy = [f"/folha/{mes}.csv", f"/folha/{mes}.xlsx", f"/exportacoes/aej?de={de}&ate={ate}"]
        results = [_timed(client, p, args.repeat) for p in pages]
        downloads = [_timed(client, p, max(3, args.repeat // 4)) for p in heavy]
        all_month = everyone(cluster.url, prev.year, prev.month)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(15)
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
    report = {"punches": seeded.punches, "employees": seeded.employees, "flagged": seeded.flagged,
              "seed_s": round(seed_s, 1), "pages": results, "downloads": downloads,
              "everyone": all_month, "cpus": os.cpu_count()}  # fmt: skip
    print(f"{seeded.punches} punches, {seeded.employees} employees, seeded in {seed_s:.1f} s")
    print("| page | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    for r in results + downloads:
        print(f"| `{r['path']}` | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |")
    print(f"month for everyone: {json.dumps(all_month)}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    worst = max(r["p95_ms"] for r in results)
    return 0 if worst <= 300 and all_month["total_s"] <= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
