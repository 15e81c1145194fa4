"""The model's traps (docs/MODEL-NOTES.md, "Traps"): a pause between the type and the time,
in-grammar rivals, split type words. Real model on real (RHVoice) speech; pauses are real
silence between two real clips."""

from __future__ import annotations

import numpy as np
import pytest

from app.core import scoring
from app.core.config import DEFAULT_PUNCH_TYPES
from app.core.phrase import Phrase
from app.core.spoken import parse_spoken
from app.lab.corpus import pad, read_wav, write_wav


def _paused(make_clip, tmp_path, first: str, second: str, pause: float):
    a = read_wav(make_clip(first))
    b = read_wav(make_clip(second))
    gap = np.zeros(int(pause * 16000), np.float32)
    return write_wav(tmp_path / "paused.wav", pad(np.concatenate([a, gap, b]), 0.3, 0.5))


@pytest.mark.parametrize("pause", [0.8, 1.5])
def test_time_said_after_a_pause_is_heard(verifier, make_clip, tmp_path, pause):
    clip = _paused(make_clip, tmp_path, "Entrada.", "quatro e cinquenta e um.", pause)
    result = verifier.verify(clip, "ENTRADA 16 51")
    assert result.validated, result


def test_wrong_minute_after_a_pause_is_refused(verifier, make_clip, tmp_path):
    clip = _paused(make_clip, tmp_path, "Entrada.", "quatro e cinquenta e dois.", 1.0)
    result = verifier.verify(clip, "ENTRADA 16 51")
    assert not result.validated, result


def test_type_alone_then_unrelated_speech_is_refused(verifier, make_clip, tmp_path):
    clip = _paused(make_clip, tmp_path, "Entrada.", "Bom dia, tudo bem com você?", 1.0)
    assert not verifier.verify(clip, "ENTRADA 16 51").validated


def test_split_type_words_are_read():
    assert parse_spoken("Saí da 3 e 46.").type == "SAIDA"
    assert parse_spoken("Intenva-lo duas e dezoito.").type == "INTERVALO"
    assert parse_spoken("a saída do prédio").type == "SAIDA"
    assert parse_spoken("Bom dia, tudo bem?").type is None


def test_rivals_are_the_in_grammar_slips():
    expected = Phrase("INTERVALO", 15, 56)
    rivals = scoring.competitors(expected, DEFAULT_PUNCH_TYPES, [Phrase("INTERVALO", 5, 56)])
    assert expected not in rivals
    assert Phrase("INTERVALO", 15, 55) in rivals  # minute -1
    assert Phrase("INTERVALO", 5, 56) in rivals  # "Intervalo 556": the tens digit dropped
    assert Phrase("INTERVALO", 15, 6) in rivals
    assert Phrase("SAIDA", 15, 56) in rivals
    assert Phrase("INTERVALO", 3, 56) not in rivals  # 3:56 is 15:56 said in 12-hour speech
    assert len(rivals) == len(set(rivals))


def test_renderings_cover_digit_runs_words_and_12_hour_speech():
    p = Phrase("SAIDA", 13, 46)
    texts = {scoring.render(p, "Saída", s) for s in range(scoring.N_STYLES)}
    assert " Saída 1346." in texts
    assert " Saída 13h46." in texts
    assert " Saída, treze e quarenta e seis." in texts
    assert " Saída, 1 e 46." in texts
    assert scoring.words(21, feminine=True) == "vinte e uma"


@pytest.mark.parametrize(
    ("spoken", "expected", "pitch"),
    [
        # Heard right, as another time: the expected phrase in another wording ("4 e 2" in
        # 12-hour speech) must not beat the transcript word for word (a false accept once).
        ("Intervalo 14 e 2.", "PAUSA 16 2", 130),
        ("Saída. meia-noite e cinquenta e nove.", "SAIDA 1 59", 130),
        ("Retorno. 19 e 39.", "RETORNO 9 39", 100),
    ],
)
def test_a_clear_reading_of_another_time_is_refused(verifier, make_clip, spoken, expected, pitch):
    result = verifier.verify(make_clip(spoken, pitch=pitch), expected)
    assert not result.validated, result


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("Entrada, 13 e 41.", "ENTRADA 13 40"),
        ("Saída, 18 e 5.", "SAIDA 8 05"),
        ("Entrada, 13 e 40.", "ENTRADA 13 40"),
    ],
)
def test_early_reject_bound_is_never_below_the_full_margin(verifier, make_clip, spoken, expected):
    # The verifier rejects early when the expected phrase does not beat the transcript by the
    # margin; that is only the same verdict if the full margin can never be higher.
    from app.core import audio, decoding, vad
    from app.core.phrase import parse_expected

    samples = audio.decode(make_clip(spoken))
    spans = vad.speech_spans(samples)
    model, tok = verifier.model, verifier._tokenizer
    enc, frames = decoding.encode(model, samples[spans[0][0] : spans[-1][1]])
    heard = decoding.decode(model, tok, enc, 1)
    phrase = parse_expected(expected)
    scorer = scoring.Scorer(model, tok, enc, frames, DEFAULT_PUNCH_TYPES)
    rendering, bound = scorer.best_rendering(phrase, heard)
    full = scorer.score(phrase, heard_texts=heard)
    assert full.margin <= bound + 1e-4
    assert full.expected_mean_logprob == pytest.approx(rendering.mean_logprob)
    # and the rendering passed in is the one ``score`` would have found itself
    again = scorer.score(phrase, heard_texts=heard, rendering=rendering)
    assert again.margin == pytest.approx(full.margin, abs=1e-3)


def test_views_setting_is_checked():
    from app.core.config import options_from
    from app.core.errors import ConfigError

    assert options_from({"views": "greedy, pause"}, env={}).views == ("greedy", "pause")
    for bad in ("pause,greedy", "greedy,wide", ""):
        with pytest.raises(ConfigError, match="views"):
            options_from({"views": bad}, env={})


@pytest.mark.parametrize("views", [("greedy",), ("greedy", "pause")])
def test_every_view_list_reads_a_clear_phrase_and_refuses_a_slip(verifier, make_clip, views):
    """Fewer views never turn a clear right phrase away or a wrong minute into a pass, and
    the pipeline stops at the first view once the judge knows (a clear phrase costs one
    decode)."""
    from app.core.verifier import Verifier

    fewer = Verifier(verifier.options.replace(views=views))
    clip = make_clip("Saída, dezessete e vinte e dois.")
    right = fewer.verify(clip, "SAIDA 17 22")
    assert right.validated and right.views == ("greedy",), right
    wrong = fewer.verify(clip, "SAIDA 17 23")
    assert not wrong.validated and wrong.views == ("greedy",), wrong
