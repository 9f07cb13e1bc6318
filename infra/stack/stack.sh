#!/usr/bin/env bash
# The local stack without Docker: Postgres (wal_level=logical), Redis (+ a 3-master cluster),
# and Kafka (KRaft, from Maven jars), each with its own data directory under .stack/.
#
#   stack.sh up      start what is not running, wait for real readiness, write .stack/env
#   stack.sh down    stop everything this stack started
#   stack.sh status  say what answers, and where
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
. "$HERE/postgres.sh"
. "$HERE/redis.sh"
. "$HERE/kafka.sh"

write_env() {
  cat >"$STACK_DIR/env.tmp" <<ENV
# Written by 'npm run stack:up'. Tests and services read this file for any of these
# variables that are not already set in the environment.
DATABASE_URL=$(pg_url)
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
REDIS_CLUSTER_NODES=$(redis_cluster_nodes)
ENV
  mv "$STACK_DIR/env.tmp" "$STACK_DIR/env"
}

up() {
  # Check every prerequisite before starting anything, so a missing one costs no time.
  pg_prereqs
  redis_prereqs
  kafka_prereqs
  need_cmd node "Install Node.js 22+ and run 'npm ci' first."
  [ -d "$ROOT/node_modules/@platformatic/kafka" ] || die "dependencies are not installed. Run 'npm ci' first."
  mkdir -p "$STACK_DIR"
  local started=$SECONDS
  pg_up
  redis_up
  kafka_up
  write_env
  say "up in $((SECONDS - started)) s; settings in ${STACK_DIR#"$ROOT"/}/env"
}

down() {
  kafka_down
  redis_down
  pg_down
  rm -f "$STACK_DIR/env"
}

status() {
  pg_status
  redis_status
  kafka_status
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: stack.sh up|down|status" ;;
esac
