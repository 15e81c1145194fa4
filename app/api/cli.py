"""`python -m app serve`: the Speech API on uvicorn (self-hosted, outside AWS)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.api.settings import ENV_PREFIX, ApiSettings
from app.core.config import ENV_PREFIX as ENGINE_PREFIX
from app.core.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="inicia a Speech API (POST / como a função AWS) no uvicorn",
        description=(
            "Serve the seed's validation endpoint. Each worker process loads its own model: "
            "on N cores use about N / workers CPU threads each (--cpu-threads). Listening on "
            "anything but 127.0.0.1 requires a token (--auth-token-file) unless --no-auth."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--cpu-threads", type=int, help="engine CPU threads per worker")
    p.add_argument("--num-workers", type=int, help="engine (CTranslate2) workers per process")
    p.add_argument("--max-queue", type=int, help="requests that may wait; more get 503")
    p.add_argument("--max-wait", type=float, help="seconds a request may wait for a worker")
    p.add_argument(
        "--auth-token-file",
        type=Path,
        help="require 'Authorization: Bearer <token>' with the token(s) in this file, one per "
        f"line (or set {ENV_PREFIX}AUTH_TOKEN, comma-separated)",
    )
    p.add_argument(
        "--rate-limit",
        type=int,
        help="requests per minute per token (per client address without auth); 0 = no limit",
    )
    p.add_argument(
        "--no-auth",
        action="store_true",
        help="serve a non-loopback address without a token (a private network only)",
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.api import logguard
    from app.api.server import connection_cap, is_loopback, raise_fd_limit, uvicorn_options

    if not 1 <= args.workers <= 64:
        raise ConfigError("--workers must be between 1 and 64")
    if not 0 < args.port < 65536:
        raise ConfigError("--port must be between 1 and 65535")
    # Worker processes build their own app from the environment, so flags travel as env vars.
    env: dict[str, str] = {}
    if args.cpu_threads is not None:
        env[ENGINE_PREFIX + "CPU_THREADS"] = str(args.cpu_threads)
    if args.num_workers is not None:
        env[ENGINE_PREFIX + "NUM_WORKERS"] = str(args.num_workers)
    if args.max_queue is not None:
        env[ENV_PREFIX + "MAX_QUEUE"] = str(args.max_queue)
    if args.max_wait is not None:
        env[ENV_PREFIX + "MAX_WAIT_SECONDS"] = str(args.max_wait)
    if args.rate_limit is not None:
        env[ENV_PREFIX + "RATE_LIMIT_PER_MINUTE"] = str(args.rate_limit)
    if args.auth_token_file is not None:
        env[ENV_PREFIX + "AUTH_TOKEN"] = _read_tokens(args.auth_token_file)
    os.environ.update(env)
    settings = ApiSettings.from_env()  # fail now, in the parent, on a bad setting
    if not settings.tokens and not is_loopback(args.host) and not args.no_auth:
        raise ConfigError(
            f"recusado: servir em {args.host} sem token deixaria a API aberta para qualquer um. "
            "Use --auth-token-file ARQUIVO (ou PONTOVOZ_API_AUTH_TOKEN); só numa rede privada, "
            "--no-auth"
        )
    fd_limit = raise_fd_limit()
    os.environ[ENV_PREFIX + "MAX_CONNECTIONS"] = str(connection_cap(settings, fd_limit))
    from app.core.config import options_from

    options_from({}, env=os.environ)
    logguard.install()
    uvicorn.run(
        "app.api.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        **uvicorn_options(),
    )
    return 0


def _read_tokens(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the token file: {exc}") from exc
    tokens = [t.strip() for t in text.replace(",", "\n").splitlines() if t.strip()]
    if not tokens:
        raise ConfigError(f"the token file {path} is empty")
    return ",".join(tokens)
