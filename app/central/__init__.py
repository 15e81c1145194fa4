"""PontoVoz Central: one server on PostgreSQL that enrolls kiosks, collects their punches
exactly once (idempotent by punch UUID, chains checked on arrival) and hands them the roster.

Layout: ``config`` (settings), ``db`` (engine, sessions, migrations), ``models`` (tables),
``security`` (tokens, codes, PIN verifiers), ``ingest`` (chain checks), ``roster``, ``app``
(FastAPI routes for kiosks), ``cli`` (``python -m app central ...``), ``pgcluster`` (a local
PostgreSQL cluster for ``scripts/central.sh``, tests and the load tool).
"""
