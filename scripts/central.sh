#!/usr/bin/env bash
# Start PontoVoz Central in one command: PostgreSQL from Debian's packages (installed when
# missing, as root or with sudo), a local cluster under the data folder (own port, own socket
# dir, password auth), the migrations, then Central on 127.0.0.1.
#   scripts/central.sh [--data DIR] [--port 8090] [--host 127.0.0.1] [--no-setup]
# Data folder default: /var/lib/pontovoz-central as root, else ~/.local/share/pontovoz-central.
# As root, PostgreSQL itself runs as the 'postgres' system user (it refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -eq 0 ]]; then data=/var/lib/pontovoz-central; else
  data="${XDG_DATA_HOME:-$HOME/.local/share}/pontovoz-central"; fi
port=8090
host=127.0.0.1
setup=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --no-setup) setup=0; shift ;;
    *) echo "uso: scripts/central.sh [--data PASTA] [--port 8090] [--host 127.0.0.1] [--no-setup]" >&2
       exit 2 ;;
  esac
done

have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; }
if ! have_pg; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "PostgreSQL ausente: instale 'postgresql' (apt) como root" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends postgresql
  # Debian starts its own cluster on 5432; Central uses its own under the data folder.
fi

if [[ $setup -eq 1 ]]; then
  scripts/setup.sh
  if ! .venv/bin/python -c "import sqlalchemy, psycopg, alembic" 2>/dev/null; then
    .venv/bin/python -m pip install -q -e ".[central]"
  fi
fi

mkdir -p "$data"
chmod 755 "$data"
export PONTOVOZ_HOME="$data"
.venv/bin/python -m app central db-up          # create the cluster once, or start it
url="http://$host:$port"
cat <<MSG

PontoVoz Central: $url  (painel do RH no navegador)
  Primeiro acesso ao painel: PONTOVOZ_HOME=$data .venv/bin/python -m app central users add \\
                            --username rh --name "Nome do RH"   (mostra a senha uma vez;
                            essa conta cria as outras, gestores inclusive, na página Usuários)
  Dados e banco: $data (PostgreSQL local; senha em $data/config/central.json)
  Cadastrar um quiosque:  PONTOVOZ_HOME=$data .venv/bin/python -m app central enroll-code
     e no quiosque:       python -m app central join --url $url --code CÓDIGO
  Funcionários:           PONTOVOZ_HOME=$data .venv/bin/python -m app central employees add \\
                            --name "Ana Souza" --cpf 52998224725 --pin 582914
  Quiosques e lacunas:    PONTOVOZ_HOME=$data .venv/bin/python -m app central kiosks

MSG
exec .venv/bin/python -m app central serve --host "$host" --port "$port"
