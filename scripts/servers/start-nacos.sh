#!/usr/bin/env bash
# Standalone Nacos 2.2.x (embedded Derby, auth off) on 127.0.0.1.
# Usage: start-nacos.sh [--data-dir DIR] [--port HTTP_PORT]
# Nacos derives its other ports from server.port: gRPC = +1000 (SDK), +1001 (cluster), Raft = -1000;
# all four must be free, so the HTTP port is picked with that in mind.
set -euo pipefail
NAME=nacos
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
OUT="$(server_cache nacos)"
[ -f "$OUT/.built" ] || die "nacos is not built: run scripts/servers/build-nacos.sh (or build-all.sh nacos)"
command -v java >/dev/null || die "java not found on PATH"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
if [ -z "${PORT_http:-}" ]; then
  # Picked below the kernel's ephemeral range: there no outgoing connection or bind(0) of another
  # process can take one of the four ports while Nacos (a JVM, ~10 s) is still starting (a raft
  # port taken that way failed a CI run with "Address already in use").
  eph_low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for _ in $(seq 1 50); do
    if [ "$eph_low" -gt 13002 ]; then
      cand=$((11000 + RANDOM % (eph_low - 1002 - 11000)))
    else
      cand="$(free_ports 1)"
      [ "$cand" -gt 2000 ] && [ "$cand" -lt 64000 ] || continue
    fi
    if port_is_free "$cand" && port_is_free $((cand + 1000)) && port_is_free $((cand + 1001)) \
      && port_is_free $((cand - 1000)); then
      PORT_http="$cand"; break
    fi
  done
  [ -n "${PORT_http:-}" ] || die "could not find a free port P with P±1000 and P+1001 also free"
fi
ports_assign "$DATA_DIR" http
grpc=$((PORT_http + 1000))
mkdir -p "$DATA_DIR/conf"
{ cat "$OUT/classes/application.properties"; echo "server.port=$PORT_http"; } > "$DATA_DIR/conf/application.properties"
spawn "$LOG_FILE" java -Xms256m -Xmx512m -Xss512k \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
  --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -Dnacos.standalone=true -Dnacos.home="$DATA_DIR" -Dnacos.member.list= -Djava.net.preferIPv4Stack=true \
  -Dserver.address=127.0.0.1 -Dnacos.server.ip=127.0.0.1 -Dnacos.inetutils.ip-address=127.0.0.1 \
  -Dspring.config.additional-location="file:$DATA_DIR/conf/" \
  -cp "$OUT/classes:$OUT/lib/*" kratos.servers.nacos.NacosServer --server.port="$PORT_http"
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http/nacos"
nacos_ready() { http_ok "$base/v1/ns/operator/metrics" && ! port_is_free "$grpc"; }
wait_ready "$pid" "${OPT_TIMEOUT:-180}" "$LOG_FILE" nacos_ready
json_line nacos "$pid" "$DATA_DIR" "$LOG_FILE" http "127.0.0.1:$PORT_http" grpc "127.0.0.1:$grpc" \
  url "$base"
