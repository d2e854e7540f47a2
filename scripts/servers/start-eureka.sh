#!/usr/bin/env bash
# Standalone Netflix Eureka server (Spring Cloud Netflix, no peers, no self-registration) on 127.0.0.1.
# Usage: start-eureka.sh [--data-dir DIR] [--port HTTP_PORT]
# The registry lives in memory: a restart keeps the port, not the instances (clients re-register).
set -euo pipefail
NAME=eureka
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
OUT="$(server_cache eureka)"
[ -f "$OUT/.built" ] || die "eureka is not built: run scripts/servers/build-eureka.sh (or build-all.sh eureka)"
command -v java >/dev/null || die "java not found on PATH"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
ports_assign "$DATA_DIR" http
spawn "$LOG_FILE" java -Xms128m -Xmx384m -Xss512k -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true \
  -cp "$OUT/classes:$OUT/lib/*" kratos.servers.eureka.EurekaServer \
  --server.port="$PORT_http" --server.address=127.0.0.1
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http"
eureka_ready() { curl -fsS --max-time 2 -H 'Accept: application/json' "$base/eureka/apps" | grep -q '"applications"'; }
wait_ready "$pid" "${OPT_TIMEOUT:-120}" "$LOG_FILE" eureka_ready
json_line eureka "$pid" "$DATA_DIR" "$LOG_FILE" http "$base" url "$base/eureka"
