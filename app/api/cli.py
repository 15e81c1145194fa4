"""`python -m app serve`: the Speech API on uvicorn (self-hosted, outside AWS)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.api.settings import ENV_PREFIX, ApiSettings
from app.core.config import ENV_PREFIX as ENGINE_PREFIX
from app.core.errors import ConfigError

# The flags a worker process reads back from its environment, by argparse dest.
FLAG_ENV = {
    "cpu_threads": ENGINE_PREFIX + "CPU_THREADS",
    "num_workers": ENGINE_PREFIX + "NUM_WORKERS",
    "max_queue": ENV_PREFIX + "MAX_QUEUE",
    "max_wait": ENV_PREFIX + "MAX_WAIT_SECONDS",
    "rate_limit": ENV_PREFIX + "RATE_LIMIT_PER_MINUTE",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="inicia a Speech API (POST / como a função AWS) no uvicorn",
        description=(
            "Publica o endpoint de validação (o mesmo contrato da função AWS). Cada processo "
            "(--workers) carrega o seu próprio modelo: em N núcleos, use cerca de N / processos "
            "threads de CPU em cada um (--cpu-threads). Escutar num endereço que não seja "
            "127.0.0.1 exige um token (--auth-token-file), a menos que se use --no-auth."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="endereço de escuta (padrão 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="porta (padrão 8080)")
    p.add_argument("--workers", type=int, default=1, help="processos (padrão 1)")
    p.add_argument("--cpu-threads", type=int, help="threads de CPU do motor por processo")
    p.add_argument("--num-workers", type=int, help="workers do motor (CTranslate2) por processo")
    p.add_argument(
        "--max-queue", type=int, help="requisições que podem esperar; as demais recebem 503"
    )
    p.add_argument(
        "--max-wait", type=float, help="segundos que uma requisição pode esperar por um worker"
    )
    p.add_argument(
        "--auth-token-file",
        type=Path,
        help="exige 'Authorization: Bearer <token>' com o(s) token(s) deste arquivo, um por "
        f"linha (ou defina {ENV_PREFIX}AUTH_TOKEN, separados por vírgula)",
    )
    p.add_argument(
        "--rate-limit",
        type=int,
        help="requisições por minuto por token (por endereço do cliente sem autenticação); "
        "0 = sem limite",
    )
    p.add_argument(
        "--no-auth",
        action="store_true",
        help="permite escutar num endereço não local sem token (só numa rede privada)",
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="nível do registro (padrão info)",
    )
    p.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.api import logguard
    from app.api.server import connection_cap, is_loopback, raise_fd_limit, uvicorn_options

    if not 1 <= args.workers <= 64:
        raise ConfigError("--workers deve estar entre 1 e 64")
    if not 0 < args.port < 65536:
        raise ConfigError("--port deve estar entre 1 e 65535")
    # Worker processes build their own app from the environment, so flags travel as env vars.
    given = {flag: getattr(args, flag) for flag in FLAG_ENV}
    env = {FLAG_ENV[flag]: str(value) for flag, value in given.items() if value is not None}
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
        raise ConfigError(f"não foi possível ler o arquivo de tokens: {exc}") from exc
    tokens = [t.strip() for t in text.replace(",", "\n").splitlines() if t.strip()]
    if not tokens:
        raise ConfigError(f"o arquivo de tokens {path} está vazio")
    return ",".join(tokens)
