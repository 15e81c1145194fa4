"""Lab subcommands: eval, bench, corpus (measuring the verifier; never shipped in the kiosk)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.core_cli import _engine_flags, _verifier


def cmd_eval(args: argparse.Namespace) -> int:
    from app.lab.evaluate import evaluate, format_summary, read_manifest

    items = read_manifest(Path(args.manifest))
    verifier = _verifier(args)
    verifier.load()

    def judge(path: Path, expected: str) -> tuple[bool, str, str]:
        r = verifier.verify(path, expected)
        return r.validated, r.spoken_text, f"{r.reason} ({r.method})"

    with open(args.out, "w", encoding="utf-8") as out:
        summary = evaluate(items, judge, out)
    print(format_summary("core", summary))
    if args.baseline:
        from app.lab.baseline import SeedBaseline

        seed = SeedBaseline(verifier.model)

        def judge_seed(path: Path, expected: str) -> tuple[bool, str, str]:
            ok, text = seed.verify(path, expected)
            return ok, text, "fuzzy ratio"

        print(format_summary("seed baseline", evaluate(items, judge_seed)))
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
    return 0


def cmd_corpus(args: argparse.Namespace) -> int:
    from app.lab.corpus import build_corpus

    print(build_corpus(Path(args.out), args.count, args.seed))
    return 0


def cmd_central_load(args: argparse.Namespace) -> int:
    import logging

    from app.lab.central_load import LoadOptions, format_report, run

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
    p = sub.add_parser("central-load", help="Central under N concurrent kiosks (real HTTP, PG)")
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

    p = sub.add_parser("eval", help="evaluate a manifest of labelled clips")
    p.add_argument("manifest")
    p.add_argument("--out", required=True, help="results, one JSON line per clip")
    p.add_argument("--baseline", action="store_true", help="also score the seed-style baseline")
    p.add_argument("--json", action="store_true", help="print the summary as JSON too")
    _engine_flags(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="speed and memory: core vs seed-style baseline")
    p.add_argument("--manifest", help="clips to use (default: a generated corpus)")
    p.add_argument("--clips", type=int, default=30)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-baseline", action="store_true")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("corpus", help="generate a labelled synthetic pt-BR corpus (RHVoice)")
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_corpus)
