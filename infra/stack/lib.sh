# Shared helpers for the local stack scripts. Sourced, never run.
# Every failure a user can fix ends in one line that says what to install or change.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${FRESHEN_STACK_DIR:-$ROOT/.stack}"

# Ports chosen away from the defaults (5432, 6379, 9092) so the stack never clashes with
# services already running on this machine. Override with the environment if they are taken.
PG_PORT="${FRESHEN_PG_PORT:-55432}"
REDIS_PORT="${FRESHEN_REDIS_PORT:-56379}"
KAFKA_PORT="${FRESHEN_KAFKA_PORT:-59092}"
KAFKA_CONTROLLER_PORT="${FRESHEN_KAFKA_CONTROLLER_PORT:-59093}"

die() {
  printf 'stack: %s\n' "$*" >&2
  exit 1
}

say() {
  printf 'stack: %s\n' "$*"
}

need_cmd() { # need_cmd <command> <how to install>
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found. $2"
}

port_listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port is "ours" when the pid file of our instance names a live process.
pid_alive() { # pid_alive <pidfile>
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

ensure_port_free() { # ensure_port_free <port> <what> <env var to change it>
  if port_listening "$1"; then
    die "port $1 (for $2) is already in use by another program. Stop it, or pick another port: $3=<port> npm run stack:up"
  fi
}

wait_until() { # wait_until <seconds> <description> <command...>
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
  printf 'stack: %s ready\n' "$what"
}

stop_pidfile() { # stop_pidfile <pidfile> <what> — TERM, wait, then KILL
  local pidfile="$1" what="$2" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "$what stopped"
  fi
  rm -f "$pidfile"
}

# Postgres server binaries are often not on PATH (Debian keeps them per version).
find_pg_bin() {
  # initdb on PATH is often a symlink into the versioned folder that also holds psql & co.
  local dir candidates=""
  command -v initdb >/dev/null 2>&1 && candidates="$(dirname "$(readlink -f "$(command -v initdb)")")"
  for dir in $candidates $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ] && [ -x "$dir/createdb" ]; then
      echo "$dir"
      return
    fi
  done
  return 1
}
