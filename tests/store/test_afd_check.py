"""The AFD validator against files written by hand from the layout (annex V, layout 003), with
CRC-16/KERMIT and the SHA-256 chain computed here independently of app.rep.afd_layout; then the
same file broken one way at a time, each problem reported at its line and field."""

from __future__ import annotations

import hashlib

import pytest
from afd_support import kermit

from app.rep.afd_check import check_afd


def with_crc(line: str) -> str:
    return line + kermit(line.encode("iso-8859-1"))


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("iso-8859-1")).hexdigest()


EMPLOYER = "Padaria Pão Quente Ltda"
PLACE = "Rua das Flores, 100 - São Paulo/SP"
T1 = "2026-03-02T08:00:00-0300"
T2 = "2026-03-02T12:01:00-0300"
T3 = "2026-03-03T08:05:00-0300"

HEADER = with_crc(
    "000000000"
    "1"
    "1"
    "11222333000181" + " " * 14 + EMPLOYER.ljust(150) + "12345678901234567"
    "2026-03-02"
    "2026-03-03"
    "2026-03-04T10:00:00-0300"
    "003"
    "1"
    "11444777000161" + " " * 30
)
EMPLOYER_2 = with_crc(
    "000000001"
    "2" + T1 + "00052998224725"
    "1"
    "11222333000181" + " " * 14 + EMPLOYER.ljust(150) + PLACE.ljust(100)
)
EMPLOYEE_5 = with_crc(
    "0000000025" + T1 + "I052998224725" + "João Conceição".ljust(52) + "    52998224725"
)
CLOCK_4 = with_crc("0000000034" + T1 + "2026-03-02T08:02:00-0300" + "52998224725")
POWER_6 = "0000000046" + T1 + "02"
BODY_A = "0000000057" + T1 + "052998224725" + T1 + "040"
HASH_A = sha(BODY_A)  # the REP's first punch: its own fields only
BODY_B = "0000000067" + T2 + "052998224725" + T2 + "040"
HASH_B = sha(BODY_B + HASH_A)
UNAVAILABLE_6 = "0000000076" + T3 + "08"
BODY_C = "0000000087" + T3 + "052998224725" + T3 + "041"
HASH_C = sha(BODY_C + HASH_B)
TRAILER = "9999999990000000010000000000000000010000000010000000020000000039"
SIGNATURE = "ASSINATURA_DIGITAL_EM_ARQUIVO_P7S" + " " * 67

NAME = "AFD1234567890123456711222333000181REP_P.txt"
LINES = [HEADER, EMPLOYER_2, EMPLOYEE_5, CLOCK_4, POWER_6, BODY_A + HASH_A, BODY_B + HASH_B,
         UNAVAILABLE_6, BODY_C + HASH_C, TRAILER, SIGNATURE]  # fmt: skip


def afd(lines: list[str], eol: str = "\r\n") -> bytes:
    return "".join(line + eol for line in lines).encode("iso-8859-1")


def test_hand_written_file_has_the_layout_widths():
    assert [len(x) for x in LINES] == [302, 331, 118, 73, 36, 137, 137, 36, 137, 64, 100]
    assert kermit(b"123456789") == "2189"  # the catalogue check value the layout quotes


def test_hand_written_file_passes():
    report = check_afd(afd(LINES))
    assert report.problems == ()
    assert report.ok
    assert report.counts == {"1": 1, "2": 1, "4": 1, "5": 1, "6": 2, "7": 3, "9": 1}


def _replace(index: int, line: str) -> list[str]:
    return [line if i == index else x for i, x in enumerate(LINES)]


def _problems(data: bytes) -> list[str]:
    return [p.text() for p in check_afd(data).problems]


