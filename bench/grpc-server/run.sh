#!/usr/bin/env bash
# Side-by-side: bare grpc-js vs @kratos/grpc (default options: 1 s timeout through the shared
# deadline timer, health + reflection registered, no middleware), hello-world unary under h2load.
# Server pinned to CPU 0, h2load to CPU 1. Prints req/s and the server's CPU time per request. Usage: bench/grpc-server/run.sh [rounds] [requests]
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${1:-2}
N=${2:-200000}
BODY=$(mktemp)
# gRPC frame: uncompressed flag, 4-byte length, HelloRequest{name: "world"}.
printf '\x00\x00\x00\x00\x07\x0a\x05world' > "$BODY"
for round in $(seq "$ROUNDS"); do
  for mode in bare kratos; do
    port=$((19000 + RANDOM % 1000))
    taskset -c 0 node --conditions=kratos-source server.ts "$mode" "$port" > /dev/null &
    pid=$!
    for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
    # warm-up, then the measured run
    taskset -c 1 h2load -n 20000 -c 4 -m 50 -H 'content-type: application/grpc' -H 'te: trailers' \
      -d "$BODY" "http://127.0.0.1:$port/helloworld.v1.Greeter/SayHello" > /dev/null
    t0=$(awk '{print $14+$15}' /proc/$pid/stat)
    rps=$(taskset -c 1 h2load -n "$N" -c 4 -m 50 -H 'content-type: application/grpc' -H 'te: trailers' \
      -d "$BODY" "http://127.0.0.1:$port/helloworld.v1.Greeter/SayHello" | awk '/^finished in/ {print $4}')
    t1=$(awk '{print $14+$15}' /proc/$pid/stat)
    # server CPU per request (clock ticks -> µs): steadier than req/s when the machine is shared
    cpu=$(awk -v a="$t0" -v b="$t1" -v n="$N" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')
    echo "round $round $mode $rps req/s  $cpu µs CPU/req"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
rm -f "$BODY"
