"""AEJ checker: every rule of annex VI we can test from the file alone, as pt-BR problems.

Returns a list of messages (empty = valid) that HR or IT reads, each with its line number:
encoding, CRLF, field counts and formats per record type, references between records
(05 -> 02/03/04, 07 -> 03), conditional fields, order (01 first, 99 then the signature line last),
the trailer's counts and the version "001".
"""

from __future__ import annotations

import re
from collections import Counter

from app.central.aej import SIGNATURE_LINE, VERSION

_D = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_DH = re.compile(r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:00[+-]\d{4}$")
_H = re.compile(r"^([01]\d|2[0-3])[0-5]\d$")

# type -> (min fields, max fields); type 04 grows by entry/exit pairs.
_FIELDS = {
    "01": (10, 10),
    "02": (4, 4),
    "03": (4, 4),
    "04": (5, 99),
    "05": (9, 9),
    "06": (3, 3),
    "07": (6, 6),
    "08": (7, 7),
    "99": (9, 9),
}
_ORDER = ["01", "02", "03", "04", "05", "06", "07", "08", "99"]


def _num(v: str, lo: int, hi: int) -> bool:
    return v.isdigit() and lo <= len(v) <= hi


def check(data: bytes) -> list[str]:
    """Problems found in an AEJ file (bytes as downloaded); [] when it is valid."""
    try:
        text = data.decode("iso-8859-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
        return ["Arquivo não está em ISO-8859-1."]
    if not text:
        return ["Arquivo vazio."]
    if not text.endswith("\r\n"):
        return ["A última linha não termina com CR LF."]
    rows = text[:-2].split("\r\n")
    if any("\n" in r or "\r" in r for r in rows):
        return ["Há quebras de linha que não são CR LF."]
    problems: list[str] = []
    if rows[-1] != SIGNATURE_LINE:
        problems.append(f"Linha {len(rows)}: falta a linha ASSINATURA_DIGITAL_EM_ARQUIVO_P7S.")
    else:
        rows = rows[:-1]
    parsed: list[tuple[int, list[str]]] = []
    for n, row in enumerate(rows, 1):
        if not row:
            problems.append(f"Linha {n}: linha em branco.")
            continue
        f = row.split("|")
        kind = f[0]
        if kind not in _FIELDS:
            problems.append(f"Linha {n}: tipo de registro desconhecido {kind!r}.")
            continue
        lo, hi = _FIELDS[kind]
        if not lo <= len(f) <= hi:
            problems.append(f"Linha {n}: registro {kind} com {len(f)} campos (esperado {lo}).")
            continue
        parsed.append((n, f))
    kinds = [f[0] for _, f in parsed]
    if not kinds or kinds[0] != "01" or kinds.count("01") != 1:
        problems.append("O arquivo deve começar com um único registro 01.")
    if not kinds or kinds[-1] != "99" or kinds.count("99") != 1:
        problems.append("O arquivo deve terminar com um único registro 99 antes da assinatura.")
    if [_ORDER.index(k) for k in kinds] != sorted(_ORDER.index(k) for k in kinds):
        problems.append("Registros fora da ordem 01, 02, 03, 04, 05, 06, 07, 08, 99.")
    reps = {f[1] for _, f in parsed if f[0] == "02"}
    links = {f[1] for _, f in parsed if f[0] == "03"}
    codes = {f[1] for _, f in parsed if f[0] == "04"}
    for n, f in parsed:
        problems += [f"Linha {n}: {p}" for p in _check_record(f, reps, links, codes)]
    counts = Counter(kinds)
    trailer = [f for _, f in parsed if f[0] == "99"]
    if trailer:
        want = [str(counts[k]) for k in _ORDER[:-1]]
        if trailer[0][1:] != want:
            problems.append(
                f"Registro 99: contagens {'|'.join(trailer[0][1:])} não conferem "
                f"com o arquivo ({'|'.join(want)})."
            )
    return problems


def _check_record(f: list[str], reps: set[str], links: set[str], codes: set[str]) -> list[str]:
    k = f[0]
    bad: list[str] = []
    if k == "01":
        if f[1] not in ("1", "2") or len(f[2]) != (14 if f[1] == "1" else 11):
            bad.append("CNPJ/CPF do empregador inválido.")
        if not f[2].isdigit():
            bad.append("CNPJ/CPF do empregador deve ter só dígitos.")
        if not 1 <= len(f[5]) <= 150:
            bad.append("razão social vazia ou longa demais.")
        if not (_D.match(f[6]) and _D.match(f[7])) or f[6] > f[7]:
            bad.append("período do arquivo inválido.")
        if not _DH.match(f[8]):
            bad.append("data e hora de geração inválida.")
        if f[9] != VERSION:
            bad.append(f"versão do leiaute deve ser {VERSION}.")
    elif k == "02":
        if not _num(f[1], 1, 9) or f[2] not in ("1", "2", "3") or not _num(f[3], 1, 17):
            bad.append("identificação do REP inválida.")
    elif k == "03":
        if not _num(f[1], 1, 9) or not _num(f[2], 11, 11) or not 1 <= len(f[3]) <= 150:
            bad.append("vínculo inválido (identificador, CPF de 11 dígitos, nome).")
    elif k == "04":
        times = f[3:]
        if not 1 <= len(f[1]) <= 30 or not _num(f[2], 1, 12):
            bad.append("horário contratual sem código ou duração.")
        if len(times) % 2 or not all(_H.match(t) for t in times):
            bad.append("horários de entrada/saída devem vir em pares hhmm.")
    elif k == "05":
        bad += _check_mark(f, reps, links, codes)
    elif k == "07":
        if f[1] not in links:
            bad.append(f"ausência de vínculo inexistente {f[1]}.")
        if f[2] not in ("1", "2", "3", "4") or not _D.match(f[3]):
            bad.append("tipo ou data da ausência inválidos.")
        if f[2] == "3" and not (_num(f[4], 1, 12) and f[5] in ("1", "2")):
            bad.append("movimento de banco de horas exige minutos e tipo.")
    elif k == "08":
        if not f[1] or not f[2] or len(f[2]) > 8 or f[3] not in ("1", "2"):
            bad.append("identificação do programa (PTRP) incompleta.")
        if len(f[4]) != (14 if f[3] == "1" else 11) or not f[4].isdigit():
            bad.append("CNPJ/CPF do desenvolvedor do PTRP inválido.")
        if not f[5].strip():
            bad.append("nome ou razão social do desenvolvedor do PTRP em branco.")
        if not re.match(r"^[^@\s|]+@[^@\s|]+\.[^@\s|]+$", f[6]):
            bad.append(f"e-mail do desenvolvedor do PTRP inválido ou em branco ({f[6]!r}).")
    elif k == "99" and not all(_num(x, 1, 9) for x in f[1:]):
        bad.append("contagens do trailer devem ser números.")
    return bad


def _check_mark(f: list[str], reps: set[str], links: set[str], codes: set[str]) -> list[str]:
    bad = []
    _, link, when, rep, kind, seq, source, code, reason = f
    if link not in links:
        bad.append(f"marcação de vínculo inexistente {link}.")
    if not _DH.match(when):
        bad.append(f"data e hora da marcação inválida {when!r}.")
    if rep and rep not in reps:
        bad.append(f"marcação de REP inexistente {rep}.")
    if source == "O" and not rep:
        bad.append("marcação original sem REP.")
    if kind not in ("E", "S", "D"):
        bad.append(f"tipo de marcação inválido {kind!r}.")
    if not _num(seq, 3, 3) or seq == "000":
        bad.append(f"sequência entrada/saída {seq!r} inválida: três dígitos, de 001 em diante.")
    if source not in ("O", "I", "P", "X", "T"):
        bad.append(f"fonte da marcação inválida {source!r}.")
    if kind == "E" and seq == "001" and code not in codes:
        bad.append("primeira entrada sem horário contratual válido.")
    if code and code not in codes:
        bad.append(f"horário contratual inexistente {code!r}.")
    if (kind == "D" or source == "I") and not reason:
        bad.append("marcação desconsiderada ou incluída exige motivo.")
    if len(reason) > 150:
        bad.append("motivo com mais de 150 caracteres.")
    return bad
