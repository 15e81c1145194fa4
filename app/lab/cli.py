"""Lab subcommands: eval, bench, corpus, adapt (measure and adapt the verifier; never shipped)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from app.core_cli import _engine_flags, _verifier
from app.lab.adapt import command as adapt_command
from app.lab.voices import VOICES


def _judged(r) -> tuple[bool, str, str]:
    margin = "" if r.margin is None else f", margin {r.margin:.1f}"
    views = "+".join(r.views)
    return r.validated, r.spoken_text, f"{r.reason} ({r.method}{margin}; {views})"


def cmd_eval(args: argparse.Namespace) -> int:
    from app.lab.evaluate import condition_table, evaluate, format_summary, read_manifest

    started = time.perf_counter()
    items = read_manifest(Path(args.manifest))
    verifier = _verifier(args)
    verifier.load()

    with open(args.out, "w", encoding="utf-8") as out:
        summary = evaluate(items, lambda p, e: _judged(verifier.verify(p, e)), out)
    core_s = time.perf_counter() - started
    print(format_summary("core", summary))
    print(f"  wall clock incl. model load: {core_s:.1f} s")
    print(condition_table(summary))
    if args.plain_base:
        from app.core.verifier import Verifier

        started = time.perf_counter()
        plain = Verifier(verifier.options.replace(model_path="", adapted=False))
        with open(Path(args.out).with_suffix(".base.jsonl"), "w", encoding="utf-8") as out:
            base_summary = evaluate(items, lambda p, e: _judged(plain.verify(p, e)), out)
        print(format_summary("core on the plain base model", base_summary))
        print(f"  wall clock incl. model load: {time.perf_counter() - started:.1f} s")
        print(condition_table(base_summary))
    if args.baseline:
        from app import paths
        from app.core.model import load_model
        from app.lab.baseline import SeedBaseline

        started = time.perf_counter()
        # the seed-style method as it was: faster-whisper defaults on the plain PyPI base
        base_options = verifier.options.replace(model_path="", adapted=False)
        seed = SeedBaseline(load_model(base_options, paths.cache_dir()))
        subset = items[:: args.baseline_every]

        def judge_seed(path: Path, expected: str) -> tuple[bool, str, str]:
            ok, text = seed.verify(path, expected)
            return ok, text, "fuzzy ratio"

        base = evaluate(subset, judge_seed)
        base_s = time.perf_counter() - started
        print(format_summary(f"seed baseline (every {args.baseline_every}. clip)", base))
        print(f"  wall clock: {base_s:.1f} s")
        print(condition_table(base))
    if args.json:
        print(json.dumps(summary.to_dict()))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from app import paths
    from app.lab.bench import run_bench
    from app.lab.corpus import build_corpus

    manifest = Path(args.manifest) if args.manifest else None
    if manifest is None:
        folder = paths.cache_dir() / "bench-corpus"
        manifest = folder / "manifest.jsonl"
        if not manifest.is_file():
            print(f"generating a bench corpus in {folder} ...", file=sys.stderr)
            build_corpus(folder, count=2 * args.clips, seed=7)
    print(run_bench(manifest, args.clips, args.repeat, baseline=not args.no_baseline))
    if args.mixed:
        from app.lab.bench import mixed_wall_clock

        print(mixed_wall_clock(Path(args.mixed), args.mixed_count))
    return 0


def cmd_corpus(args: argparse.Namespace) -> int:
    from app.lab.corpus import build_corpus

    real = Path(args.real) if args.real else None
    voices = tuple(args.voice or ())
    print(build_corpus(Path(args.out), args.count, args.seed, args.workers, real, voices))
    return 0


def cmd_central_load(args: argparse.Namespace) -> int:
    import logging

    from app.lab.central_load import LoadOptions, run
    from app.lab.central_load_report import format_report

    logging.getLogger("httpx").setLevel(logging.WARNING)
    opts = LoadOptions(
        args.kiosks, args.punches, args.batch, args.crash_at, args.workers, args.rate
    )
    report = run(opts)
    print(format_report(report))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    adapt_command.register(sub)
    p = sub.add_parser(
        "central-load",
        help="laboratório: carga na Central com N quiosques ao mesmo tempo",
    )
    p.add_argument("--kiosks", type=int, default=50)
    p.add_argument("--punches", type=int, default=1000, help="per kiosk")
    p.add_argument("--batch", type=int, default=100, help="punches per request")
    p.add_argument(
        "--crash-at",
        type=float,
        default=0.0,
        help="kill Central and restart PostgreSQL after this fraction (0: never)",
    )
    p.add_argument("--workers", type=int, default=1, help="Central's uvicorn workers")
    p.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="live mode: punches/s over all kiosks, each pushed as it happens",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_central_load)

    p = sub.add_parser("eval", help="laboratório: avalia um manifesto de clipes rotulados")
    p.add_argument("manifest")
    p.add_argument("--out", required=True, help="results, one JSON line per clip")
    p.add_argument("--baseline", action="store_true", help="also score the seed-style baseline")
    p.add_argument(
        "--plain-base",
        action="store_true",
        help="also run the core on the plain PyPI base (results in OUT with .base.jsonl)",
    )
    p.add_argument(
        "--baseline-every", type=int, default=1, help="run the baseline on every Nth clip only"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON too")
    _engine_flags(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "bench", help="laboratório: velocidade e memória, núcleo contra o método de referência"
    )
    p.add_argument("--manifest", help="clips to use (default: a generated corpus)")
    p.add_argument("--clips", type=int, default=30)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--mixed", help="also time a whole eval of this manifest's first clips")
    p.add_argument("--mixed-count", type=int, default=40)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "corpus", help="laboratório: gera um corpus pt-BR rotulado (vozes, efeitos, ruído, pausas)"
    )
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=0, help="processes (default: one per core)")
    p.add_argument(
        "--real", help="folder of real recordings (no punch phrase in them) to add as negatives"
    )
    p.add_argument(
        "--voice",
        action="append",
        choices=VOICES,
        help="only this voice (repeatable; default: every voice, weighted)",
    )
    p.set_defaults(func=cmd_corpus)
