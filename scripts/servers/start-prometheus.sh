#!/usr/bin/env bash
# Prometheus (Debian) on 127.0.0.1. Usage: start-prometheus.sh [--config prometheus.yml] [--data-dir DIR] [--port N]
# Without --config it scrapes only itself. Lifecycle API is on (POST /-/reload after editing the config).
set -euo pipefail
NAME=prometheus
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
PROM="${PROMETHEUS_BIN:-$(command -v prometheus || echo /usr/bin/prometheus)}"
[ -x "$PROM" ] || die "prometheus not found: run scripts/servers/install-debian.sh"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
ports_assign "$DATA_DIR" http
if [ -n "$OPT_CONFIG" ]; then
  [ -f "$OPT_CONFIG" ] || die "config file not found: $OPT_CONFIG"
  cfg="$(cd "$(dirname "$OPT_CONFIG")" && pwd)/$(basename "$OPT_CONFIG")"
else
  cfg="$DATA_DIR/prometheus.yml"
  cat > "$cfg" <<CFG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:$PORT_http"]
CFG
fi
spawn "$LOG_FILE" "$PROM" --config.file="$cfg" --storage.tsdb.path="$DATA_DIR/data" \
  --web.listen-address="127.0.0.1:$PORT_http" --web.enable-lifecycle --web.enable-admin-api
pid=$SPAWN_PID
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" http_ok "http://127.0.0.1:$PORT_http/-/ready"
json_line prometheus "$pid" "$DATA_DIR" "$LOG_FILE" http "http://127.0.0.1:$PORT_http" config "$cfg"
