#!/usr/bin/env bash
# Apache ServiceComb service-center on 127.0.0.1, backed by its own Debian etcd (data in DIR/etcd).
# Usage: start-servicecomb.sh [--data-dir DIR] [--port HTTP_PORT]
# Plain HTTP (ssl off), auth off, no self-registration. The printed pid is a small bash supervisor in its
# own process group with service-center (etcd runs in a session of its own, stopped by the supervisor after
# service-center); if either exits it takes the other down. A restart with the
# same data dir keeps the ports and the registry (microservices survive; instances until their lease ends).
# Not service-center's embedded etcd (registry_plugin = embeded_etcd): in this version deregistering an
# instance there leaves it in the registry (the lease revoke deletes nothing), which no test can live with.
set -euo pipefail
NAME=servicecomb
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
BIN="$(server_cache servicecomb)/bin/service-center"
require_built servicecomb "$BIN"
ETCD="${ETCD_BIN:-$(command -v etcd || echo /usr/bin/etcd)}"
[ -x "$ETCD" ] || die "etcd not found: run scripts/servers/install-debian.sh"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
ports_assign "$DATA_DIR" http etcd_client etcd_peer
ec="http://127.0.0.1:$PORT_etcd_client"; ep="http://127.0.0.1:$PORT_etcd_peer"
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
registry_plugin = etcd
discovery_plugin = etcd
manager_cluster = $ec
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
# supervisor: etcd (in a session of its own, so stop.sh's TERM to the group does not reach it), then
# service-center once etcd answers. On TERM: service-center first (it stops in ~1.5 s while etcd is up,
# but waits 5 s for etcd when both go at once), then etcd. When either exits, the other is stopped.
spawn "$LOG_FILE" bash -c '
  etcd_bin=$1 ec=$2 ep=$3 data=$4 sc_bin=$5 sc=""
  setsid "$etcd_bin" --name sc --data-dir "$data/etcd" --listen-client-urls "$ec" --advertise-client-urls "$ec" \
    --listen-peer-urls "$ep" --initial-advertise-peer-urls "$ep" --initial-cluster "sc=$ep" \
    --log-level warn > "$data/etcd.log" 2>&1 &
  etcd=$!
  down() {
    [ -n "$sc" ] && { kill -TERM "$sc" 2>/dev/null; wait "$sc" 2>/dev/null; }
    kill -TERM "$etcd" 2>/dev/null; wait "$etcd" 2>/dev/null
    exit 0
  }
  trap down TERM INT
  for _ in $(seq 1 300); do curl -fsS --max-time 1 "$ec/health" 2>/dev/null | grep -q true && break; sleep 0.2; done
  "$sc_bin" &
  sc=$!
  wait -n || true
  down' kratos-servicecomb "$ETCD" "$ec" "$ep" "$DATA_DIR" "$BIN"
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http"
# /registry/health needs self-registration (off): ready when the version answers and a read of the
# registry goes through (etcd has a leader).
sc_ready() {
  curl -fsS --max-time 2 "$base/version" | grep -q '"version"' \
    && curl -fsS --max-time 2 -H "X-Domain-Name: default" "$base/v4/default/registry/microservices" >/dev/null
}
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" sc_ready
json_line servicecomb "$pid" "$DATA_DIR" "$LOG_FILE" http "$base" etcd "$ec"
