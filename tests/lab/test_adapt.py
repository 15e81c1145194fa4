"""`adapt`: the CTranslate2 <-> transformers mapping, the targets, and one real training step
whose delta merges with numpy and loads in faster-whisper (training itself is not run in CI)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

pytest.importorskip("torch")  # the lab extra

from app import paths
from app.core import audio, decoding, vad
from app.core import delta as delta_mod
from app.core.config import EngineOptions
from app.core.model import SIDE_FILES, assemble_embedded, load_model
from app.lab import corpus
from app.lab.adapt import convert, data, train

PROMPT = train.PROMPT


@pytest.fixture(scope="module")
def base():
    return assemble_embedded(paths.cache_dir())


@pytest.fixture(scope="module")
def plain(base):
    # float32, like the transformers copy: int8 rounding flips near-ties (docs/MODEL-NOTES.md)
    options = EngineOptions(model_path=str(base), compute_type="float32")
    return load_model(options, paths.cache_dir())


def _spec(**changes) -> corpus.ClipSpec:
    spec = corpus.plan(1, 1)[0]
    return dataclasses.replace(spec, **changes)


@pytest.mark.parametrize(
    ("spoken", "style", "said", "pause", "want"),
    [
        ("Entrada, treze e quarenta.", "words", "ENTRADA 13 40", 0.0, " Entrada, 13h40."),
        ("Saída. | três e cinco da tarde.", "casual_period", "SAIDA 15 5", 0.8,
         " Saída. 3h05 da tarde."),
        ("Pausa, três e cinco.", "casual", "INTERVALO 15 5", 0.0, " Pausa, 3h05."),
        ("Retorno, meio-dia e meia.", "named", "RETORNO 12 30", 0.0, " Retorno, 12h30."),
        ("Entrada, sete em ponto.", "ponto", "ENTRADA 7 0", 0.0, " Entrada, 7h00."),
        ("Retorno.", "-", "", 0.0, " Retorno."),
    ],
)  # fmt: skip
def test_targets_write_the_time_as_said_in_one_style(spoken, style, said, pause, want):
    assert data.target_text(_spec(spoken=spoken, style=style, said=said, pause_s=pause)) == want


def test_training_specs_leave_a_voice_out_and_never_use_report_sentences():
    specs = data.training_specs(300, 5, exclude_voice="mb-br3")
    assert len(specs) == 300 and "mb-br3" not in {s.voice for s in specs}
    unrelated = [s.spoken for s in specs if s.kind == "unrelated"]
    assert unrelated and not set(unrelated) & set(corpus.UNRELATED)
    assert {s.kind for s in specs}.isdisjoint({"silence", "noise"})
    assert data.training_specs(300, 5, exclude_voice="mb-br3") == specs  # reproducible


def test_transformers_copy_reads_like_ctranslate2(base, plain):
    """Greedy decoding with the converted decoder on CTranslate2's encoder output gives the
    same tokens as CTranslate2 itself (the mapping is exact up to float rounding)."""
    import tokenizers
    import torch

    hf = convert.to_hf(base / "model.bin")
    tok = tokenizers.Tokenizer.from_file(str(base / "tokenizer.json"))
    samples = audio.read_wav(paths.resources_dir() / "selftest" / "pos.wav")[0]
    spans = vad.speech_spans(samples)
    enc, _ = decoding.encode(plain, samples[spans[0][0] : spans[-1][1]])
    ids = list(PROMPT)
    with torch.no_grad():
        memory = torch.from_numpy(np.asarray(enc, np.float32))
        for _ in range(decoding.MAX_TOKENS):
            hidden = hf.model.decoder(input_ids=torch.tensor([ids]), encoder_hidden_states=memory)
            nxt = int(hf.proj_out(hidden.last_hidden_state[:, -1]).argmax())
            if nxt == train.EOT:
                break
            ids.append(nxt)
    import ctranslate2

    ct = plain.model.generate(
        ctranslate2.StorageView.from_array(enc), [PROMPT], beam_size=1, max_length=32
    )[0].sequences_ids[0]
    ours = decoding.first_sentence(tok.decode(ids[len(PROMPT) :]))
    theirs = decoding.first_sentence(tok.decode(ct))
    assert ours == theirs and "13" in theirs, (ours, theirs)


def test_one_training_step_gives_a_delta_that_merges_and_loads(base, plain, tmp_path):
    drawn = data.training_specs(10, 17)
    specs = [s for s in drawn if s.voice != "leticia"][:4] + [
        s for s in drawn if s.voice == "leticia"
    ][:4]
    examples = data.build(specs, tmp_path / "set", plain, progress=lambda _: None)
    assert len(examples) == len(specs) and all(e.frames % 25 in (0, 1, 24) for e in examples)
    options = train.TrainOptions(steps=2, batch=4, warmup=1, validate_every=1, rank=4, alpha=8)

    def run():
        return train.train(
            base / "model.bin",
            base / "tokenizer.json",
            examples,
            tmp_path / "set" / "features",
            options,
            progress=lambda _: None,
        )

    trained, report = run()
    assert len(report.losses) == 3 and all(math.isfinite(h) for _, _, h in report.losses)
    updates = train.export(trained)
    again, _ = run()
    # reproducible: the same examples, seed and options give the same delta, bit for bit
    assert all(
        np.array_equal(u.a, v.a) and np.array_equal(u.b, v.b)
        for u, v in zip(updates, train.export(again), strict=True)
    )
    assert len(updates) == 60  # 6 layers x (4 self + 4 cross attention + 2 ffn)
    assert {u.a.shape for u in updates} == {(4, 512), (4, 2048)}
    meta = {"format": delta_mod.FORMAT, "base_sha256": "", "scale": 2.0, "merged_sha256": ""}
    delta = delta_mod.Delta(meta, tuple(updates))
    out = tmp_path / "model"
    out.mkdir()
    delta_mod.merge(base / "model.bin", delta, out / "model.bin", check=False)
    for name in SIDE_FILES:
        (out / name).write_bytes((base / name).read_bytes())
    adapted = load_model(EngineOptions(model_path=str(out)), tmp_path)
    enc, _ = decoding.encode(adapted, np.zeros(16000, np.float32))
    assert adapted.model.generate(
        __import__("ctranslate2").StorageView.from_array(enc), [PROMPT], max_length=8
    )
