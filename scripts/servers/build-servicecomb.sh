#!/usr/bin/env bash
# Builds Apache ServiceComb service-center from the Go module proxy.
# The proxy here serves one version of github.com/apache/servicecomb-service-center: the pseudo-version
# below (commit c2dc0caef706 of 2019-10-27, between releases 1.2.0 and 1.3.0; tags and @latest answer 403).
# Its Kubernetes discovery plugin imports a client-go fork the proxy does not serve, so that one blank
# import is dropped from the copied source; nothing else is changed. start-servicecomb.sh runs it on Debian etcd.
set -euo pipefail
NAME=servicecomb
. "$(dirname "$0")/lib.sh"
MOD=github.com/apache/servicecomb-service-center
VER=v0.0.0-20191027084911-c2dc0caef706
OUT="$(server_cache servicecomb)"
BIN="$OUT/bin/service-center"
if [ -f "$OUT/.built" ] && [ -x "$BIN" ]; then log "ready: $BIN"; exit 0; fi
command -v go >/dev/null || die "go not found on PATH"
mkdir -p "$OUT"
log "downloading $MOD@$VER from the Go module proxy..."
dir="$(cd "$OUT" && go mod download -json "$MOD@$VER" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or ""); sys.exit(1 if d.get("Error") else 0)')" \
  || die "go mod download $MOD@$VER failed"
rm -rf "$OUT/src" && cp -r "$dir" "$OUT/src" && chmod -R u+w "$OUT/src"
sed -i '\#server/plugin/pkg/discovery/k8s"#d' "$OUT/src/server/bootstrap/bootstrap.go"
log "building service-center (expect 3-7 min cold)..."
mkdir -p "$OUT/bin"
# -mod=mod: the module ships no go.sum. GONOSUMDB for the k8s forks its go.mod names (go.mod files only,
# never built): the checksum database has no entry for them. -checklinkname=0: 2018-era modules
# (reflect2, x/sys) use //go:linkname pulls that Go 1.23+ refuses by default.
(cd "$OUT/src" && GONOSUMDB=github.com/kubernetes GOFLAGS=-mod=mod \
  go build -trimpath -ldflags "-checklinkname=0 -X $MOD/version.VERSION=1.3.0-dev+c2dc0caef706" -o "$BIN" .) \
  || die "go build of service-center failed"
mark_built servicecomb
log "ready: $BIN"
