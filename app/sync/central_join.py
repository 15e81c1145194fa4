"""Joining a Central: a one-time enrollment code buys this kiosk its credential (saved in the
``central`` section of settings.json) and the roster pepper (saved beside the ledger), so the
roster can come down on the first sync pass."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.core.errors import ConfigError
from app.store import roster as ledger_roster
from app.store.ledger import default_path
from app.store.settings import LedgerSettings
from app.sync.central_client import CentralClient
from app.sync.central_settings import CentralSection


def join(
    url: str,
    code: str,
    name: str = "",
    *,
    settings_file: Path | None = None,
    ledger_path: Path | None = None,
) -> CentralSection:
    """Enroll this kiosk with a one-time code, save the credential, install the roster pepper."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError("o endereço da Central deve começar com http:// ou https://")
    ledger_settings = LedgerSettings.load(settings_file)
    client = CentralClient(url)
    try:
        body = {"code": code, "name": name, "ledger_kiosk_id": ledger_settings.kiosk_id}
        data = client.call("POST", "/api/v1/enroll", json=body).json()
    finally:
        client.close()
    pepper = bytes.fromhex(data["roster_pepper"])
    ledger_roster.save_roster_key(ledger_path or default_path(), pepper)
    section = replace(
        CentralSection.load(settings_file),
        url=url.rstrip("/"), token=data["token"], kiosk=int(data["kiosk"]), name=name,
        roster_version="", central_head_nsr=0, last_error="", clock_offset_s=client.offset_s,
        rep_number=int(data.get("rep_number") or data["kiosk"]),
        ledger_kiosk_id=ledger_settings.kiosk_id, employees_sent="", problem="",
        anchored_nsr=0, anchored_hash="", anchored_key="",
    )  # fmt: skip
    section.save(settings_file)
    return section
