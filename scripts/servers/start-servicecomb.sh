#!/usr/bin/env bash
# Apache ServiceComb service-center (single node, embedded etcd in DIR/data) on 127.0.0.1.
# Usage: start-servicecomb.sh [--data-dir DIR] [--port HTTP_PORT]
# Plain HTTP (ssl off), auth off, no self-registration. A restart with the same data dir keeps the ports
# and the registry (microservices survive; instances live until their lease runs out).
set -euo pipefail
NAME=servicecomb
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
BIN="$(server_cache servicecomb)/bin/service-center"
require_built servicecomb "$BIN"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
ports_assign "$DATA_DIR" http peer
peer="http://127.0.0.1:$PORT_peer"
mkdir -p "$DATA_DIR/conf"
cat > "$DATA_DIR/conf/app.conf" <<CFG
runmode = prod
httpaddr = 127.0.0.1
httpport = $PORT_http
read_header_timeout = 60s
read_timeout = 60s
idle_timeout = 60s
write_timeout = 60s
max_header_bytes = 32768
max_body_bytes = 2097152
enable_pprof = 0
plugins_dir = ./plugins
registry_plugin = embeded_etcd
discovery_plugin = etcd
manager_name = sc-0
manager_addr = $peer
manager_cluster = sc-0=$peer
self_register = 0
auto_sync_interval = 30s
connect_timeout = 10s
registry_timeout = 30s
compact_index_delta = 100
compact_interval = 12h
enable_cache = 1
uuid_plugin = context
limit_conns = 0
ssl_mode = 0
log_format = text
log_sys = false

[prod]
loglevel = INFO
logfile = ./service-center.log
CFG
cd "$DATA_DIR"
spawn "$LOG_FILE" "$BIN"
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http"
# /registry/health needs self-registration (off): ready when the version answers and a read of the
# registry goes through (the embedded etcd has a leader).
sc_ready() {
  curl -fsS --max-time 2 "$base/version" | grep -q '"version"' \
    && curl -fsS --max-time 2 -H "X-Domain-Name: default" "$base/v4/default/registry/microservices" >/dev/null
}
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" sc_ready
json_line servicecomb "$pid" "$DATA_DIR" "$LOG_FILE" http "$base"
