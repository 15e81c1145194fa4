"""`python -m app verify`: one clip against an expected phrase (the core, from a shell)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _engine_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "opções do motor (valem sobre o arquivo de configuração e o ambiente PONTOVOZ_*)"
    )
    g.add_argument("--model-path", dest="model_path")
    g.add_argument("--compute-type", dest="compute_type")
    g.add_argument("--cpu-threads", dest="cpu_threads", type=int)
    g.add_argument("--num-workers", dest="num_workers", type=int)
    g.add_argument("--beam-size", dest="beam_size", type=int)
    g.add_argument("--max-audio-seconds", dest="max_audio_seconds", type=float)
    g.add_argument("--score-margin", dest="score_margin", type=float)


def _verifier(args: argparse.Namespace):
    from app.core.verifier import Verifier
    from app.settings import engine_options

    keys = (
        "model_path",
        "compute_type",
        "cpu_threads",
        "num_workers",
        "beam_size",
        "max_audio_seconds",
        "score_margin",
    )
    overrides = {k: getattr(args, k, None) for k in keys}
    return Verifier(engine_options(overrides=overrides))


def cmd_verify(args: argparse.Namespace) -> int:
    verifier = _verifier(args)
    result = verifier.verify(Path(args.audio), args.expected)
    print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 0 if result.validated else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="confere um áudio contra a frase esperada")
    p.add_argument("--expected", required=True, help='ex.: "ENTRADA 13 40"')
    p.add_argument("audio", help="arquivo de áudio (wav, mp3, ogg, webm, m4a, flac)")
    _engine_flags(p)
    p.set_defaults(func=cmd_verify)
