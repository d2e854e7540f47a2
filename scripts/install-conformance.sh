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
# Test files that need these peers call this script at the same time: one builds, the others wait
# for it and then find everything in place (on a cold cache they raced for the same temporary
# file, and the second `mv` failed).
exec 9>"$(dirname "$bin")/.install-conformance.lock"
flock 9

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
# Descriptor sets the TypeScript servers load: grpc.testing as grpc-go of that version has it
# (dumped by a small Go program), Connect's conformance protos as that runner ships them (buf).
desc="$(dirname "$bin")/conformance"
mkdir -p "$desc"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -s "$desc/grpc-testing-$GRPC_GO_VERSION.binpb" ]; then
  echo "[conformance] grpc.testing descriptors from grpc-go $GRPC_GO_VERSION" >&2
  part="$(mktemp "$desc/grpc-testing.XXXXXX")"
  (cd "$root/test/conformance/go" && GOFLAGS=-mod=mod go run ./grpc-testing-descriptors) >"$part"
  chmod 644 "$part"
  mv -f "$part" "$desc/grpc-testing-$GRPC_GO_VERSION.binpb"
fi
ln -sf "grpc-testing-$GRPC_GO_VERSION.binpb" "$desc/grpc-testing.binpb"
if [ ! -s "$desc/connect-conformance-$CONFORMANCE_VERSION.binpb" ]; then
  echo "[conformance] connectrpc.conformance.v1 descriptors ($CONFORMANCE_VERSION)" >&2
  buf="$root/test/conformance/node_modules/@bufbuild/buf/bin/buf"
  [ -x "$buf" ] || { echo "[conformance] $buf missing: run pnpm install first" >&2; exit 1; }
  src="$(GOFLAGS=-mod=mod go mod download -json "connectrpc.com/conformance@$CONFORMANCE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  part="$(mktemp "$desc/connect-conformance.XXXXXX.binpb")"
  "$buf" build "$src/proto" -o "$part"
  chmod 644 "$part"
  mv -f "$part" "$desc/connect-conformance-$CONFORMANCE_VERSION.binpb"
fi
ln -sf "connect-conformance-$CONFORMANCE_VERSION.binpb" "$desc/connect-conformance.binpb"
echo "[conformance] ready in $bin and $desc" >&2
