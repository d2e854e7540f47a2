#!/usr/bin/env bash
# Consul dev agent (in-memory server + client) on 127.0.0.1 with every port moved to a free one.
# Usage: start-consul.sh [--data-dir DIR] [--port HTTP_PORT]. -dev keeps state in memory: a restart keeps
# the ports (remembered in DIR/.ports) but not the catalog/KV.
set -euo pipefail
NAME=consul
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
BIN="$(server_cache consul)/bin/consul"
require_built consul "$BIN"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
ports_assign "$DATA_DIR" http grpc dns serf_lan serf_wan server
cat > "$DATA_DIR/consul.json" <<CFG
{
  "node_name": "kratos",
  "bind_addr": "127.0.0.1",
  "client_addr": "127.0.0.1",
  "advertise_addr": "127.0.0.1",
  "disable_update_check": true,
  "ui_config": { "enabled": false },
  "ports": {
    "http": $PORT_http, "https": -1, "grpc": $PORT_grpc, "grpc_tls": -1, "dns": $PORT_dns,
    "serf_lan": $PORT_serf_lan, "serf_wan": $PORT_serf_wan, "server": $PORT_server
  }
}
CFG
spawn "$LOG_FILE" "$BIN" agent -dev -client=127.0.0.1 -bind=127.0.0.1 -config-file="$DATA_DIR/consul.json"
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http"
consul_ready() { local l; l="$(curl -fsS --max-time 2 "$base/v1/status/leader")" && [ -n "$l" ] && [ "$l" != '""' ]; }
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" consul_ready
json_line consul "$pid" "$DATA_DIR" "$LOG_FILE" http "$base" grpc "127.0.0.1:$PORT_grpc" dns "127.0.0.1:$PORT_dns"
