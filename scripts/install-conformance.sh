#!/usr/bin/env bash
# Peers that verify @kratos/rpc, built once from the Go module proxy into the cache:
#  - connectconformance: Connect's conformance runner (connectrpc.com/conformance),
#  - grpc-interop-client: grpc-go's interop test client (google.golang.org/grpc/interop/client).
# Prints nothing on a warm cache; one progress line per tool it builds.
set -euo pipefail
CONFORMANCE_VERSION="${CONFORMANCE_VERSION:-v1.0.7}"
GRPC_GO_VERSION="${GRPC_GO_VERSION:-v1.85.0}"
bin="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}/bin"
mkdir -p "$bin"
command -v go >/dev/null || { echo "[conformance] go not found on PATH (Go 1.26 needed)" >&2; exit 1; }

# go install names a binary after its package directory; build into a scratch GOBIN and rename.
install() {
  local name="$1" module="$2" built="$3"
  if [ -x "$bin/$name" ]; then return; fi
  echo "[conformance] go install $module" >&2
  local tmp
  tmp="$(mktemp -d)"
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "$module" >&2
  mv "$tmp/$built" "$bin/$name"
  rm -rf "$tmp"
}
install connectconformance "connectrpc.com/conformance/cmd/connectconformance@$CONFORMANCE_VERSION" connectconformance
install grpc-interop-client "google.golang.org/grpc/interop/client@$GRPC_GO_VERSION" client
echo "[conformance] ready in $bin" >&2
