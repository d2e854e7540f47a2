#!/usr/bin/env bash
# schemathesis (PyPI) against examples/helloworld with every check: the example starts as a user
# starts it (its own config, free loopback ports), serves its OpenAPI document at /q/openapi.yaml
# (the generated one, with the docs page), and schemathesis tests every operation in it.
# Exit status is schemathesis'. Report and log: $KRATOS_CACHE/logs/schemathesis/.
#
#   bash scripts/schemathesis/run.sh [extra `st run` options]
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}"
logs="$cache/logs/schemathesis"
mkdir -p "$logs"
st=$(bash scripts/schemathesis/install.sh)
command -v node >/dev/null || . scripts/toolchain.sh >/dev/null

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
http_port=$(free_port)
grpc_port=$(free_port)
conf=$(mktemp -d)
pid=""
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$conf"' EXIT
cat > "$conf/config.yaml" <<YAML
server:
  http:
    addr: 127.0.0.1:$http_port
    timeout: 5s
  grpc:
    addr: 127.0.0.1:$grpc_port
    timeout: 5s
data:
  greeting: Hello
YAML
node --conditions=kratos-source examples/helloworld/cmd/helloworld/main.ts -conf "$conf" > "$logs/example.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$http_port"
for _ in $(seq 1 300); do
  grep -q '\[HTTP\] server listening' "$logs/example.log" && break
  kill -0 "$pid" 2>/dev/null || { echo "[schemathesis] error: the example exited:"; tail -n 20 "$logs/example.log"; exit 1; }
  sleep 0.1
done
echo "[schemathesis] examples/helloworld on $base; st run --checks all $base/q/openapi.yaml"
# A fixed seed and a bounded example count keep the run short and repeatable.
"$st" run "$base/q/openapi.yaml" --url "$base" --checks all --seed 1 --max-examples 50 --workers 2 \
  --report junit --report-dir "$logs" "$@"
