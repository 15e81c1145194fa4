"""Re-check flagged punches in Central with the same core the kiosks use (in-process). The
result goes to ``central_verdicts``, beside the kiosk's verdict: the punch is never changed.
Only punches whose audio reached Central (kiosks with audio retention on) can be re-checked."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from app.central.db import session_scope
from app.central.models import CentralVerdict, Punch, PunchAudio
from app.core.errors import PontoVozError


def recheck_flagged(factory: sessionmaker[Session], limit: int = 100, verifier=None) -> int:
    """Verify up to ``limit`` flagged punches with audio and no Central verdict yet."""
    with session_scope(factory) as s:
        todo = s.execute(
            select(Punch.id, Punch.expected, PunchAudio.data)
            .join(PunchAudio, PunchAudio.punch_id == Punch.id)
            .where(Punch.flagged, ~exists().where(CentralVerdict.punch_id == Punch.id))
            .order_by(Punch.id)
            .limit(limit)
        ).all()
    if not todo:
        return 0
    if verifier is None:
        from app.core.verifier import Verifier

        verifier = Verifier()
        verifier.load()
    for punch_id, expected, audio in todo:
        try:
            r = verifier.verify(bytes(audio), expected)
            verdict = CentralVerdict(
                punch_id=punch_id, validated=r.validated, spoken_text=r.spoken_text,
                reason=r.reason or "", method=r.method or "",
            )  # fmt: skip
        except PontoVozError as exc:  # bad audio or phrase: a verdict that says why
            verdict = CentralVerdict(
                punch_id=punch_id, validated=False, spoken_text="", reason=str(exc), method="error"
            )
        with session_scope(factory) as s:
            s.add(verdict)
    return len(todo)
