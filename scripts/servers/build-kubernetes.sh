#!/usr/bin/env bash
# Builds kube-apiserver from the published k8s.io/kubernetes Go module via a wrapper module that maps each
# k8s.io/* staging module (v0.0.0 + ./staging replace upstream) to its published v0.MINOR.PATCH tag.
set -euo pipefail
NAME=kubernetes
. "$(dirname "$0")/lib.sh"
VERSION="${K8S_VERSION:-v1.30.14}"   # newest v1.30.x the Go module proxy serves
STAGING="v0.${VERSION#v1.}"
OUT="$(server_cache kubernetes)"
BIN="$OUT/bin/kube-apiserver"
if [ -x "$BIN" ] && [ -f "$OUT/.built" ]; then log "ready: $BIN"; exit 0; fi
command -v go >/dev/null || die "go not found on PATH"
mkdir -p "$OUT/bin"
W="$OUT/wrapper"; rm -rf "$W"; mkdir -p "$W"
log "downloading module k8s.io/kubernetes@$VERSION..."
gomod="$(cd "$W" && go mod download -json "k8s.io/kubernetes@$VERSION" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("GoMod") or ""); sys.exit(1 if d.get("Error") else 0)')" \
  || die "go mod download k8s.io/kubernetes@$VERSION failed"
# staging modules = the k8s.io/* paths upstream replaces with ./staging/src/...
mods="$(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$gomod")"
[ -n "$mods" ] || die "no staging replaces found in $gomod"
cd "$W"
go mod init kratos-ts/kube-apiserver-build >/dev/null 2>&1
go mod edit -require="k8s.io/kubernetes@$VERSION"
for m in $mods; do go mod edit -replace="$m@v0.0.0=$m@$STAGING"; done
cat > tools.go <<GO
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
log "resolving dependencies ($(echo "$mods" | wc -w) staging modules -> $STAGING)..."
GOFLAGS=-mod=mod go get "k8s.io/kubernetes/cmd/kube-apiserver@$VERSION" >"$OUT/go-get.log" 2>&1 \
  || { tail -5 "$OUT/go-get.log" >&2; die "resolving k8s.io/kubernetes@$VERSION dependencies failed (see $OUT/go-get.log)"; }
log "building kube-apiserver (expect 10-20 min cold)..."
pkg=k8s.io/component-base/version
minor="${VERSION#v1.}"; minor="${minor%%.*}"
GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-s -w -X $pkg.gitVersion=$VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z" \
  -o "$BIN.tmp" k8s.io/kubernetes/cmd/kube-apiserver || die "go build of kube-apiserver $VERSION failed"
mv "$BIN.tmp" "$BIN"
mark_built kubernetes
log "ready: $BIN"
