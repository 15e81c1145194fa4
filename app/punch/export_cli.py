"""CLI `export`: CSV, AFD (signed, official file name) or receipts for a date range, and
`export check FILE` (the AFD validator). Messages are pt-BR: IT and HR read them."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app import paths
from app.core.errors import PontoVozError
from app.rep import afd
from app.rep.afd_check import check_afd
from app.settings import section, write_sections
from app.store.csv_export import build_csv
from app.store.ledger import Ledger
from app.store.receipt import receipt_pdf, receipt_text
from app.store.signing import A1Certificate, SigningError, SigningSettings, check_detached


def register(sub: argparse._SubParsersAction) -> None:
    x = sub.add_parser(
        "export", help="CSV, AFD (Portaria 671) ou comprovantes; `export check ARQUIVO`"
    )
    x.add_argument("--from", dest="start", type=date.fromisoformat, help="data inicial AAAA-MM-DD")
    x.add_argument("--to", dest="end", type=date.fromisoformat, help="data final AAAA-MM-DD")
    x.add_argument("--format", choices=("csv", "afd", "receipt"), help="formato da exportação")
    x.add_argument("--out", type=Path, help="csv: arquivo (padrão: stdout); afd e receipt: pasta")
    x.add_argument(
        "--coletor", help="afd: o terminal (REP) a exportar de registros com vários terminais"
    )
    x.add_argument("--certificado", type=Path, help="certificado A1 (.pfx/.p12) usado para assinar")
    x.add_argument("--senha-arquivo", type=Path, help="arquivo com a senha do certificado")
    x.set_defaults(func=cmd_export)
    xs = x.add_subparsers(dest="action", metavar="check")
    chk = xs.add_parser("check", help="confere um AFD contra o leiaute oficial")
    chk.add_argument("file", type=Path)
    chk.add_argument("--p7s", type=Path, help="assinatura destacada (padrão: ARQUIVO.p7s ao lado)")
    chk.add_argument("--ac", type=Path, action="append", help="certificado de AC confiável (PEM)")
    chk.add_argument(
        "--hash-anterior", help="hash do registro tipo 7 do REP anterior a este arquivo"
    )
    chk.set_defaults(func=cmd_check)


def register_ledger_config(gsub: argparse._SubParsersAction) -> None:
    """`ledger config`: the REP's time zone and responsible person (AFD types 2, 4, 5)."""
    cfg = gsub.add_parser(
        "config", help="fuso horário do terminal e CPF do responsável pelo REP (AFD)"
    )
    cfg.add_argument("--fuso", help="fuso IANA do terminal, ex.: America/Manaus")
    cfg.add_argument("--cpf-responsavel", help="CPF de quem responde pelos registros do REP")
    cfg.set_defaults(func=cmd_ledger_config)


def cmd_ledger_config(args: argparse.Namespace) -> int:
    """Validate with the ledger's own rules, then write the ``ledger`` section; without
    options, show what is set."""
    from app.store.settings import LedgerSettings

    current = dict(section("ledger"))
    if args.fuso is not None:
        current["time_zone"] = args.fuso.strip()
    if args.cpf_responsavel is not None:
        current["responsible_cpf"] = "".join(c for c in args.cpf_responsavel if c.isdigit())
    checked = LedgerSettings.from_section(current)  # ConfigError (pt-BR) when invalid
    if args.fuso is not None or args.cpf_responsavel is not None:
        write_sections({"ledger": current})
    print(f"fuso horário: {checked.time_zone}")
    print(f"CPF do responsável: {checked.responsible or 'não informado (AFD com zeros)'}")
    return 0


@dataclass(frozen=True)
class RepIdentity:
    """Who made the REP-P (header fields 7, 12-13): from the ``rep`` section of settings.json,
    the INPI number falling back to the ledger's ``rep_id``."""

    inpi: str
    developer_id: str

    @classmethod
    def load(cls, ledger_rep_id: str, settings_file: Path | None = None) -> RepIdentity:
        found = section("rep", settings_file)
        inpi = str(found.get("inpi") or ledger_rep_id or "")
        return cls(inpi, str(found.get("developer_id") or afd.DEVELOPER_ID))

    def check(self) -> None:
        inpi = "".join(c for c in self.inpi if c.isdigit())
        if len(inpi) != 17 or set(inpi) == {"0"}:
            raise PontoVozError(
                "número de registro do REP-P no INPI não configurado (17 dígitos): informe "
                "'inpi' na seção 'rep' de settings.json"
            )
        if len("".join(c for c in self.developer_id if c.isdigit())) not in (11, 14):
            raise PontoVozError(
                "CNPJ/CPF do desenvolvedor do REP-P não configurado: informe 'developer_id' na "
                "seção 'rep' de settings.json"
            )


def _certificate(args: argparse.Namespace) -> A1Certificate | None:
    settings = SigningSettings.load()
    if args.certificado:
        settings = SigningSettings(str(args.certificado), str(args.senha_arquivo or ""))
    return A1Certificate.from_settings(settings) if settings.configured else None


