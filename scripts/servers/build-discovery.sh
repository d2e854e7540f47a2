#!/usr/bin/env bash
# Builds bilibili discovery (github.com/bilibili/discovery/cmd/discovery) into $KRATOS_CACHE/servers/discovery/bin.
# Tries `go install ...@v1.2.0` first; if its 2019-era dependencies do not build on this Go, falls back to a
# wrapper module that raises the offending requirements (DISCOVERY_UPGRADE).
set -euo pipefail
NAME=discovery
. "$(dirname "$0")/lib.sh"
VERSION="${DISCOVERY_VERSION:-v1.2.0}"
OUT="$(server_cache discovery)"
BIN="$OUT/bin/discovery"
if [ -x "$BIN" ] && [ -f "$OUT/.built" ]; then log "ready: $BIN"; exit 0; fi
command -v go >/dev/null || die "go not found on PATH"
mkdir -p "$OUT/bin"
log "downloading module and building with go install (expect 1-3 min cold)..."
if GOBIN="$OUT/bin" GOFLAGS= go install "github.com/bilibili/discovery/cmd/discovery@$VERSION" >"$OUT/go-install.log" 2>&1; then
  mark_built discovery; log "ready: $BIN"; exit 0
fi
log "go install failed ($(grep -m1 -E 'error|cannot|undefined|invalid' "$OUT/go-install.log" || tail -n1 "$OUT/go-install.log")); trying a wrapper module..."
W="$OUT/wrapper"; rm -rf "$W"; mkdir -p "$W"; cd "$W"
go mod init kratos-ts/discovery-build >/dev/null 2>&1
go mod edit -require="github.com/bilibili/discovery@$VERSION"
printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/bilibili/discovery/cmd/discovery"\n' > tools.go
GOFLAGS=-mod=mod go get "github.com/bilibili/discovery/cmd/discovery@$VERSION" >"$OUT/go-get.log" 2>&1 \
  || die "resolving discovery $VERSION failed (see $OUT/go-get.log)"
for m in ${DISCOVERY_UPGRADE:-golang.org/x/sys@latest golang.org/x/net@v0.20.0}; do
  GOFLAGS=-mod=mod go get "$m" >>"$OUT/go-get.log" 2>&1 || die "go get $m failed (see $OUT/go-get.log)"
done
GOFLAGS=-mod=mod go build -trimpath -o "$BIN.tmp" github.com/bilibili/discovery/cmd/discovery \
  >"$OUT/go-build.log" 2>&1 || { tail -n 10 "$OUT/go-build.log" >&2; die "go build of discovery $VERSION failed (see $OUT/go-build.log)"; }
mv "$BIN.tmp" "$BIN"
mark_built discovery
log "ready: $BIN"
