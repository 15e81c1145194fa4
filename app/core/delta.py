"""The punch-phrase adaptation, shipped as a small delta and merged into the PyPI base.

``python -m app adapt`` (the lab) trains low-rank updates of the decoder and writes them as an
fp16 ``.npz``: for each CTranslate2 weight it touches, ``A`` (r x in) and ``B`` (out x r) and the
row block they update (q, k and v share one fused matrix). Merging is ``W[rows] += scale * B @ A``,
done here with numpy only, so setup, the bundle and the Lambda image never need torch.

The product is exactly the merged file: its sha256 is written in the delta and checked after the
merge. The sum is done one rank at a time with element-wise float64 operations (no BLAS), whose
results IEEE 754 fixes bit for bit, so every machine builds the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core import modelbin
from app.core.errors import ModelError

FORMAT = 1


@dataclass(frozen=True)
class LowRank:
    """One low-rank update: ``W[row : row + B.rows] += scale * B @ A``."""

    name: str  # CTranslate2 variable, e.g. decoder/layer_0/self_attention/linear_0/weight
    row: int
    a: np.ndarray  # (r, in) float16
    b: np.ndarray  # (out, r) float16


@dataclass(frozen=True)
class Delta:
    meta: dict  # base_sha256, merged_sha256, scale, rank, recipe...
    updates: tuple[LowRank, ...]

    @property
    def scale(self) -> float:
        return float(self.meta["scale"])


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save(delta: Delta, path: Path) -> None:
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(delta.meta, sort_keys=True))}
    for i, u in enumerate(delta.updates):
        arrays[f"{i:03d}|{u.name}|{u.row}|a"] = u.a.astype(np.float16)
        arrays[f"{i:03d}|{u.name}|{u.row}|b"] = u.b.astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        np.savez_compressed(f, **arrays)


def read_meta(path: Path) -> dict:
    """The delta's card alone (its sha256s), without decompressing the weights: what a start
    needs to find an already merged model."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(json.loads(str(data["meta"])))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"o ajuste do modelo {path} está ilegível: {exc}") from exc


def load(path: Path) -> Delta:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            keys = sorted(k for k in data.files if k.endswith("|a"))
            updates = []
            for key in keys:
                _, name, row, _ = key.split("|")
                updates.append(LowRank(name, int(row), data[key], data[key[:-1] + "b"]))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"o ajuste do modelo {path} está ilegível: {exc}") from exc
    if meta.get("format") != FORMAT:
        raise ModelError(f"o ajuste do modelo {path} tem formato {meta.get('format')}")
    return Delta(meta, tuple(updates))


def low_rank_product(a: np.ndarray, b: np.ndarray, scale: float) -> np.ndarray:
    """``scale * b @ a`` in float64, one rank at a time, element-wise: the same bits on every
    machine (a BLAS matmul may sum in another order on another CPU)."""
    acc = np.zeros((b.shape[0], a.shape[1]), np.float64)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    for k in range(a.shape[0]):
        acc += np.multiply.outer(b64[:, k], a64[k])
    return acc * scale


def apply(model: modelbin.ModelBin, delta: Delta) -> None:
    """Add every update of ``delta`` into ``model`` (in place), rounding once to the weight's
    dtype."""
    for u in delta.updates:
        if u.name not in model.variables:
            raise ModelError(f"o ajuste altera {u.name}, que o modelo não tem")
        weight = model[u.name]
        rows = slice(u.row, u.row + u.b.shape[0])
        if u.a.shape[1] != weight.shape[1] or rows.stop > weight.shape[0]:
            raise ModelError(f"o ajuste de {u.name} não cabe na matriz {weight.shape}")
        merged = weight.copy()
        block = weight[rows].astype(np.float64) + low_rank_product(u.a, u.b, delta.scale)
        merged[rows] = block.astype(weight.dtype)
        model[u.name] = merged


def merge(base_bin: Path, delta: Delta, out_bin: Path, check: bool = True) -> str:
    """Write base + delta to ``out_bin``; returns its sha256. With ``check``, the base and the
    result must have the sha256 the delta names."""
    if check and (found := sha256(base_bin)) != delta.meta["base_sha256"]:
        raise ModelError(
            f"o ajuste do modelo foi feito para outra base (sha256 {found[:12]}..., esperado "
            f"{delta.meta['base_sha256'][:12]}...)"
        )
    model = modelbin.read(base_bin)
    apply(model, delta)
    modelbin.write(model, out_bin)
    digest = sha256(out_bin)
    if check and digest != delta.meta["merged_sha256"]:
        raise ModelError(
            f"o modelo ajustado saiu diferente do esperado (sha256 {digest[:12]}..., esperado "
            f"{delta.meta['merged_sha256'][:12]}...)"
        )
    return digest
