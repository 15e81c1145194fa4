"""`ledger backup`: a consistent copy, taken while the ledger is open, that opens and verifies."""

from __future__ import annotations

from app.store.ledger import Ledger
from app.store.models import PunchDraft


def test_backup_copy_opens_verifies_and_finds_the_same_pins(ledger, ana, tmp_path):
    for _ in range(3):
        ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40"))
    copy = ledger.backup(tmp_path / "backups")
    ledger.record_punch(PunchDraft(ana.id, "SAIDA", "SAIDA 18 00"))  # after the copy
    assert copy.with_name(copy.name + ".key").is_file()
    assert not list(copy.parent.glob("*.partial"))
    restored = Ledger.open(copy, ledger.settings)
    try:
        report = restored.verify_chain()
        assert report.ok and report.punches == 3
        assert restored.find_by_pin("1234") is not None  # the key file came along
    finally:
        restored.close()


def test_backup_keeps_centrals_roster_key(ledger, tmp_path):
    """After `central join` the roster's PIN hashes use Central's pepper (``.roster.key``): a
    backup without it would restore a kiosk where no Central employee can punch."""
    import stat

    from app.store.roster import roster_key_path, save_roster_key

    pepper = bytes(range(32))
    save_roster_key(ledger.path, pepper)
    copy = ledger.backup(tmp_path / "backups")
    saved = roster_key_path(copy)
    assert saved.read_bytes() == roster_key_path(ledger.path).read_bytes()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
