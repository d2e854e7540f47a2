#!/usr/bin/env bash
# Single-node etcd (Debian etcd-server) on 127.0.0.1. Usage: start-etcd.sh [--data-dir DIR] [--port CLIENT_PORT]
set -euo pipefail
NAME=etcd
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
ETCD="${ETCD_BIN:-$(command -v etcd || echo /usr/bin/etcd)}"
[ -x "$ETCD" ] || die "etcd not found: run scripts/servers/install-debian.sh"
[ -n "$OPT_PORT" ] && PORT_client="$OPT_PORT"
ports_assign "$DATA_DIR" client peer
c="http://127.0.0.1:$PORT_client"; p="http://127.0.0.1:$PORT_peer"
spawn "$LOG_FILE" "$ETCD" --name kratos --data-dir "$DATA_DIR/data" \
  --listen-client-urls "$c" --advertise-client-urls "$c" \
  --listen-peer-urls "$p" --initial-advertise-peer-urls "$p" \
  --initial-cluster "kratos=$p" --initial-cluster-state new --initial-cluster-token kratos-test
pid=$SPAWN_PID
etcd_ready() { curl -fsS --max-time 2 "$c/health" | grep -q '"health":"true"'; }
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" etcd_ready
json_line etcd "$pid" "$DATA_DIR" "$LOG_FILE" client "$c"
