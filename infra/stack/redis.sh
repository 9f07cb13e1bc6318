# Redis: one standalone server plus a three-master Redis Cluster, in .stack/redis*. Sourced by stack.sh.

REDIS_DIR="$STACK_DIR/redis"
# Three masters for cluster tests on ports REDIS_CLUSTER_BASE+1..+3 (each also uses port+10000
# for the cluster bus, so the base must stay below 55533).
REDIS_CLUSTER_BASE="${FRESHEN_REDIS_CLUSTER_BASE:-47000}"
REDIS_CLUSTER_PORTS="$((REDIS_CLUSTER_BASE + 1)) $((REDIS_CLUSTER_BASE + 2)) $((REDIS_CLUSTER_BASE + 3))"

redis_prereqs() {
  need_cmd redis-server "Install Redis 6.2 or newer: apt-get install redis-server"
  need_cmd redis-cli "Install Redis 6.2 or newer: apt-get install redis-tools"
}

redis_ping() { # redis_ping <port>
  [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

redis_start_one() { # redis_start_one <port> <dir> [extra args...]
  local port="$1" dir="$2"
  shift 2
  mkdir -p "$dir"
  if pid_alive "$dir/redis.pid" && redis_ping "$port"; then
    return 0
  fi
  ensure_port_free "$port" "redis" FRESHEN_REDIS_PORT
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$dir/redis.pid" \
    --dir "$dir" --logfile "$dir/redis.log" --save '' --appendonly no "$@" ||
    die "redis-server failed to start on port $port; see $dir/redis.log"
  wait_until 30 "redis on 127.0.0.1:$port" redis_ping "$port" ||
    die "redis on port $port did not answer PING within 30 s; see $dir/redis.log"
}

redis_cluster_ok() {
  redis-cli -h 127.0.0.1 -p "$((REDIS_CLUSTER_BASE + 1))" cluster info 2>/dev/null | grep -q 'cluster_state:ok'
}

redis_up() {
  redis_prereqs
  redis_start_one "$REDIS_PORT" "$REDIS_DIR"
  local port nodes=""
  for port in $REDIS_CLUSTER_PORTS; do
    redis_start_one "$port" "$STACK_DIR/redis-cluster/$port" --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 5000
    nodes="$nodes 127.0.0.1:$port"
  done
  if ! redis_cluster_ok; then
    # shellcheck disable=SC2086
    redis-cli --cluster create $nodes --cluster-replicas 0 --cluster-yes >"$STACK_DIR/redis-cluster/create.log" 2>&1 ||
      die "could not form the Redis Cluster; see $STACK_DIR/redis-cluster/create.log"
    wait_until 30 "redis cluster on ports ${REDIS_CLUSTER_PORTS// /,}" redis_cluster_ok ||
      die "Redis Cluster did not reach cluster_state:ok; see $STACK_DIR/redis-cluster/*/redis.log"
  fi
}

redis_down() {
  stop_pidfile "$REDIS_DIR/redis.pid" "redis :$REDIS_PORT"
  local port
  for port in $REDIS_CLUSTER_PORTS; do
    stop_pidfile "$STACK_DIR/redis-cluster/$port/redis.pid" "redis cluster node :$port"
    # A cluster node's identity lives in nodes.conf; start the next cluster fresh.
    rm -f "$STACK_DIR/redis-cluster/$port/nodes.conf"
  done
}

redis_status() {
  if redis_ping "$REDIS_PORT"; then echo "redis:    up   redis://127.0.0.1:$REDIS_PORT"; else echo "redis:    down"; fi
  if redis_cluster_ok; then echo "cluster:  up   $(redis_cluster_nodes)"; else echo "cluster:  down"; fi
}

redis_cluster_nodes() {
  local port out=""
  for port in $REDIS_CLUSTER_PORTS; do out="$out,127.0.0.1:$port"; done
  echo "${out#,}"
}
