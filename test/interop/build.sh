#!/usr/bin/env bash
# Builds the Go Kratos interop fixture (test/interop/go) into the cache outside the clone and prints
# the binary's path on stdout (progress goes to stderr as `[interop] ...` lines).
#
#   test/interop/build.sh [v2|v3] [--force]
#
#   v2 (default)  go/: github.com/go-kratos/kratos/v2 v2.9.2 + contrib/registry/{etcd,consul,nacos}/v2
#   v3            the same sources with imports rewritten to github.com/go-kratos/kratos/v3 v3.0.0,
#                 go-v3/compat.go over go/compat.go, go-v3/api over go/api and go-v3/go.{mod,sum},
#                 assembled in <cache>/interop/src-v3
#   --force       rebuild even when the inputs are unchanged
#
# Everything comes from the Go module proxy (go.sum pins it). The proxy refuses (403) some Go Kratos
# modules: every contrib registry but etcd, consul and nacos, every v3 contrib, and the
# protoc-gen-go-http/errors plugins; what that leaves out is listed in docs/interop.md. go/api and
# go-v3/api hold the Greeter as Go Kratos' own generators emit it, committed.
#
# Caching: the binary is rebuilt only when a hash of its inputs (Go sources, go.mod/go.sum, this
# script) changes; Go's build and module caches stay at Go's defaults.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}/interop"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { echo "[interop] $*" >&2; }
die() { echo "[interop] error: $*" >&2; exit 1; }

flavour=v2 force=0
for a in "$@"; do
  case "$a" in
    v2 | v3) flavour="$a" ;;
    --force) force=1 ;;
    *) die "unknown argument $a (want v2, v3, --force)" ;;
  esac
done
command -v go > /dev/null || die "go not found on PATH (Go >= 1.26 needed)"
mkdir -p "$CACHE"

# One build at a time per cache (vitest workers may ask concurrently).
exec 9> "$CACHE/.lock"
flock 9

inputs_hash() {
  (
    cd "$HERE"
    find go go-v3 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print | sort | xargs sha256sum
    sha256sum build.sh
    echo "$flavour"
  ) | sha256sum | cut -c1-16
}

out="$CACHE/interop-$flavour"
hash="$(inputs_hash)"
if [ "$force" = 0 ] && [ -x "$out" ] && [ "$(cat "$out.hash" 2> /dev/null)" = "$hash" ]; then
  log "$flavour up to date: $out"
  echo "$out"
  exit 0
fi

start=$(date +%s)
if [ "$flavour" = v2 ]; then
  log "building v2 (go-kratos/kratos/v2 v2.9.2; expect ~1-3 min cold, seconds warm)"
  (cd "$HERE/go" && go build -mod=readonly -trimpath -o "$out.tmp" .)
else
  # v3 bumped every module path to /v3 and renamed transport/grpc's DialInsecure to NewClient
  # (insecure unless TLS is set); protoc-gen-go-http's output changed too (go-v3/api).
  src="$CACHE/src-v3"
  log "assembling v3 sources in $src"
  rm -rf "$src" && mkdir -p "$src"
  (cd "$HERE/go" && find . -type f -name '*.go' ! -name compat.go -print | tar -cf - -T -) | tar -xf - -C "$src"
  find "$src" -name '*.go' -exec sed -i \
    -e 's#github.com/go-kratos/kratos/v2#github.com/go-kratos/kratos/v3#g' \
    -e 's#grpc\.DialInsecure(#grpc.NewClient(#g' {} +
  cp "$HERE/go-v3/compat.go" "$HERE/go-v3/go.mod" "$HERE/go-v3/go.sum" "$src/"
  cp "$HERE"/go-v3/api/helloworld/v1/*.go "$src/api/helloworld/v1/"
  log "building v3 (go-kratos/kratos/v3 v3.0.0; expect ~1-3 min cold, seconds warm)"
  (cd "$src" && go build -mod=readonly -trimpath -o "$out.tmp" .)
fi
mv "$out.tmp" "$out"
echo "$hash" > "$out.hash"
log "built $flavour in $(($(date +%s) - start)) s: $out"
echo "$out"
