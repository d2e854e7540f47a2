#!/usr/bin/env bash
# Builds the Polaris server (github.com/polarismesh/polaris, root package) from a wrapper module that carries
# the same replace as upstream's go.mod (gopkg.in/yaml.v2 => v2.2.2); copies release/conf next to the binary.
set -euo pipefail
NAME=polaris
. "$(dirname "$0")/lib.sh"
VERSION="${POLARIS_VERSION:-v1.18.1}"   # newest release the Go module proxy serves
OUT="$(server_cache polaris)"
BIN="$OUT/bin/polaris-server"
if [ -x "$BIN" ] && [ -f "$OUT/.built" ] && [ -d "$OUT/conf" ]; then log "ready: $BIN"; exit 0; fi
command -v go >/dev/null || die "go not found on PATH"
mkdir -p "$OUT/bin"
W="$OUT/wrapper"; rm -rf "$W"; mkdir -p "$W"; cd "$W"
log "downloading module github.com/polarismesh/polaris@$VERSION..."
info="$(go mod download -json "github.com/polarismesh/polaris@$VERSION")" || die "go mod download github.com/polarismesh/polaris@$VERSION failed"
dir="$(printf '%s' "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
go mod init kratos-ts/polaris-build >/dev/null 2>&1
go mod edit -require="github.com/polarismesh/polaris@$VERSION"
# carry upstream's replace directives over (a dependency's replaces are ignored otherwise)
(cd "$dir" && go mod edit -json) | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    o, n = r["Old"], r["New"]
    old = o["Path"] + ("@" + o["Version"] if o.get("Version") else "")
    new = n["Path"] + ("@" + n["Version"] if n.get("Version") else "")
    print(f"-replace={old}={new}")' | while read -r arg; do go mod edit "$arg"; done
printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/polarismesh/polaris"\n' > tools.go
log "resolving dependencies..."
GOFLAGS=-mod=mod go get "github.com/polarismesh/polaris@$VERSION" >"$OUT/go-get.log" 2>&1 \
  || { tail -5 "$OUT/go-get.log" >&2; die "resolving polaris $VERSION dependencies failed (see $OUT/go-get.log)"; }
log "building polaris-server (expect 3-8 min cold)..."
GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-X github.com/polarismesh/polaris/common/version.Version=$VERSION" \
  -o "$BIN.tmp" github.com/polarismesh/polaris || die "go build of polaris $VERSION failed"
rm -rf "$OUT/conf"; cp -r "$dir/release/conf" "$OUT/conf"; chmod -R u+w "$OUT/conf"
mv "$BIN.tmp" "$BIN"
mark_built polaris
log "ready: $BIN"
