"""Real voices, labelled by HR's review: consent per employee and the export `eval` reads.

A review decision labels a flagged punch: approved = a true phrase the verifier refused
(``label`` true, kind ``review_approved``), rejected = a negative (``label`` false, kind
``review_rejected``). Only punches flagged by the verifier whose chain held count (a punch that
went to review for its chain says nothing about the voice).

LGPD: the audio leaves Central only for employees whose consent is on file
(``employees.voice_consent_at``) *at export time*, with the purpose stated (``PURPOSE``).
Revoking it stops every later export; an export into a folder that already holds an earlier
one removes the clips no longer allowed. Copies already handed over are out of Central's reach
(say so to the employee). The manifest holds no names or CPFs: speakers and clips are HMAC
pseudonyms under a Central key. Giving/revoking consent and every export go to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.central import auth
from app.central.db import session_scope
from app.central.errors import BadInput
from app.central.hr_data import TZ
from app.central.hr_models import AuditEntry, PunchDecision
from app.central.models import Employee, Punch, PunchAudio
from app.central.security import central_key

PURPOSE = (
    "Guardar e usar o áudio das suas marcações de ponto revisadas pelo RH para melhorar o"
    " reconhecimento de voz do ponto (PontoVoz). O áudio sai da Central sem nome nem CPF, só"
    " com um código. O consentimento é opcional e revogável a qualquer momento: revogado, o"
    " seu áudio não é mais exportado."
)
KEY_NAME = "voice_label_key"
MANIFEST = "manifest.jsonl"
AUDIO_DIR = "audio"
README = "LEIA-ME.txt"
_CLIP = re.compile(r"[0-9a-f]{20}\.wav")
_TIME = re.compile(r"(\d{1,2})\D+(\d{1,2})\s*$")


def has_consent(emp: Employee) -> bool:
    return emp.voice_consent_at is not None


def set_consent(
    s: Session,
    emp: Employee,
    given: bool,
    actor: auth.CurrentUser | None,
    who: str = "",
) -> bool:
    """Give or revoke the employee's consent; audited. False when nothing changed."""
    if given == has_consent(emp):
        return False
    by = actor.name if actor else who
    detail: dict[str, Any]
    if given:
        emp.voice_consent_at = datetime.now(UTC)
        emp.voice_consent_purpose, emp.voice_consent_by = PURPOSE, by[:150]
        action, detail = "consentimento_voz_dado", {"finalidade": PURPOSE}
    else:
        since = emp.voice_consent_at
        emp.voice_consent_at, emp.voice_consent_by = None, by[:150]
        action, detail = "consentimento_voz_revogado", {"dado_em": since}
    record(s, actor, who, action, f"funcionario:{emp.id}", detail)
    return True


def record(
    s: Session,
    actor: auth.CurrentUser | None,
    who: str,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> None:
    """An audit entry from the web (``actor``) or from the terminal (``who``)."""
    if actor is not None:
        auth.audit(s, actor, action, target, detail)
        return
    s.add(AuditEntry(user_id=None, username=who[:80], action=action, target=target,
                     detail=json.dumps(detail, ensure_ascii=False, default=str)))  # fmt: skip


def _key(s: Session) -> bytes:
    """The pseudonym key."""
    return central_key(s, KEY_NAME)


def _pseudonym(key: bytes, what: str, n: int) -> str:
    return hmac.new(key, what.encode(), hashlib.sha256).hexdigest()[:n]


@dataclass
class ExportResult:
    exported: int = 0  # clips written (audio + manifest line)
    approved: int = 0
    rejected: int = 0
    without_consent: int = 0  # decided, with audio, employee without consent: skipped
    without_audio: int = 0  # decided, no audio in Central (kiosk without audio retention)
    bad_audio: int = 0  # audio not WAV
    removed: int = 0  # clips of an earlier export in the folder no longer allowed
    speakers: int = 0


def _bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    if first and last and first > last:
        raise BadInput("período inválido: a data inicial (--from) é depois da final (--to)")
    lo = datetime.combine(first, time(0), TZ) if first else None
    hi = datetime.combine(last + timedelta(days=1), time(0), TZ) if last else None
    return lo, hi


def _check_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out} não é uma pasta")
    if out.is_dir():
        alien = sorted(p.name for p in out.iterdir() if p.name not in (MANIFEST, AUDIO_DIR, README))
        if alien:
            raise BadInput(
                f"a pasta {out} tem outros arquivos ({', '.join(alien[:3])}): use uma pasta"
                " vazia ou a de uma exportação anterior"
            )


