"""``python -m app adapt``: build the training set, train, write the delta and its model card.

One command, reproducible: the same arguments give the same clips, the same encoder outputs,
the same training order and so the same delta (and merged sha256). The clips and features are
cached in ``--work``, so a second run (another voice left out, more steps) skips straight to
training.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import json
import sys
import time
from pathlib import Path

from app import paths
from app.core import delta as delta_mod
from app.core.config import options_from
from app.core.model import SIDE_FILES, assemble_embedded, load_model, write_int8
from app.lab.adapt import data, train
from app.lab.voices import VOICES


def _say(text: str) -> None:
    print(f"[adapt {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _versions() -> dict[str, str]:
    out = {}
    for name in ("torch", "transformers", "peft", "numpy", "ctranslate2"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def run(args: argparse.Namespace) -> int:
    work = Path(args.work)
    cache = paths.cache_dir()
    base = assemble_embedded(cache)
    options = train.TrainOptions(
        steps=args.steps, batch=args.batch, lr=args.lr, rank=args.rank, seed=args.seed
    )
    _say(f"base model {base}")
    encoder = load_model(options_from({}, env={}, overrides={"adapted": False}), cache)
    specs = data.training_specs(args.count, args.data_seed)
    if args.contrast:
        specs += data.training_specs(
            args.contrast, args.data_seed + 1000, hours=data.CONTRAST_HOURS, prefix="contrast"
        )
    examples = data.build(specs, work / f"data-{args.data_seed}", encoder, _say)
    if args.exclude_voice:
        examples = [e for e in examples if e.spec.voice != args.exclude_voice]
        _say(f"left out voice {args.exclude_voice}: {len(examples)} clips remain")
    features = work / f"data-{args.data_seed}" / "features"
    model, report = train.train(
        base / "model.bin", base / "tokenizer.json", examples, features, options, _say
    )
    updates = tuple(train.export(model))
    # kept before anything else can fail: the trained pairs, unmerged
    delta_mod.save(delta_mod.Delta({"format": delta_mod.FORMAT}, updates), work / "last-lora.npz")
    meta = {
        "format": delta_mod.FORMAT,
        "base_sha256": delta_mod.sha256(base / "model.bin"),
        "scale": options.alpha / options.rank,
        "rank": options.rank,
        "alpha": options.alpha,
        "recipe": {
            "command": "python -m app adapt " + " ".join(sys.argv[2:]),
            "clips": args.count,
            "contrast_clips": args.contrast,
            "contrast_hours": sorted(set(data.CONTRAST_HOURS)) if args.contrast else [],
            "data_seed": args.data_seed,
            "exclude_voice": args.exclude_voice or None,
            "voices": sorted({e.spec.voice for e in examples}),
            "train": dataclasses.asdict(options),
            "examples": report.examples,
            "held_out": report.held_out,
        },
        "losses": report.losses,
        "train_seconds": round(report.seconds, 1),
        "versions": _versions(),
        "licence": "base: faster-whisper-base (OpenAI Whisper weights), MIT",
    }
    out_model = Path(args.model_out) if args.model_out else work / "model"
    out_model.mkdir(parents=True, exist_ok=True)
    unchecked = delta_mod.Delta({**meta, "merged_sha256": ""}, updates)
    meta["merged_sha256"] = delta_mod.merge(
        base / "model.bin", unchecked, out_model / "model.bin", check=False
    )
    merged = out_model / "model.bin"
    meta["int8_sha256"] = write_int8(merged, out_model / "model-int8.bin")
    (out_model / "model-int8.bin").replace(merged)  # what the product ships and loads
    for name in SIDE_FILES:
        (out_model / name).write_bytes((base / name).read_bytes())
    result = delta_mod.Delta(meta, updates)
    out = Path(args.out)
    delta_mod.save(result, out)
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")
    _say(
        f"delta {out} ({out.stat().st_size / 1e6:.1f} MB), merged model {out_model} "
        f"int8 sha256 {meta['int8_sha256'][:12]}"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "adapt",
        help="laboratório: adapta o modelo embutido às frases de ponto (LoRA)",
    )
    p.add_argument("--out", default=str(Path("resources/model") / "punch-delta.npz"))
    p.add_argument("--work", default="build/work/adapt", help="clips, features (cached)")
    p.add_argument("--model-out", help="where to write the merged model (default WORK/model)")
    p.add_argument("--count", type=int, default=4800, help="training clips")
    p.add_argument(
        "--contrast", type=int, default=1200, help="extra clips on hours ten apart (3 and 13)"
    )
    p.add_argument("--data-seed", type=int, default=101)
    p.add_argument("--seed", type=int, default=1, help="training seed")
    p.add_argument("--steps", type=int, default=1200)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--exclude-voice", choices=VOICES, default="")
    p.set_defaults(func=run)
