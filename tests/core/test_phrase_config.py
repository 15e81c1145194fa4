"""The expected phrase and the engine options: what is accepted, and the errors for the rest."""

from __future__ import annotations

import pytest

from app.core.config import options_from
from app.core.errors import ConfigError, PhraseError
from app.core.phrase import Phrase, parse_expected


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("ENTRADA 13 40", Phrase("ENTRADA", 13, 40)),
        ("entrada 13 40", Phrase("ENTRADA", 13, 40)),
        ("  Entrada   8  05 ", Phrase("ENTRADA", 8, 5)),
        ("SAÍDA 18 00", Phrase("SAIDA", 18, 0)),
        ("saida 0 0", Phrase("SAIDA", 0, 0)),
        ("PAUSA 12 30", Phrase("INTERVALO", 12, 30)),
        ("Intervalo 23 59", Phrase("INTERVALO", 23, 59)),
        ("RETORNO 07 9", Phrase("RETORNO", 7, 9)),
    ],
)
def test_parses_expected_phrases(text, want):
    assert parse_expected(text) == want


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "TIPO HORA MINUTO"),
        ("ENTRADA", "TIPO HORA MINUTO"),
        ("ENTRADA 13", "TIPO HORA MINUTO"),
        ("ENTRADA 13 40 00", "TIPO HORA MINUTO"),
        ("ENTRADA 13:40", "TIPO HORA MINUTO"),
        ("ENTRADA treze quarenta", "TIPO HORA MINUTO"),
        ("ALMOCO 13 40", "tipo de marcação desconhecido"),
        ("ENTRADA 24 00", "a hora deve estar entre 0 e 23"),
        ("ENTRADA 13 60", "o minuto deve estar entre 0 e 59"),
        ("ENTRADA -1 30", "TIPO HORA MINUTO"),
        ("ENTRADA 130 4", "TIPO HORA MINUTO"),
    ],
)
def test_rejects_malformed_phrases(text, message):
    with pytest.raises(PhraseError, match=message):
        parse_expected(text)


def test_non_string_phrase_is_a_phrase_error():
    with pytest.raises(PhraseError):
        parse_expected(1340)  # type: ignore[arg-type]


def test_punch_type_list_is_configurable():
    types = {"ENTRADA": ("entrada",), "ALMOCO": ("almoco", "almoço")}
    assert parse_expected("almoço 12 00", types) == Phrase("ALMOCO", 12, 0)
    with pytest.raises(PhraseError, match="ENTRADA, ALMOCO"):
        parse_expected("SAIDA 12 00", types)


def test_phrase_text_is_zero_padded():
    assert Phrase("ENTRADA", 8, 5).text() == "ENTRADA 08 05"


def test_options_from_env_for_the_lambda():
    env = {
        "PONTOVOZ_NUM_WORKERS": "2",
        "PONTOVOZ_CLOSED_SET": "off",
        "PONTOVOZ_COMPUTE_TYPE": "int8",
    }
    opts = options_from({}, env=env)
    assert opts.num_workers == 2 and opts.closed_set is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PONTOVOZ_CPU_THREADS": "many"}, "valor inválido para cpu_threads"),
        ({"PONTOVOZ_CPU_THREADS": "0"}, "cpu_threads deve estar entre 1 e 64"),
        ({"PONTOVOZ_COMPUTE_TYPE": "int4"}, "compute_type deve ser um destes"),
        ({"PONTOVOZ_CLOSED_SET": "maybe"}, "valor inválido para closed_set"),
        ({"PONTOVOZ_MODEL_PATH": "/no/such/folder"}, "model_path não é uma pasta"),
        ({"PONTOVOZ_MAX_AUDIO_SECONDS": "1000"}, "max_audio_seconds"),
    ],
)
def test_bad_option_values_are_refused_with_a_message(env, message):
    with pytest.raises(ConfigError, match=message):
        options_from({}, env=env)


def test_unknown_override_is_refused():
    with pytest.raises(ConfigError, match=r"opção desconhecida \(motor\): colour"):
        options_from({}, env={}, overrides={"colour": "blue"})
