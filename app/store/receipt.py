"""The worker's receipt ("Comprovante de Registro de Ponto do Trabalhador", Portaria 671):
employer name and CNPJ/CPF, place, REP-P identification, worker name and CPF, punch date and
time, NSR and the punch's SHA-256 hash. As text (screen, printer) and as a PDF (80 mm wide).

The receipt carries a QR code (segno) of ``PV1|<kiosk>|<NSR>|<hash>``: the AFD type-7 hash of the
punch, so a worker, HR or an inspector can later check it against the ledger or the AFD file
(`python -m app receipt check "PV1|..."`). No name or CPF goes into the QR.

One hash, one place: the kiosk's receipt screen, the text and PDF receipts and the QR all show
the AFD type-7 hash (``hash_lines``) and ``place`` from here, and `receipt check` takes either
the QR text or the hash as a worker copies it off any of them (``parse_receipt_code``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

from app.core import punch_types
from app.rep.cpf import format_cpf
from app.rep.records import Punch
from app.store.settings import LedgerSettings

QR_PREFIX = "PV1"
TITLE = "Comprovante de Registro de Ponto do Trabalhador"
CODE_LABEL = "Código hash (SHA-256):"


def _employer_id(raw: str) -> str:
    d = "".join(c for c in raw if c.isdigit())
    if len(d) == 14:
        return f"CNPJ {d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"
    if len(d) == 11:
        return f"CPF {format_cpf(d)}"
    return "(não configurado)"


def employer(settings: LedgerSettings) -> str:
    return settings.employer_name or "(não configurado)"


def employer_document(settings: LedgerSettings) -> str:
    """The employer's "CNPJ 11.222.333/0001-81" (or CPF) as every receipt prints it."""
    return _employer_id(settings.employer_id)


def rep_p(settings: LedgerSettings) -> str:
    """The REP-P's identification: the program and, once registered, its INPI number."""
    return f"PontoVoz {settings.rep_id or ''}".strip()


def place(settings: LedgerSettings) -> str:
    """The receipt's "Local": the same words on the screen, the text and the PDF."""
    return settings.place or "(não configurado)"


def hash_lines(punch: Punch) -> tuple[str, str]:
    """The AFD type-7 hash in two halves of 32, as every receipt prints it."""
    return punch.afd_hash[:32], punch.afd_hash[32:]


def receipt_lines(punch: Punch, settings: LedgerSettings) -> list[str]:
    when = datetime.fromisoformat(punch.punched_at)
    verdict = "validada" if punch.validated else "não validada (em revisão)"
    return [
        TITLE,
        f"Empregador: {employer(settings)}",
        employer_document(settings),
        f"Local: {place(settings)}",
        f"REP-P: {rep_p(settings)} - coletor {punch.kiosk_id}",
        f"Trabalhador: {punch.employee_name}",
        f"CPF: {format_cpf(punch.cpf)}",
        f"Data: {when:%d/%m/%Y}  Hora: {when:%H:%M}  ({when:%z})",
        f"Tipo: {punch_types.label(punch.type)}",
        f"NSR: {punch.nsr:09d}",
        CODE_LABEL,
        *hash_lines(punch),
        f"Confirmação por voz: {verdict}",
        f"Conferência: {qr_payload(punch)}",
    ]


def qr_payload(punch: Punch) -> str:
    """``PV1|kiosk|NSR|hash`` (kiosk percent-escaped, NSR 9 digits, hash 64 hex)."""
    kiosk = punch.kiosk_id.replace("%", "%25").replace("|", "%7C")
    return f"{QR_PREFIX}|{kiosk}|{punch.nsr:09d}|{punch.afd_hash}"


def parse_qr_payload(text: str) -> tuple[str, int, str]:
    """(kiosk, NSR, hash) from a payload; ValueError (pt-BR) when it is not one of ours."""
    parts = text.strip().split("|")
    ok = len(parts) == 4 and parts[0] == QR_PREFIX and parts[2].isdigit()
    digest = parts[3].lower() if ok else ""
    if not ok or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("código de conferência inválido: esperado PV1|terminal|NSR|hash")
    kiosk = parts[1].replace("%7C", "|").replace("%25", "%")
    return kiosk, int(parts[2]), digest


MIN_CODE = 12  # hex digits of the hash a worker must copy at least (48 bits)
_LABEL = re.compile(r"^.*?(código hash \(sha-256\)|código|hash)\s*:?", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class ReceiptCode:
    """What a receipt check looks for: a hash (or its first ``MIN_CODE``+ digits), and the
    terminal and NSR when the code came from a QR."""

    digest: str
    kiosk: str | None = None
    nsr: int | None = None

    def matches(self, punch: Punch) -> bool:
        if self.kiosk is not None and (punch.kiosk_id, punch.nsr) != (self.kiosk, self.nsr):
            return False
        return punch.afd_hash.lower().startswith(self.digest)

    @property
    def whole(self) -> bool:
        return len(self.digest) == 64


def parse_receipt_code(text: str) -> ReceiptCode:
    """The QR text (also inside "Conferência: PV1|..."), or the hash as read off a receipt:
    both lines of the screen or PDF, spaces and line breaks allowed, a leading "Código:" label
    allowed, at least ``MIN_CODE`` hex digits. ValueError (pt-BR) otherwise."""
    if QR_PREFIX + "|" in text:
        kiosk, nsr, digest = parse_qr_payload(text[text.index(QR_PREFIX + "|") :])
        return ReceiptCode(digest, kiosk, nsr)
    bare = "".join(_LABEL.sub("", text.strip()).split()).lower()
    if MIN_CODE <= len(bare) <= 64 and all(c in "0123456789abcdef" for c in bare):
        return ReceiptCode(bare)
    raise ValueError(
        "código de conferência inválido: esperado o texto do QR (PV1|terminal|NSR|hash) ou o "
        f"código hash do comprovante (ao menos {MIN_CODE} dígitos)"
    )


def qr_png(punch: Punch, scale: int = 4) -> bytes:
    """The receipt's QR code as a PNG (black on white, 2-module quiet zone)."""
    import segno  # imported here: only receipts need it

    out = io.BytesIO()
    segno.make(qr_payload(punch), error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def receipt_text(punch: Punch, settings: LedgerSettings) -> str:
    return "\n".join(receipt_lines(punch, settings)) + "\n"


def receipt_pdf(punch: Punch, settings: LedgerSettings) -> bytes:
    from fpdf import FPDF  # imported here: only exports need it
    from PIL import Image

    pdf = FPDF(orientation="P", unit="mm", format=(80, 160))
    pdf.set_margins(4, 4, 4)
    pdf.set_auto_page_break(auto=True, margin=4)
    pdf.add_page()
    lines = receipt_lines(punch, settings)
    pdf.set_font("Helvetica", "B", 9)
    pdf.multi_cell(0, 4.5, lines[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    for line in lines[1:-1]:
        mono = line and all(c in "0123456789abcdef" for c in line)
        pdf.set_font("Courier" if mono else "Helvetica", "", 8)
        pdf.multi_cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    # 8-bit grey (Flate) rather than 1-bit (CCITT): any PDF reader, and our tests, decode it
    qr = Image.open(io.BytesIO(qr_png(punch))).convert("L")
    pdf.image(qr, x=20, w=40, h=40)  # 40 mm: ~0.9 mm per module
    pdf.set_font("Courier", "", 6)
    pdf.multi_cell(0, 3, qr_payload(punch), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
