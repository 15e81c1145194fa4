"""How uvicorn is run: one place for the settings that keep a public server standing.

Measured against slow and flooding clients: see docs/SECURITY.md and
tests/security/test_servers.py.
"""

from __future__ import annotations

import ipaddress
import logging
import resource
from typing import Any

from app.api.protocol import guarded_protocol
from app.api.settings import ApiSettings

log = logging.getLogger(__name__)

#: File descriptors kept free for everything that is not a client connection (model files,
#: logs, the listening socket, threads' pipes).
FD_RESERVE = 64
#: Request heads (request line + headers) larger than this are refused (h11's default is 16 KiB;
#: our clients send a handful of short headers).
MAX_HEAD_BYTES = 8 * 1024


def uvicorn_options(settings: ApiSettings | None = None) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``/``uvicorn.Config``. Without settings the protocol
    reads them from the environment in each worker process (``serve --workers N``)."""
    http: Any = (
        "app.api.protocol:GuardedH11Protocol" if settings is None else guarded_protocol(settings)
    )
    return {
        "http": http,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "timeout_keep_alive": 5,  # idle keep-alive connections closed after 5 s
        "timeout_graceful_shutdown": 10,
        "backlog": 512,
        "server_header": False,
    }


def raise_fd_limit(wanted: int = 8192) -> int:
    """Raise the soft RLIMIT_NOFILE towards the hard one; returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the open-file limit from %d: %s", soft, exc)
    return soft


def connection_cap(settings: ApiSettings, fd_limit: int) -> int:
    """Connections per process: the setting, but always below the open-file limit."""
    return max(1, min(settings.max_connections, fd_limit - FD_RESERVE))


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