BROKEN = {
    "crc": (
        _replace(1, EMPLOYER_2[:-4] + "0000"),
        'erro: linha 2, campo 10 "CRC-16" (posições 328-331): CRC-16 não confere',
    ),
    "crc after a field edit": (
        _replace(2, EMPLOYEE_5.replace("João", "Joao")),
        'erro: linha 3, campo 9 "CRC-16" (posições 115-118): CRC-16 não confere',
    ),
    "short record": (
        _replace(2, EMPLOYEE_5[:60] + EMPLOYEE_5[61:]),
        "erro: linha 3: registro tipo 5 com 117 caracteres; o leiaute pede 118",
    ),
    "chain": (
        _replace(6, BODY_B.replace("052998224725", "011144477735") + HASH_B),
        'erro: linha 7, campo 8 "código hash (SHA-256)" (posições 074-137): hash SHA-256 não '
        "confere",
    ),
    "chain link to a changed hash": (
        _replace(5, BODY_A + sha("outra coisa")),
        "erro: linha 7, campo 8",
    ),
    "duplicate nsr": (
        _replace(4, "000000003" + POWER_6[9:]),
        'erro: linha 5, campo 1 "NSR" (posições 001-009): NSR 3 repetido (já na linha 4)',
    ),
    "nsr out of order": (
        [*LINES[:3], LINES[4], LINES[3], *LINES[5:]],
        "NSR 3 fora de ordem (depois de 4)",
    ),
    "trailer count": (
        _replace(9, TRAILER[:54] + "000000004" + "9"),
        'erro: linha 10, campo 7 "quantidade de registros tipo 7" (posições 055-063): o trailer '
        "diz 4 registros tipo 7, o arquivo tem 3",
    ),
    "no signature line": (LINES[:-1], 'erro: arquivo: falta a última linha "ASSINATURA_DIGITAL'),
    "signature not padded": (
        _replace(10, SIGNATURE.rstrip()),
        "erro: linha 11: linha de assinatura com 33 caracteres",
    ),
    "seconds": (
        _replace(4, POWER_6.replace("08:00:00", "08:00:31")),
        'erro: linha 5, campo 3 "data e hora da gravação" (posições 011-034): os segundos devem '
        "ser sempre 00",
    ),
    "unknown event": (
        _replace(4, POWER_6[:-2] + "09"),
        "erro: linha 5, campo 4 \"tipo de evento\" (posições 035-036): valor '09' não permitido",
    ),
    "header dates": (
        _replace(0, with_crc(HEADER[:206] + "2026-03-01" + HEADER[216:-4])),
        "data inicial 2026-03-01 difere da data do primeiro registro do arquivo (2026-03-02)",
    ),
    "letters in a CPF": (
        _replace(5, BODY_A.replace("052998224725", "05299822472X") + HASH_A),
        'erro: linha 6, campo 4 "CPF do empregado" (posições 035-046): campo numérico com '
        "caracteres não numéricos",
    ),
    "offline flag": (
        _replace(8, BODY_C[:-1] + "2" + HASH_C),
        "erro: linha 9, campo 7 \"indicador on-line/off-line\" (posições 073-073): valor '2'",
    ),
    "blank line": (
        [*LINES[:4], "", *LINES[4:]],
        "erro: linha 5: linha em branco",
    ),
    "record after trailer": (
        [*LINES[:9], LINES[9], LINES[4].replace("000000004", "000000009"), LINES[10]],
        "erro: linha 11: registro depois do trailer",
    ),
    "unknown type": (_replace(4, "0000000048" + POWER_6[10:]), "tipo de registro desconhecido"),
    "layout version": (
        _replace(0, with_crc(HEADER[:250] + "002" + HEADER[253:-4])),
        "erro: linha 1, campo 11 \"versão do leiaute\" (posições 251-253): valor '002'",
    ),
    "inpi blank": (
        _replace(0, with_crc(HEADER[:189] + " " * 17 + HEADER[206:-4])),
        'erro: linha 1, campo 7 "número de registro no INPI" (posições 190-206): campo numérico '
        "obrigatório em branco",
    ),
    "control character": (
        _replace(2, with_crc(EMPLOYEE_5[:50] + "\t" + EMPLOYEE_5[51:-4])),
        'erro: linha 3, campo 6 "nome do empregado" (posições 048-099): caractere de controle 0x09',
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_each_break_is_reported_at_its_line_and_field(case):
    lines, expected = BROKEN[case]
    report = check_afd(afd(lines))
    assert not report.ok
    assert any(expected in text for text in _problems(afd(lines))), _problems(afd(lines))


def test_line_ends_must_be_crlf():
    texts = _problems(afd(LINES, eol="\n"))
    assert "erro: linha 1: linha termina só com LF; o leiaute pede CR LF" in texts
    assert len(texts) == len(LINES)
    texts = _problems(afd(LINES)[:-2])
    assert "erro: linha 11: a última linha não termina com CR LF" in texts


def test_utf8_file_is_flagged_with_its_consequence():
    data = "".join(x + "\r\n" for x in LINES).encode("utf-8")
    texts = _problems(data)
    assert texts[0].startswith("aviso: arquivo: o arquivo parece estar em UTF-8")
    assert "erro: linha 1: registro tipo 1 com 303 caracteres; o leiaute pede 302" in texts


def test_space_filled_numbers_are_a_warning_not_an_error():
    """The literal reading of general rule 7 (left-aligned, space-filled) is the other side of
    the ambiguity PontoVoz decided for zeros: another vendor's file is read, with a warning."""
    report = check_afd(afd(_replace(4, "4        " + POWER_6[9:])))
    (problem,) = [p for p in report.problems if "alinhado à esquerda" in p.message]
    assert problem.severity == "aviso" and problem.line == 5


def test_split_file_first_link_is_a_warning_or_checked_with_the_previous_hash():
    """A file holding only the 2nd and 3rd punches cannot check the first link by itself."""
    part = [HEADER, LINES[6], LINES[7], LINES[8],
            "999999999" + "0" * 36 + "000000001" "000000002" "9", SIGNATURE]  # fmt: skip
    part[0] = with_crc(HEADER[:206] + "2026-03-022026-03-03" + HEADER[226:-4])
    report = check_afd(afd(part))
    assert report.ok
    assert [p.severity for p in report.problems] == ["aviso"]
    assert "arquivo fracionado" in report.problems[0].message
    assert check_afd(afd(part), prev_hash=HASH_A).problems == ()
    assert not check_afd(afd(part), prev_hash=sha("x")).ok


def test_bad_check_digits_are_warned():
    bad = with_crc(EMPLOYEE_5[:35] + "052998224726" + EMPLOYEE_5[47:-4])
    texts = _problems(afd(_replace(2, bad)))
    assert any("dígitos verificadores do CPF 52998224726 não conferem" in t for t in texts)


def test_empty_and_garbage_files():
    assert _problems(b"") == ["erro: arquivo: arquivo vazio"]
    texts = _problems(b"\x00\x01garbage\r\n")
    assert any("tipo de registro desconhecido" in t for t in texts)
    assert any("falta o cabeçalho" in t for t in texts)


def test_cli_prints_line_and_field_and_exits_1(tmp_path):
    import subprocess
    import sys

    (tmp_path / "bom").mkdir()
    (tmp_path / "ruim").mkdir()
    good, bad = tmp_path / "bom" / NAME, tmp_path / "ruim" / NAME
    good.write_bytes(afd(LINES))
    bad.write_bytes(afd(_replace(1, EMPLOYER_2[:-4] + "0000")))
    cmd = [sys.executable, "-m", "app", "export", "check"]
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{NAME}: conforme ao leiaute (tipo 1: 1, tipo 2: 1" in ok.stdout
    r = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert 'erro: linha 2, campo 10 "CRC-16" (posições 328-331): CRC-16 não confere' in r.stdout
    assert f"{NAME}: 1 erro(s) de leiaute" in r.stdout
    renamed = tmp_path / "bom" / "AFD_01.txt"
    renamed.write_bytes(afd(LINES))
    r = subprocess.run([*cmd, str(renamed)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "fora do padrão do leiaute" in r.stdout


def _errors(data: bytes, **kw) -> list[str]:
    return [p.text() for p in check_afd(data, **kw).errors]


def test_altered_first_punch_of_a_file_that_starts_at_nsr_1_is_an_error():
    """Not "arquivo fracionado": a file from NSR 1 holds the REP's first punch, whose hash
    has no previous record to chain to, so a changed CPF or time there is caught."""
    altered = BODY_A.replace("052998224725", "011144477735")
    (error,) = _errors(afd(_replace(5, altered + HASH_A)))
    assert "linha 6" in error and "primeira marcação do REP não confere" in error
    # the same line in a file that starts later is a fraction: a warning, not an error
    part = [HEADER, altered + HASH_A, BODY_B + HASH_B,
            "999999999" + "0" * 45 + "000000002" "9", SIGNATURE]  # fmt: skip
    part[0] = with_crc(HEADER[:206] + "2026-03-022026-03-02" + HEADER[226:-4])
    report = check_afd(afd(part))
    assert report.ok and "arquivo fracionado" in report.problems[0].message
    assert not check_afd(afd(part), prev_hash=HASH_A).ok  # with the link known: an error


def test_name_must_match_the_header_and_inpi_cannot_be_zeros():
    assert _errors(afd(LINES), file_name=NAME) == []
    assert _errors(afd(LINES), file_name=NAME.removesuffix(".txt")) == []
    other_inpi = NAME.replace("12345678901234567", "12345678901234568")
    (err,) = _errors(afd(LINES), file_name=other_inpi)
    assert "INPI 12345678901234568" in err
    other_cnpj = NAME.replace("11222333000181", "11444777000161")
    (err,) = _errors(afd(LINES), file_name=other_cnpj)
    assert "CNPJ/CPF 11444777000161" in err
    zeros = with_crc(HEADER[:189] + "0" * 17 + HEADER[206:-4])
    texts = _errors(afd(_replace(0, zeros)))
    assert any("campo 7" in t and "INPI zerado" in t for t in texts)


def test_rep_c_only_event_codes_are_refused_in_a_rep_p_file():
    for code in ("01", "03", "04", "05", "06"):
        (err,) = _errors(afd(_replace(4, POWER_6[:-2] + code)), file_name=NAME)
        assert "linha 5" in err and f"evento {code}" in err and "só de REP-C" in err
    for code in ("02", "07", "08"):
        assert _errors(afd(_replace(4, POWER_6[:-2] + code)), file_name=NAME) == []


def test_recording_before_the_punch_is_an_error():
    early = "0000000057" + T1 + "052998224725" + "2026-03-02T07:59:00-0300" + "040"
    lines = _replace(5, early + sha(early))
    body_b = BODY_B
    lines[6] = body_b + sha(body_b + sha(early))
    lines[8] = BODY_C + sha(BODY_C + lines[6][-64:])
    (err,) = _errors(afd(lines))
    assert "linha 6" in err and "campo 5" in err and "anterior à marcação" in err
    # the same instant in another zone's offset is not "before"
    manaus = "0000000057" + T1 + "052998224725" + "2026-03-02T07:00:00-0400" + "040"
    lines = _replace(5, manaus + sha(manaus))
    lines[6] = body_b + sha(body_b + sha(manaus))
    lines[8] = BODY_C + sha(BODY_C + lines[6][-64:])
    assert _errors(afd(lines)) == []


def test_zero_responsible_cpf_is_warned():
    zeroed = with_crc(CLOCK_4[:58] + "0" * 11)
    report = check_afd(afd(_replace(3, zeroed)))
    assert report.ok
    assert any("CPF do responsável zerado" in p.message for p in report.problems)
