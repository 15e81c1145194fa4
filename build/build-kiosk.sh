#!/usr/bin/env bash
# Build the PontoVoz kiosk bundle (Linux, one folder) from kiosk.spec.
#
#   build/build-kiosk.sh            -> build/dist/PontoVoz/PontoVoz  (+ build/dist/PontoVoz-<ver>-linux-x86_64.tar.gz with --tar)
#
# Uses .venv/bin/python unless PYTHON is set. Work files go to build/work, the bundle to
# build/dist (both git-ignored). The Whisper model is assembled (sha256-checked) into
# build/work/model-stage once and copied into the bundle as resources/faster-whisper-base.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
WORK="$ROOT/build/work"
DIST="$ROOT/build/dist"
STAGE="${PONTOVOZ_MODEL_STAGE:-$WORK/model-stage}"
TAR=0
for arg in "$@"; do
  case "$arg" in
    --tar) TAR=1 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

if [ ! -e /usr/lib/x86_64-linux-gnu/libportaudio.so.2 ] && [ -z "${PONTOVOZ_PORTAUDIO:-}" ]; then
  echo "libportaudio.so.2 missing: apt-get install libportaudio2 (or set PONTOVOZ_PORTAUDIO)" >&2
  exit 1
fi

start=$(date +%s)
echo "== assembling and adapting the model into $STAGE"
"$PYTHON" - "$STAGE" <<'PY'
import sys
from pathlib import Path

from app.core.model import prepare

print(prepare(Path(sys.argv[1])))
PY

echo "== pyinstaller kiosk.spec"
export PONTOVOZ_MODEL_STAGE="$STAGE"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath "$WORK/pyinstaller" --distpath "$DIST" kiosk.spec

BUNDLE="$DIST/PontoVoz"
test -x "$BUNDLE/PontoVoz"
echo "== bundle: $BUNDLE ($(du -sm "$BUNDLE" | cut -f1) MB) in $(( $(date +%s) - start )) s"

if [ "$TAR" = 1 ]; then
  VERSION="$("$BUNDLE/PontoVoz" --version | awk '{print $2}')"
  ARCHIVE="$DIST/PontoVoz-$VERSION-linux-x86_64.tar.gz"
  tar -C "$DIST" -czf "$ARCHIVE" PontoVoz
  echo "== archive: $ARCHIVE ($(du -sm "$ARCHIVE" | cut -f1) MB)"
fi
