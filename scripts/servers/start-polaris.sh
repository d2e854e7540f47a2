#!/usr/bin/env bash
# Polaris server (built by build-polaris.sh) with the module's release/conf, embedded boltdb store,
# every listener moved to 127.0.0.1 and free ports. Usage: start-polaris.sh [--data-dir DIR] [--port HTTP_PORT]
# Changes to the shipped conf: ports/IPs, self_address 127.0.0.1, console auth off (consoleOpen: false) so tests
# can call the console OpenAPI without a token. Data (polaris.bolt) and logs live in DIR.
set -euo pipefail
NAME=polaris
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
OUT="$(server_cache polaris)"
BIN="$OUT/bin/polaris-server"
require_built polaris "$BIN"
[ -n "$OPT_PORT" ] && PORT_http="$OPT_PORT"
# polaris' nacos-compatible apiserver also opens its port + 1000 (gRPC), so pick that one with care
if [ -z "${PORT_nacos:-}" ]; then
  for _ in $(seq 1 50); do
    cand="$(free_ports 1)"; [ "$cand" -lt 64000 ] || continue
    if port_is_free $((cand + 1000)); then PORT_nacos="$cand"; break; fi
  done
fi
ports_assign "$DATA_DIR" http grpc config eureka xds nacos
rm -rf "$DATA_DIR/conf"; cp -r "$OUT/conf" "$DATA_DIR/conf"; chmod -R u+w "$DATA_DIR/conf"
python3 - "$DATA_DIR/conf/polaris-server.yaml" "$PORT_http" "$PORT_grpc" "$PORT_config" "$PORT_eureka" "$PORT_xds" "$PORT_nacos" <<'PY'
import re, sys
path, http, grpc, config, eureka, xds, nacos = sys.argv[1:]
s = open(path).read()
ports = {"8090": http, "8091": grpc, "8093": config, "8761": eureka, "15010": xds, "8848": nacos}
def port(m):
    if m.group(2) not in ports: sys.exit("unexpected listenPort " + m.group(2))
    return m.group(1) + ports[m.group(2)]
s, n = re.subn(r'(listenPort:\s*)(\d+)', port, s)
if n != len(ports): sys.exit(f"expected {len(ports)} listenPort entries, found {n}")
s = s.replace('listenIP: "0.0.0.0"', 'listenIP: "127.0.0.1"')
s = re.sub(r'#\s*self_address:.*', 'self_address: 127.0.0.1', s, count=1)
s = s.replace("consoleOpen: true", "consoleOpen: false").replace("consoleStrict: true", "consoleStrict: false")
open(path, "w").write(s)
PY
cd "$DATA_DIR"
spawn "$LOG_FILE" "$BIN" start -c "$DATA_DIR/conf/polaris-server.yaml"
pid=$SPAWN_PID
base="http://127.0.0.1:$PORT_http"
polaris_ready() { [ "$(curl -fsS --max-time 2 "$base/")" = "Polaris Server" ] && ! port_is_free "$PORT_grpc" && ! port_is_free "$PORT_config"; }
wait_ready "$pid" "${OPT_TIMEOUT:-90}" "$LOG_FILE" polaris_ready
json_line polaris "$pid" "$DATA_DIR" "$LOG_FILE" http "$base" grpc "127.0.0.1:$PORT_grpc" \
  config "127.0.0.1:$PORT_config" eureka "http://127.0.0.1:$PORT_eureka" xds "127.0.0.1:$PORT_xds" \
  nacos "127.0.0.1:$PORT_nacos"
