"""The audit log in words: "Ana Souza cadastrou Maria Oliveira no quadro de funcionários" rather
than ``funcionario_criado`` and a JSON blob.

Entries keep their codes and JSON (append-only, for machines); this module only reads them. Who:
the web user's name, or "linha de comando (root)" for ``terminal:root``. What: one sentence per
known action, with the people, kiosks and teams named from their ids; an action this module does
not know yet still reads as words (its code with spaces and its details as "campo: valor").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.central import ptbr
from app.central.hr_models import AuditEntry, Team, User
from app.central.models import Employee, Kiosk, Punch

ROLE_WORDS = {"rh": "RH", "gestor": "gestor", "ti": "TI"}
TYPE_WORDS = {"ENTRADA": "entrada", "INTERVALO": "intervalo", "RETORNO": "retorno",
              "SAIDA": "saída", "PAUSA": "pausa"}  # fmt: skip
FIELD_WORDS = {"nome": "nome", "equipe": "equipe", "horario": "horário", "quiosques": "quiosques",
               "admissao": "admissão", "cargo": "cargo", "motivo": "motivo", "nota": "nota",
               "de": "de", "ate": "até", "mes": "mês", "formato": "formato"}  # fmt: skip


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    what: str
    terminal: bool  # done on the command line of Central's machine


@dataclass
class _Names:
    """Names of what the entries point at, read in one query per kind."""

    employees: dict[int, str]
    users: dict[int, str]
    kiosks: dict[int, str]
    teams: dict[int, str]
    punches: dict[int, tuple[int | None, int]]  # punch id -> (employee id, NSR)

    def employee(self, eid: Any) -> str:
        return self.employees.get(_int(eid), f"funcionário nº {eid}")

    def kiosk(self, kid: Any) -> str:
        return self.kiosks.get(_int(kid), f"nº {kid}")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _ids(entries: Sequence[AuditEntry], kind: str) -> set[int]:
    return {_int(e.target.split(":", 1)[1]) for e in entries if e.target.startswith(kind + ":")}


def _names(s: Session, entries: Sequence[AuditEntry]) -> _Names:
    punch_ids = _ids(entries, "marcacao")
    punches = {
        pid: (eid, nsr)
        for pid, eid, nsr in s.execute(
            select(Punch.id, Punch.employee_id, Punch.nsr).where(Punch.id.in_(punch_ids))
        )
    }
    emp_ids = _ids(entries, "funcionario") | {e for e, _ in punches.values() if e is not None}
    user_ids = _ids(entries, "usuario") | {e.user_id for e in entries if e.user_id}
    kiosk_ids = _ids(entries, "quiosque") | {
        _int(_detail(e).get("quiosque")) for e in entries if e.action == "quarentena_ciente"
    }

    def table(model: Any, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(s.execute(select(model.id, model.name).where(model.id.in_(ids))).all())

    return _Names(table(Employee, emp_ids), table(User, user_ids), table(Kiosk, kiosk_ids),
                  table(Team, _ids(entries, "equipe")), punches)  # fmt: skip


def _detail(e: AuditEntry) -> dict[str, Any]:
    try:
        data = json.loads(e.detail or "{}")
    except ValueError:
        return {"detalhe": e.detail}
    return data if isinstance(data, dict) else {"detalhe": data}


def _day(text: Any) -> str:
    try:
        return date.fromisoformat(str(text)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(text)


def _month(text: Any) -> str:
    try:
        y, m = (int(x) for x in str(text).split("-")[:2])
        return ptbr.month_name(y, m)
    except (ValueError, IndexError):
        return str(text)


def _when(text: Any) -> str:
    try:
        return datetime.fromisoformat(str(text)).strftime("%d/%m/%Y às %H:%M")
    except ValueError:
        return str(text)


def _quoted(text: Any) -> str:
    return f"“{text}”" if text else ""


def who_of(e: AuditEntry, names: _Names) -> tuple[str, bool]:
    """("Ana Souza", False) for a web user; ("linha de comando (root)", True) for a terminal."""
    if e.username.startswith("terminal"):
        login = e.username.partition(":")[2]
        return (f"linha de comando ({login})" if login else "linha de comando"), True
    if e.user_id is not None:
        return names.users.get(e.user_id, e.username or "—"), False
    return (e.username or "—"), False


def _changes(d: dict[str, Any]) -> str:
    parts = []
    if d.get("nome_antes") and d.get("nome") and d["nome_antes"] != d["nome"]:
        parts.append(f"nome de {d['nome_antes']} para {d['nome']}")
    if d.get("cargo"):
        parts.append(f"cargo {d['cargo']}")
    if d.get("admissao"):
        parts.append(f"admissão em {_day(d['admissao'])}")
    if d.get("horario"):
        parts.append(f"horário {d['horario']}")
    return (": " + "; ".join(parts)) if parts else ""


Sentence = Callable[[AuditEntry, dict[str, Any], _Names], str]


def _target_id(e: AuditEntry) -> str:
    return e.target.partition(":")[2]


def _punch_of(e: AuditEntry, n: _Names) -> str:
    eid, nsr = n.punches.get(_int(_target_id(e)), (None, 0))
    who = n.employee(eid) if eid is not None else "funcionário desconhecido"
    return f"a marcação NSR {nsr} de {who}"


SENTENCES: dict[str, Sentence] = {
    "login": lambda e, d, n: "entrou no painel",
    "logout": lambda e, d, n: "saiu do painel",
    "login_recusado": lambda e, d, n: (
        f"tentativa de entrada recusada para o usuário “{d.get('username', '')}”"
    ),
    "usuario_criado": lambda e, d, n: (
        f"criou o usuário {d.get('username', '')}"
        + (f" ({d['nome']})" if d.get("nome") else "")
        + f", perfil {ROLE_WORDS.get(d.get('role', ''), d.get('role', ''))}"
    ),
    "usuario_ativo": lambda e, d, n: f"reativou o usuário {n.users.get(_int(_target_id(e)), '')}",
    "usuario_desativado": lambda e, d, n: (
        f"desativou o usuário {n.users.get(_int(_target_id(e)), '')}"
    ),
    "equipe_criada": lambda e, d, n: f"criou a equipe {d.get('nome', '')}",
    "funcionario_criado": lambda e, d, n: (
        f"cadastrou {d.get('nome') or n.employee(_target_id(e))} no quadro de funcionários"
    ),
    "funcionario_alterado": lambda e, d, n: (
        f"alterou o cadastro de {d.get('nome') or n.employee(_target_id(e))}{_changes(d)}"
    ),
    "funcionario_desativado": lambda e, d, n: (
        f"desativou o cadastro de {n.employee(_target_id(e))} (sai dos quiosques)"
    ),
    "funcionario_reativado": lambda e, d, n: f"reativou o cadastro de {n.employee(_target_id(e))}",
    "credenciais_redefinidas": lambda e, d, n: (
        "redefiniu "
        + " e ".join(w for w, k in (("o PIN", "pin"), ("o crachá", "cracha")) if d.get(k))
        + f" de {n.employee(_target_id(e))}"
    ),
    "consentimento_voz_dado": lambda e, d, n: (
        f"registrou o consentimento de voz de {n.employee(_target_id(e))}"
    ),
    "consentimento_voz_revogado": lambda e, d, n: (
        f"revogou o consentimento de voz de {n.employee(_target_id(e))}"
    ),
    "marcacao_aprovada": lambda e, d, n: (
        f"aprovou {_punch_of(e, n)}: {_quoted(d.get('justificativa'))}"
    ),
    "marcacao_rejeitada": lambda e, d, n: (
        f"rejeitou {_punch_of(e, n)}: {_quoted(d.get('justificativa'))}"
    ),
    "marcacao_incluida": lambda e, d, n: (
        f"incluiu uma marcação de {TYPE_WORDS.get(d.get('tipo', ''), d.get('tipo', ''))} para "
        f"{n.employee(_target_id(e))} em {_when(d.get('quando'))}: {_quoted(d.get('motivo'))}"
    ),
    "ausencia_registrada": lambda e, d, n: (
        f"registrou a ausência justificada de {n.employee(_target_id(e))} em "
        f"{_day(d.get('data'))}: {_quoted(d.get('motivo'))}"
    ),
    "audio_ouvido": lambda e, d, n: f"ouviu o áudio d{_punch_of(e, n)[1:]}",
    "espelho_pdf": lambda e, d, n: (
        f"baixou o espelho de ponto de {n.employee(_target_id(e))} de {_month(d.get('mes'))}"
    ),
    "espelhos_pdf": lambda e, d, n: (
        f"baixou os espelhos de ponto de {_month(d.get('mes'))} "
        f"({ptbr.plural(int(d.get('funcionarios', 0)), 'funcionário', 'funcionários')})"
    ),
    "resumo_mensal": lambda e, d, n: (
        f"baixou o resumo mensal de {_month(d.get('mes'))} ({str(d.get('formato', '')).upper()})"
    ),
    "aej_exportado": lambda e, d, n: (
        f"exportou o AEJ de {_day(d.get('de'))} a {_day(d.get('ate'))} "
        f"({ptbr.plural(int(d.get('vinculos', 0)), 'vínculo', 'vínculos')})"
    ),
    "afd_exportado": lambda e, d, n: (
        f"exportou o AFD do quiosque {n.kiosk(_target_id(e))} de {_day(d.get('de'))} a "
        f"{_day(d.get('ate'))}"
    ),
    "empregador_alterado": lambda e, d, n: f"alterou os dados do empregador ({d.get('nome', '')})",
    "fuso_alterado": lambda e, d, n: (
        f"mudou o fuso do quiosque {n.kiosk(_target_id(e))} para {d.get('fuso', '')}"
    ),
    "horario_criado": lambda e, d, n: f"criou o horário de trabalho {_target_id(e)}",
    "feriado_criado": lambda e, d, n: (
        f"cadastrou o feriado {d.get('nome', '')} em {_day(_target_id(e))}"
    ),
    "quarentena_ciente": lambda e, d, n: (
        f"registrou o que verificou no registro NSR {d.get('nsr', '')} do quiosque "
        f"{n.kiosk(d.get('quiosque'))} em quarentena: {_quoted(d.get('nota'))}"
    ),
    "rotulos_voz_exportados": lambda e, d, n: (
        "exportou "
        + ptbr.plural(int(d.get("exported", 0)), "marcação revisada", "marcações revisadas")
        + f" como rótulos de voz para {d.get('pasta', '')}"
    ),
    "codigo_quiosque_criado": lambda e, d, n: (
        f"gerou um código de cadastro de quiosque “{d.get('rotulo', '')}”"
    ),
    "quiosque_revogado": lambda e, d, n: (
        f"revogou a credencial do quiosque {d.get('nome') or n.kiosk(_target_id(e))}"
    ),
}


def _fallback(e: AuditEntry, d: dict[str, Any], n: _Names) -> str:
    """An action without a sentence yet: its words and its details, never JSON."""
    text = e.action.replace("_", " ")
    parts = [f"{FIELD_WORDS.get(k, k.replace('_', ' '))}: {v}" for k, v in d.items() if v != ""]
    return text + (f" ({'; '.join(parts)})" if parts else "")


def describe(s: Session, entries: Sequence[AuditEntry]) -> list[AuditLine]:
    """Each entry as (when, who, what in words)."""
    names = _names(s, entries)
    out = []
    for e in entries:
        d = _detail(e)
        sentence = SENTENCES.get(e.action)
        try:
            what = sentence(e, d, names) if sentence else _fallback(e, d, names)
        except (TypeError, ValueError, KeyError):
            what = _fallback(e, d, names)
        who, terminal = who_of(e, names)
        out.append(AuditLine(e.at, who, what.rstrip(": "), terminal))
    return out