def _said(punch_type: str, expected: str) -> str:
    """What an approved punch says, as the corpus writes it: "TYPE H M" (24 h)."""
    m = _TIME.search(expected)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        return ""
    return f"{punch_type} {int(m[1])} {int(m[2])}"


def export_labels(
    factory: sessionmaker[Session],
    out: Path,
    first: date | None = None,
    last: date | None = None,
    actor: auth.CurrentUser | None = None,
    who: str = "",
) -> ExportResult:
    """Write ``out/manifest.jsonl`` and ``out/audio/*.wav``: reviewed flagged punches of
    employees who consent now, labelled by the latest decision. Audited."""
    lo, hi = _bounds(first, last)
    _check_folder(out)
    result = ExportResult()
    latest = select(func.max(PunchDecision.id)).group_by(PunchDecision.punch_id)
    q = (
        select(
            Punch.id,
            Punch.uuid,
            Punch.type,
            Punch.expected,
            Punch.transcript,
            Punch.employee_id,
            PunchDecision.approved,
            Employee.voice_consent_at,
            PunchAudio.punch_id.is_not(None),
        )
        .join(PunchDecision, PunchDecision.punch_id == Punch.id)
        .outerjoin(Employee, Employee.id == Punch.employee_id)
        .outerjoin(PunchAudio, PunchAudio.punch_id == Punch.id)
        .where(PunchDecision.id.in_(latest), Punch.flagged, Punch.chain_ok)
        .order_by(Punch.punched_at_ts, Punch.id)
    )
    if lo is not None:
        q = q.where(Punch.punched_at_ts >= lo)
    if hi is not None:
        q = q.where(Punch.punched_at_ts < hi)
    lines: list[str] = []
    written: set[str] = set()
    speakers: set[str] = set()
    audio_dir = out / AUDIO_DIR
    with session_scope(factory) as s:
        key = _key(s)
        for pid, uuid, ptype, expected, heard, emp_id, approved, consent, has_audio in s.execute(q):
            if not has_audio:
                result.without_audio += 1
                continue
            if emp_id is None or consent is None:
                result.without_consent += 1
                continue
            audio = s.get(PunchAudio, pid)
            data = bytes(audio.data) if audio is not None else b""
            if data[:4] != b"RIFF":
                result.bad_audio += 1
                continue
            name = _pseudonym(key, f"punch:{uuid}", 20) + ".wav"
            speaker = "spk-" + _pseudonym(key, f"employee:{emp_id}", 12)
            audio_dir.mkdir(parents=True, exist_ok=True)
            (audio_dir / name).write_bytes(data)
            written.add(name)
            speakers.add(speaker)
            row = {
                "file": f"{AUDIO_DIR}/{name}",
                "expected_speech": expected,
                "label": bool(approved),
                "kind": "review_approved" if approved else "review_rejected",
                "voice": "real",
                "speaker": speaker,
                "spoken": expected if approved else "",
                "said": _said(ptype, expected) if approved else "",
                "heard": heard,  # what the kiosk's verifier heard
                "source": "central_review",
            }
            lines.append(json.dumps(row, ensure_ascii=False))
            if approved:
                result.approved += 1
            else:
                result.rejected += 1
        result.exported, result.speakers = len(lines), len(speakers)
        if audio_dir.is_dir():  # clips of an earlier export that are no longer allowed
            for old in audio_dir.iterdir():
                if _CLIP.fullmatch(old.name) and old.name not in written:
                    old.unlink()
                    result.removed += 1
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / (MANIFEST + ".tmp")
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        tmp.replace(out / MANIFEST)
        (out / README).write_text(_readme(first, last), encoding="utf-8")
        detail = {**asdict(result), "de": first, "ate": last, "pasta": str(out.resolve())}
        record(s, actor, who, "rotulos_voz_exportados", "rotulos_voz", detail)
    return result


def _readme(first: date | None, last: date | None) -> str:
    period = f"{first or 'início'} a {last or 'hoje'}"
    return (
        "PontoVoz: marcações revisadas pelo RH, rotuladas (período: "
        f"{period}), exportadas em {datetime.now(TZ):%Y-%m-%d %H:%M}.\n\n"
        f"Finalidade (LGPD): {PURPOSE}\n\n"
        "Só há áudio de funcionários que consentiram na data da exportação. Sem nome nem CPF:\n"
        "'speaker' é um código. Se alguém revogar o consentimento, apague esta pasta e exporte\n"
        "de novo (a nova exportação remove daqui os áudios que deixaram de ser permitidos).\n"
        "Não copie estes arquivos para fora do uso de melhoria do reconhecimento de voz.\n"
    )
