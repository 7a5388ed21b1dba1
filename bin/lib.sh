# Shared helpers for bin/demo, bin/test and bin/fuzz (sourced, not executed).
# Needs only bash, python3 (3.11+) and git; PostgreSQL/Redis are started when their binaries exist.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

# Create .venv when missing and (re)install requirements.txt when it changed since the last install.
ensure_venv() {
  local base="${PYTHON:-python3}" stamp="$VENV/.requirements.sha256" want have
  if [[ ! -x "$PY" ]]; then
    command -v "$base" >/dev/null || die "python3 (3.11+) is required; set PYTHON=/path/to/python3.11"
    "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || die "Python 3.11+ is required, found $("$base" --version 2>&1)"
    say "Creating virtualenv in .venv"
    "$base" -m venv "$VENV" || die "could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
  want="$("$PY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$ROOT/requirements.txt")"
  have="$(cat "$stamp" 2>/dev/null || true)"
  if [[ "$want" != "$have" ]]; then
    say "Installing requirements.txt into .venv (log: var/pip.log)"
    mkdir -p "$ROOT/var"
    if "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements.txt" >"$ROOT/var/pip.log" 2>&1; then
      echo "$want" >"$stamp"
    else
      tail -n 40 "$ROOT/var/pip.log" >&2
      die "pip install -r requirements.txt failed (full log: var/pip.log)"
    fi
  fi
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for <seconds> <description> <command...>: retry the command until it succeeds.
wait_for() {
  local secs="$1" what="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

pg_up() {
  "$PY" - <<'PY'
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
PY
}

redis_up() {
  "$PY" -c 'import redis; redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()'
}

# PostgreSQL and Redis on 127.0.0.1 (user postgres, port 5432; port 6379): start them if they are
# installed but down, wait for them, and fail with a clear message if they can't be had.
ensure_services() {
  if ! pg_up; then
    if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
      local ver
      ver="$(ls /etc/postgresql | sort -V | tail -1)"
      say "Starting PostgreSQL $ver"
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    fi
    wait_for 30 PostgreSQL pg_up \
      || die "PostgreSQL is not reachable at postgres@127.0.0.1:5432 and could not be started (install postgresql, or start it and allow user postgres on loopback)"
  fi
  if ! redis_up; then
    if command -v redis-server >/dev/null; then
      say "Starting Redis"
      mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    fi
    wait_for 30 Redis redis_up \
      || die "Redis is not reachable at 127.0.0.1:6379 and could not be started (install redis-server or start it)"
  fi
}

# start_localstripe: when devtools/localstripe_server.py exists, run it on a free loopback port in the
# background and export STRIPE_API_BASE (and sk_/pk_ test keys unless already set). Sets LOCALSTRIPE_PID.
# The caller's trap must call stop_bg.
LOCALSTRIPE_PID=""
start_localstripe() {
  [[ -f "$ROOT/devtools/localstripe_server.py" ]] || { say "devtools/localstripe_server.py not present; Stripe calls go nowhere"; return 0; }
  local port log="${1:-$ROOT/var/localstripe.log}"
  port="$(free_port)"
  mkdir -p "$(dirname "$log")"
  (cd "$ROOT" && exec "$PY" -m devtools.localstripe_server --port "$port") >"$log" 2>&1 &
  LOCALSTRIPE_PID=$!
  if ! wait_for 30 localstripe "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()"; then
    tail -n 30 "$log" >&2 || true
    die "localstripe did not start (log: $log)"
  fi
  export STRIPE_API_BASE="http://127.0.0.1:$port"
  export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-sk_test_hearth_local}"
  export STRIPE_PUBLISHABLE_KEY="${STRIPE_PUBLISHABLE_KEY:-pk_test_hearth_local}"
  export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_hearth_local}"
  say "localstripe on $STRIPE_API_BASE (log: $log)"
}

# stop_bg <pid...>: stop background processes this script started (TERM, then KILL).
stop_bg() {
  local pid
  for pid in "$@"; do
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || continue
    kill "$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# ensure_database <name>: create the PostgreSQL database when it does not exist yet.
ensure_database() {
  "$PY" - "$1" <<'PY'
import sys

import psycopg

db = sys.argv[1]
with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
        conn.execute(f'CREATE DATABASE "{db}"')
PY
}
