#!/usr/bin/env bash
# bilibili discovery (single node, in-memory registry) on 127.0.0.1.
# Usage: start-discovery.sh [--data-dir DIR] [--port HTTP_PORT]
# Region "sh", zone "sh001", env "dev" (what kratos' discovery clients default to in tests).
set -euo pipefail
NAME=discovery
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
BIN="$(server_cache discovery)/bin/discovery"
require_built discovery "$BIN"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
ports_assign "$DATA_DIR" http
mkdir -p "$DATA_DIR/conf"
cat > "$DATA_DIR/conf/discovery.toml" <<CFG
nodes = ["127.0.0.1:$PORT_http"]
enableprotect = false

[env]
region = "sh"
zone = "sh001"
host = "kratos-test"
DeployEnv = "dev"

[httpServer]
addr = "127.0.0.1:$PORT_http"
timeout = "40s"

[httpClient]
dial = "1s"
keepAlive = "120s"
timeout = "40s"

[log]
stdout = true
CFG
spawn "$LOG_FILE" "$BIN" -conf "$DATA_DIR/conf" -log.stdout=true
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http"
disc_ready() { curl -fsS --max-time 2 "$base/discovery/nodes" | grep -q '"code":0'; }
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" disc_ready
json_line discovery "$pid" "$DATA_DIR" "$LOG_FILE" http "$base" region sh zone sh001 env dev
