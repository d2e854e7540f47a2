#!/usr/bin/env bash
# Go tools the tests and benchmarks use, built once from the Go module proxy into the cache:
# grpcurl (a third-party gRPC reflection client), ghz (gRPC load generator).
set -euo pipefail
bin="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}/bin"
mkdir -p "$bin"
install() {
  local name="$1" module="$2"
  if [ -x "$bin/$name" ]; then return; fi
  echo "[tools] go install $module" >&2
  GOBIN="$bin" GOFLAGS=-mod=mod go install "$module" >&2
}
install grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3
echo "[tools] ready in $bin" >&2
