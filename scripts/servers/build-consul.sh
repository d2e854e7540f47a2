#!/usr/bin/env bash
# Builds HashiCorp Consul from its published Go module into $KRATOS_CACHE/servers/consul/bin/consul.
set -euo pipefail
NAME=consul
. "$(dirname "$0")/lib.sh"
VERSION="${CONSUL_VERSION:-v1.20.6}"   # newest v1.20.x the Go module proxy serves
OUT="$(server_cache consul)"
BIN="$OUT/bin/consul"
if [ -x "$BIN" ] && [ -f "$OUT/.built" ]; then log "ready: $BIN"; exit 0; fi
mkdir -p "$OUT/bin"
command -v go >/dev/null || die "go not found on PATH"
log "downloading module github.com/hashicorp/consul@$VERSION..."
tmpmod="$(mktemp -d)"; trap 'rm -rf "$tmpmod"' EXIT
dir="$(cd "$tmpmod" && go mod download -json "github.com/hashicorp/consul@$VERSION" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or ""); sys.exit(1 if d.get("Error") else 0)')" \
  || die "go mod download github.com/hashicorp/consul@$VERSION failed"
SRC="$OUT/src"
rm -rf "$SRC"; cp -r "$dir" "$SRC"; chmod -R u+w "$SRC"
cd "$SRC"
# Nested modules are not in the module zip: drop the ./api ./sdk ... replaces so the published tags are used.
for m in api sdk proto-public envoyextensions troubleshoot; do
  go mod edit -dropreplace="github.com/hashicorp/consul/$m"
done
log "downloading dependencies..."
GOFLAGS=-mod=mod go mod download >/dev/null 2>&1 || true
log "building (expect 10-20 min cold)..."
GOFLAGS=-mod=mod go build -trimpath -o "$BIN.tmp" . || die "go build of consul $VERSION failed"
mv "$BIN.tmp" "$BIN"
mark_built consul
log "ready: $BIN"
