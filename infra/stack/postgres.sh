# PostgreSQL with wal_level=logical in .stack/postgres. Sourced by stack.sh.

PG_DIR="$STACK_DIR/postgres"
PG_DATA="$PG_DIR/data"  # may be redirected by pg_choose_data_dir (root only)
PG_LOG="$PG_DIR/server.log"
PG_DB=freshen
PG_USER=freshen

# Postgres refuses to run as root; on CI (root) the server runs as the 'postgres' system user.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    # From /: the checkout may be a folder the postgres user cannot enter (paths are absolute).
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

# As root, the server runs as PG_OS_USER, which must be able to reach its data directory. A
# checkout inside a private folder (mktemp -d is mode 700) is out of its reach; then the data
# lives under /var/tmp, keyed by this stack's path, and .stack/postgres/data links to it.
pg_choose_data_dir() {
  [ "$(id -u)" = 0 ] || return 0
  mkdir -p "$PG_DIR"
  chown "$PG_OS_USER" "$PG_DIR"
  if ! runuser -u "$PG_OS_USER" -- test -w "$PG_DIR" 2>/dev/null; then
    PG_DATA="/var/tmp/freshen-pg-$(printf '%s' "$STACK_DIR" | sha1sum | cut -c1-12)"
    mkdir -p "$PG_DATA"
    chown "$PG_OS_USER" "$PG_DATA"
    chmod 700 "$PG_DATA"
    ln -sfn "$PG_DATA" "$PG_DIR/data"
    PG_LOG="$PG_DATA.log"
  fi
}

pg_prereqs() {
  PG_BIN="$(find_pg_bin)" ||
    die "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin. Install them: apt-get install postgresql (14 or newer)."
  if [ "$(id -u)" = 0 ]; then
    PG_OS_USER="${FRESHEN_PG_OS_USER:-postgres}"
    id "$PG_OS_USER" >/dev/null 2>&1 ||
      die "running as root, and Postgres must not run as root, but there is no '$PG_OS_USER' user. Create one (useradd -r postgres) or set FRESHEN_PG_OS_USER to an unprivileged user."
  fi
  pg_choose_data_dir
}

pg_ready() {
  "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -c 'select 1' >/dev/null 2>&1
}

pg_running() {
  [ -f "$PG_DATA/postmaster.pid" ] && pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_up() {
  pg_prereqs
  if pg_running && pg_ready; then
    say "postgres already running on 127.0.0.1:$PG_PORT"
    return
  fi
  ensure_port_free "$PG_PORT" postgres FRESHEN_PG_PORT
  mkdir -p "$PG_DIR"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "postgres: initdb in $PG_DATA"
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
      die "initdb failed; see $PG_DIR/initdb.log"
    # A throwaway development database: fsync=off makes commits cheap while keeping
    # synchronous_commit=on, so WAL is handed to walsenders (and Freshen) at once.
    cat >>"$PG_DATA/postgresql.conf" <<CONF

# --- Freshen local stack ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = logical
max_replication_slots = 64
max_wal_senders = 64
max_connections = 200
fsync = off
full_page_writes = off
shared_buffers = 256MB
max_wal_size = 4GB
wal_sender_timeout = 60s
log_min_messages = warning
CONF
    cat >"$PG_DATA/pg_hba.conf" <<HBA
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
  fi
  # The port is given at each start, not written into postgresql.conf, so FRESHEN_PG_PORT
  # can change between runs over the same data directory.
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "-p $PG_PORT" -w -t 60 start >/dev/null ||
    die "postgres did not start; see $PG_LOG"
  wait_until 60 "postgres on 127.0.0.1:$PG_PORT" pg_probe_or_create_db ||
    die "postgres did not answer a query within 60 s; see $PG_LOG"
}

pg_probe_or_create_db() {
  pg_ready && return 0
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB" >/dev/null 2>&1
  pg_ready
}

pg_down() {
  [ -d "$PG_DIR" ] || return 0
  pg_prereqs
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 && say "postgres stopped"
  fi
}

pg_status() {
  PG_BIN="$(find_pg_bin)" || { echo "postgres: binaries not installed"; return; }
  if pg_ready; then echo "postgres: up   postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"; else echo "postgres: down"; fi
}

pg_url() {
  echo "postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
}
