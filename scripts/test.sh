#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite with the real model: ./scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check app tests
.venv/bin/ruff format --check app tests
.venv/bin/mypy app
.venv/bin/lint-imports
exec .venv/bin/python -m pytest -q "$@"
