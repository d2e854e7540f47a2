#!/usr/bin/env bash
# Builds the Go Kratos contender into the cache outside the clone (Go's own build and module caches
# are outside it too). Prints the binary's path. `--regen` first regenerates api/ with buf +
# protoc-gen-go + protoc-gen-go-grpc (installed with `go install` into $KRATOS_CACHE/go-bin).
set -euo pipefail
cd "$(dirname "$0")"
CACHE="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}"
if [ "${1:-}" = "--regen" ]; then
  export GOBIN="$CACHE/go-bin" PATH="$CACHE/go-bin:$PATH"
  command -v protoc-gen-go > /dev/null || go install google.golang.org/protobuf/cmd/protoc-gen-go@latest
  command -v protoc-gen-go-grpc > /dev/null || go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@latest
  ../../node_modules/.bin/buf generate
fi
mkdir -p "$CACHE/bench"
go build -trimpath -o "$CACHE/bench/go-kratos" .
echo "$CACHE/bench/go-kratos"
