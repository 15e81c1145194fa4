#!/usr/bin/env bash
# Set up (idempotent) and start the kiosk: ./scripts/kiosk.sh [--windowed]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m app "$@"
