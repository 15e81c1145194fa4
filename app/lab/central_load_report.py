"""What a Central load run found: the report (counts, timings, latencies, errors), the check
that fills it from Central's tables against every kiosk's ledger once the run is over, and its
pt-BR summary for the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class LoadReport:
    kiosks: int
    punches: int
    batch: int
    rate: float = 0.0
    expected: int = 0
    held: int = 0
    distinct: int = 0
    missing: int = 0  # kiosk punches not in Central
    chain_bad: int = 0
    gaps: int = 0
    events: int = 0
    heads_ok: bool = False
    prep_s: float = 0.0
    seconds: float = 0.0
    punches_per_s: float = 0.0
    requests: int = 0
    retries: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    crash: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.held == self.distinct == self.expected
            and self.missing == 0 and self.chain_bad == 0 and self.gaps == 0
            and self.events == 0 and self.heads_ok and not self.errors
        )  # fmt: skip

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def check_held(report: LoadReport, engine, ledgers, syncs, punches: int) -> None:
    """Fill ``report`` with what Central holds against what every kiosk's ledger has."""
    from sqlalchemy import text

    from app.store.roster import head, punches_after

    engine.dispose()  # PostgreSQL may have restarted: no pooled connection survives that
    with engine.connect() as conn:
        report.held = conn.execute(text("SELECT count(*) FROM punches")).scalar() or 0
        report.distinct = (
            conn.execute(text("SELECT count(DISTINCT uuid) FROM punches")).scalar() or 0
        )
        report.chain_bad = (
            conn.execute(text("SELECT count(*) FROM punches WHERE NOT chain_ok")).scalar() or 0
        )
        report.events = conn.execute(text("SELECT count(*) FROM kiosk_events")).scalar() or 0
        bad_events = text("SELECT count(*) FROM rep_events WHERE NOT chain_ok")
        report.chain_bad += conn.execute(bad_events).scalar() or 0
        heads = dict(conn.execute(text("SELECT id, head_nsr FROM kiosks")).all())
        report.gaps = conn.execute(text(
            "SELECT count(*) FROM (SELECT nsr, lag(nsr) OVER (PARTITION BY kiosk_id ORDER BY nsr)"
            " AS prev FROM (SELECT kiosk_id, nsr FROM punches UNION ALL"
            " SELECT kiosk_id, nsr FROM rep_events) a) s WHERE prev IS NOT NULL AND nsr <> prev + 1"
        )).scalar() or 0  # fmt: skip
        held = {(k, u) for k, u in conn.execute(text("SELECT kiosk_id, uuid FROM punches")).all()}
    report.heads_ok = len(heads) == len(ledgers)
    for ledger, sync in zip(ledgers, syncs, strict=True):
        mine = {(sync.section.kiosk, p.uuid) for p in punches_after(ledger, 0, punches + 10)}
        report.missing += len(mine - held)
        report.heads_ok &= heads.get(sync.section.kiosk) == head(ledger).nsr


def format_report(r: LoadReport) -> str:
    mode = f"ao vivo, {r.rate:g}/s ofertadas" if r.rate else f"acumuladas, lote {r.batch}"
    lines = [
        f"{r.kiosks} quiosques x {r.punches} marcações ({mode}): {'OK' if r.ok else 'FALHOU'}",
        f"  recebidas {r.held}/{r.expected}, distintas {r.distinct}, faltando {r.missing},"
        f" cadeia inválida {r.chain_bad}, lacunas {r.gaps}, eventos {r.events}",
        f"  {r.seconds} s, {r.punches_per_s} marcações/s, {r.requests} envios,"
        f" latência {'marcação→Central' if r.rate else 'por envio'} p50 {r.p50_ms} ms,"
        f" p95 {r.p95_ms} ms, p99 {r.p99_ms} ms, máx {r.max_ms} ms",
        f"  novas tentativas {r.retries}; preparo {r.prep_s} s",
    ]
    if r.crash:
        lines.append(f"  falha: {r.crash}")
    lines += [f"  erro: {e}" for e in r.errors[:5]]
    return "\n".join(lines)