def cmd_export(args: argparse.Namespace) -> int:
    if args.start is None or args.end is None or args.format is None:
        raise PontoVozError("informe --from AAAA-MM-DD --to AAAA-MM-DD --format csv|afd|receipt")
    if args.end < args.start:
        raise PontoVozError("--to não pode ser anterior a --from")
    cert = _certificate(args) if args.format in ("afd", "receipt") else None
    with Ledger.open() as ledger:
        if args.format == "afd":
            return _export_afd(ledger, args, cert)
        punches = ledger.punches(args.start, args.end)
        settings = ledger.settings
        if args.format == "csv":
            _emit(build_csv(punches, ledger.corrections()), args.out)
            return 0
        if args.out is None:
            for p in punches:
                sys.stdout.write(receipt_text(p, settings) + "\n")
            return 0
        paths.private_dir(args.out)  # receipts hold names and CPFs: 0700/0600
        for p in punches:
            stem = args.out / f"comprovante-{p.kiosk_id}-{p.nsr:09d}"
            paths.write_private(stem.with_suffix(".txt"), receipt_text(p, settings))
            pdf = receipt_pdf(p, settings)
            paths.write_private(stem.with_suffix(".pdf"), cert.sign_pdf(pdf) if cert else pdf)
        signed = " assinados (PAdES)" if cert else ""
        print(f"{len(punches)} comprovantes (txt + pdf{signed}) em {args.out}")
    return 0


def _export_afd(ledger: Ledger, args: argparse.Namespace, cert: A1Certificate | None) -> int:
    kiosks = ledger.kiosks()
    if args.coletor and args.coletor not in kiosks:
        raise PontoVozError(f"coletor {args.coletor!r} não encontrado; há: {', '.join(kiosks)}")
    if len(kiosks) > 1 and args.coletor not in kiosks:
        raise PontoVozError(
            f"este banco de registros tem registros de {len(kiosks)} coletores "
            f"({', '.join(kiosks)}): cada coletor é um REP, com sua sequência de NSR, e juntá-los "
            "repetiria NSRs. Exporte um coletor por vez com --coletor ID (docs/COMPLIANCE.md)"
        )
    stored = ledger.rep_records(args.start, args.end, kiosk_id=args.coletor)
    identity = RepIdentity.load(ledger.settings.rep_id)  # after the records: a damaged ledger
    identity.check()  # is the first thing to say
    try:
        records = afd.from_ledger(stored)
        header = _header(ledger, identity, records, args.start, args.end, ledger.now())
        data = afd.build_afd(header, records)
    except (ValueError, KeyError) as exc:  # a stored value the layout cannot hold: write nothing
        raise PontoVozError(f"registro que não cabe no leiaute do AFD: {exc}") from exc
    folder = args.out or Path.cwd()
    paths.private_dir(folder)
    path = folder / afd.afd_file_name(identity.inpi, header.employer_id)
    _write_atomic(path, data)
    print(f"AFD: {path} ({len(records)} registros)")
    p7s = path.with_suffix(".p7s")
    if cert is None:
        p7s.unlink(missing_ok=True)  # a signature of an earlier export would not match
        print(
            "aviso: AFD sem assinatura eletrônica (.p7s): configure o certificado A1 "
            "(--certificado ou a seção 'signing' de settings.json)",
            file=sys.stderr,
        )
        return 0
    _write_atomic(p7s, cert.sign_detached(data))
    print(f"assinatura: {p7s} ({cert.info.subject})")
    return 0


def _header(
    ledger: Ledger,
    identity: RepIdentity,
    records: list[afd.Record],
    start: date,
    end: date,
    now: datetime,
) -> afd.Header:
    s = ledger.settings
    employer_id, name, cno = s.employer_id, s.employer_name, ""
    latest = afd.employer_in(records)  # the latest type-2 record in the file: the employer now
    if latest is not None:
        employer_id, name, cno = latest.employer_id, latest.name, latest.cno_caepf
    if not employer_id or not name:
        raise PontoVozError(
            "empregador não configurado: informe razão social e CNPJ/CPF (seção 'ledger' de "
            "settings.json ou a tela de administração)"
        )
    dates = [afd.record_date(r) for r in records] or [start, end]
    # ``now`` is the ledger's clock in the REP's zone (settings.time_zone), like its records
    return afd.Header(employer_id, name, identity.inpi, min(dates), max(dates), now,
                      identity.developer_id, cno)  # fmt: skip


def cmd_check(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except FileNotFoundError as exc:
        raise PontoVozError(f"arquivo não encontrado: {args.file}") from exc
    except OSError as exc:
        raise PontoVozError(f"não foi possível ler {args.file}: {exc}") from exc
    report = check_afd(data, prev_hash=args.hash_anterior, file_name=args.file.name)
    for problem in report.problems:
        print(problem.text())
    counts = ", ".join(f"tipo {k}: {n}" for k, n in sorted(report.counts.items()))
    ok = report.ok and _check_signature(args, data)
    errors = len(report.errors)
    verdict = "conforme ao leiaute" if report.ok else f"{errors} erro(s) de leiaute"
    print(f"{args.file.name}: {verdict} ({counts or 'nenhum registro'})")
    return 0 if ok else 1


def _check_signature(args: argparse.Namespace, data: bytes) -> bool:
    p7s = args.p7s or args.file.with_suffix(".p7s")
    if not p7s.is_file():
        print(f"aviso: assinatura {p7s.name} não encontrada; assinatura não conferida")
        return args.p7s is None
    roots = [path.read_bytes() for path in args.ac or []]
    try:
        result = check_detached(data, p7s.read_bytes(), roots)
    except SigningError as exc:
        print(f"erro: {p7s.name}: {exc}")
        return False
    if not result.intact:
        print(f"erro: {p7s.name}: a assinatura não confere com o conteúdo do arquivo")
        return False
    trust = "cadeia confiável" if result.trusted else "cadeia não conferida (use --ac)"
    print(f"assinatura {p7s.name}: confere com o arquivo; {result.signer}; {trust}")
    return result.trusted or not roots


def _write_atomic(path: Path, data: bytes) -> None:
    """A half-written AFD must never sit under the official name: temp file, then rename."""
    paths.write_private(path, data)  # temp file 0600, fsync, rename


def _emit(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        paths.write_private(out, data)
