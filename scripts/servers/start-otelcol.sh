#!/usr/bin/env bash
# OpenTelemetry Collector (built by build-otelcol.sh) on 127.0.0.1: the otlp receiver (gRPC and HTTP) and the
# fluentforward receiver, each signal written by a file exporter as OTLP JSON lines:
#   DIR/traces.jsonl  DIR/metrics.jsonl  DIR/logs.jsonl  (fluent forward events and OTLP logs)
# Usage: start-otelcol.sh [--data-dir DIR] [--port OTLP_GRPC_PORT] [--config FILE]
# The files are appended to, so a restart with the same data dir (same ports, see .ports) keeps what arrived.
# The collector's own telemetry is off (nothing listens on :8888). With --config the file is used as it is.
set -euo pipefail
NAME=otelcol
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
BIN="$(server_cache otelcol)/bin/otelcol-kratos"
require_built otelcol "$BIN"
[ -n "$OPT_PORT" ] && PORT_grpc="$OPT_PORT"
ports_assign "$DATA_DIR" grpc http fluent
CONFIG="${OPT_CONFIG:-$DATA_DIR/otelcol.yaml}"
if [ -z "$OPT_CONFIG" ]; then
  cat > "$CONFIG" <<CFG
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$PORT_grpc
      http:
        endpoint: 127.0.0.1:$PORT_http
  fluentforward:
    endpoint: 127.0.0.1:$PORT_fluent
exporters:
  file/traces:
    path: $DATA_DIR/traces.jsonl
    append: true
    flush_interval: 100ms
  file/metrics:
    path: $DATA_DIR/metrics.jsonl
    append: true
    flush_interval: 100ms
  file/logs:
    path: $DATA_DIR/logs.jsonl
    append: true
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file/traces]
    metrics:
      receivers: [otlp]
      exporters: [file/metrics]
    logs:
      receivers: [otlp, fluentforward]
      exporters: [file/logs]
CFG
fi
spawn "$LOG_FILE" "$BIN" --config="$CONFIG"
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http"
otelcol_ready() {
  curl -fsS --max-time 2 -X POST -H 'Content-Type: application/json' -d '{}' "$base/v1/logs" >/dev/null \
    && python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' "$PORT_fluent" \
    && python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' "$PORT_grpc"
}
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" otelcol_ready
json_line otelcol "$pid" "$DATA_DIR" "$LOG_FILE" grpc "127.0.0.1:$PORT_grpc" http "$base" fluent "127.0.0.1:$PORT_fluent" \
  traces "$DATA_DIR/traces.jsonl" metrics "$DATA_DIR/metrics.jsonl" logs "$DATA_DIR/logs.jsonl"
