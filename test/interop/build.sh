#!/usr/bin/env bash
# Builds the Go Kratos interop fixture (test/interop/go) into the cache outside the clone and prints
# the binary's path on stdout (progress goes to stderr as `[interop] ...` lines).
#
#   test/interop/build.sh [v2|v3] [--regen] [--force]
#
#   v2 (default)  github.com/go-kratos/kratos/v2 v2.9.2 + contrib/registry/{etcd,zookeeper}/v2
#   v3            the same sources with imports rewritten to github.com/go-kratos/kratos/v3 v3.0.0
#                 and contrib/registry/{etcd,zookeeper}/v3, built in <cache>/interop/src-v3
#   --regen       regenerate go/api from examples/helloworld's protos with Go Kratos' generators
#                 (protoc-gen-go, protoc-gen-go-grpc, protoc-gen-go-http, protoc-gen-go-errors) via buf
#   --force       rebuild even when the inputs are unchanged
#
# Caching: the binary is rebuilt only when a hash of its inputs (Go sources, go.mod/go.sum, the
# protos, this script) changes; Go's build and module caches stay at Go's defaults.
# Modules the Go module proxy refuses (403: the zookeeper contrib, the protoc-gen-go-http/errors
# plugins, every v3 contrib) are taken from the same commit of go-kratos/kratos: a bare clone at
# <cache>/interop/kratos.git (KRATOS_GO_SRC=<git dir> to use another clone), `git archive`d into
# <cache>/interop/upstream/<tag>.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}/interop"
GOBIN="$CACHE/go-bin"
V2_TAG=v2.9.2
V3_TAG=v3.0.0
# Contrib modules are not tagged: the pseudo-version of the v2.9.2 commit.
V2_CONTRIB=v2.0.0-20251205160234-b9fab9a5a5ab
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { echo "[interop] $*" >&2; }
die() { echo "[interop] error: $*" >&2; exit 1; }

flavour=v2 regen=0 force=0
for a in "$@"; do
  case "$a" in
    v2 | v3) flavour="$a" ;;
    --regen) regen=1 ;;
    --force) force=1 ;;
    *) die "unknown argument $a (want v2, v3, --regen, --force)" ;;
  esac
done
command -v go > /dev/null || die "go not found on PATH (Go >= 1.26 needed)"
mkdir -p "$CACHE"

# One build at a time per cache (vitest workers may ask concurrently).
exec 9> "$CACHE/.lock"
flock 9

# A git dir of github.com/go-kratos/kratos (bare clone).
kratos_git() {
  local dir="${KRATOS_GO_SRC:-$CACHE/kratos.git}"
  if [ ! -d "$dir" ]; then
    log "cloning github.com/go-kratos/kratos into $dir (for modules the proxy refuses)"
    git clone -q --bare https://github.com/go-kratos/kratos "$dir" || die "cannot clone go-kratos/kratos; set KRATOS_GO_SRC to a clone"
  fi
  echo "$dir"
}

# The go-kratos/kratos tree at a tag, extracted once.
upstream() {
  local tag="$1" dir="$CACHE/upstream/$1"
  if [ ! -f "$dir/.done" ]; then
    local git
    git="$(kratos_git)"
    log "extracting go-kratos/kratos $tag into $dir"
    rm -rf "$dir" && mkdir -p "$dir"
    # Only the Go modules used here, one subtree at a time (a partial clone may lack other blobs).
    local sub
    for sub in cmd/protoc-gen-go-http cmd/protoc-gen-go-errors contrib/registry/etcd contrib/registry/zookeeper; do
      git --git-dir="$git" archive --prefix="$sub/" "$tag:$sub" | tar -x -C "$dir"
    done
    touch "$dir/.done"
  fi
  echo "$dir"
}

# The directory of a module version: the module cache when the proxy serves it, else upstream.
module_dir() {
  local mod="$1" version="$2" tag="$3" subdir="$4" dir
  if dir="$(go mod download -json "$mod@$version" 2> /dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" && [ -n "$dir" ]; then
    echo "$dir"
  else
    log "$mod@$version refused by the module proxy; using go-kratos/kratos $tag:$subdir"
    echo "$(upstream "$tag")/$subdir"
  fi
}

# Go Kratos' protoc plugins in $GOBIN.
plugins() {
  mkdir -p "$GOBIN"
  export GOBIN PATH="$GOBIN:$PATH"
  [ -x "$GOBIN/protoc-gen-go" ] || { log "go install protoc-gen-go"; go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12; }
  [ -x "$GOBIN/protoc-gen-go-grpc" ] || { log "go install protoc-gen-go-grpc"; go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.0; }
  local p
  for p in http errors; do
    [ -x "$GOBIN/protoc-gen-go-$p" ] && continue
    log "installing protoc-gen-go-$p (Go Kratos $V2_TAG)"
    if ! go install "github.com/go-kratos/kratos/cmd/protoc-gen-go-$p/v2@$V2_CONTRIB" 2> /dev/null; then
      log "protoc-gen-go-$p refused by the module proxy; building it from go-kratos/kratos $V2_TAG"
      (cd "$(upstream "$V2_TAG")/cmd/protoc-gen-go-$p" && go build -trimpath -o "$GOBIN/protoc-gen-go-$p" .)
    fi
  done
}

# go/api/helloworld/v1 from examples/helloworld's protos (one source of truth for both languages).
generate() {
  plugins
  local buf="$HERE/node_modules/.bin/buf" stage="$CACHE/proto-stage"
  [ -x "$buf" ] || die "buf not found at $buf (run pnpm install)"
  log "generating go/api with buf + protoc-gen-go{,-grpc,-http,-errors}"
  rm -rf "$stage" && mkdir -p "$stage/api/helloworld/v1"
  cp "$ROOT"/examples/helloworld/api/helloworld/v1/*.proto "$stage/api/helloworld/v1/"
  cp -r "$ROOT/examples/helloworld/third_party" "$stage/third_party"
  cat > "$stage/buf.yaml" << 'EOF'
version: v2
modules:
  - path: api
  - path: third_party
EOF
  # The protos' go_package names the kratos-layout module; M options place them in this module.
  local pkg=github.com/kratos-ts/kratos-ts/test/interop/go/api/helloworld/v1
  local m="Mhelloworld/v1/greeter.proto=$pkg;v1, Mhelloworld/v1/error_reason.proto=$pkg;v1"
  cat > "$stage/buf.gen.yaml" << EOF
version: v2
plugins:
  - local: protoc-gen-go
    out: $HERE/go/api
    opt: [paths=source_relative, $m]
  - local: protoc-gen-go-grpc
    out: $HERE/go/api
    opt: [paths=source_relative, $m]
  - local: protoc-gen-go-http
    out: $HERE/go/api
    opt: [paths=source_relative, $m]
  - local: protoc-gen-go-errors
    out: $HERE/go/api
    opt: [paths=source_relative, $m]
EOF
  rm -rf "$HERE/go/api"
  (cd "$stage" && "$buf" generate --path api/helloworld)
}

inputs_hash() {
  (
    cd "$HERE"
    find go -path go/.upstream -prune -o -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print | sort | xargs sha256sum
    sha256sum build.sh "$ROOT"/examples/helloworld/api/helloworld/v1/*.proto
    echo "$flavour"
  ) | sha256sum | cut -c1-16
}

out="$CACHE/interop-$flavour"
if [ "$regen" = 1 ] || [ ! -f "$HERE/go/api/helloworld/v1/greeter.pb.go" ]; then generate; fi
hash="$(inputs_hash)"
if [ "$force" = 0 ] && [ -x "$out" ] && [ "$(cat "$out.hash" 2> /dev/null)" = "$hash" ]; then
  log "$flavour up to date: $out"
  echo "$out"
  exit 0
fi

start=$(date +%s)
# The zookeeper contrib behind go/.upstream/zookeeper (see the replace in go/go.mod).
zk="$(module_dir github.com/go-kratos/kratos/contrib/registry/zookeeper/v2 "$V2_CONTRIB" "$V2_TAG" contrib/registry/zookeeper)"
mkdir -p "$HERE/go/.upstream"
ln -sfn "$zk" "$HERE/go/.upstream/zookeeper"

if [ "$flavour" = v2 ]; then
  log "building v2 (go-kratos/kratos/v2 $V2_TAG; expect ~1-3 min cold, seconds warm)"
  (cd "$HERE/go" && go build -mod=readonly -trimpath -o "$out.tmp" .)
else
  # v3 is v2 with the module path bumped (github.com/go-kratos/kratos `break: update kratos
  # modules to v3`), so the same sources serve with imports rewritten.
  up3="$(upstream "$V3_TAG")"
  src="$CACHE/src-v3"
  log "preparing v3 sources in $src"
  mkdir -p "$src"
  find "$src" -mindepth 1 -maxdepth 1 ! -name go.sum -exec rm -rf {} +
  (cd "$HERE/go" && find . -path ./.upstream -prune -o -type f -name '*.go' -print | cpio -pdm --quiet "$src")
  find "$src" -name '*.go' -exec sed -i \
    -e 's#github.com/go-kratos/kratos/v2#github.com/go-kratos/kratos/v3#g' \
    -e 's#github.com/go-kratos/kratos/contrib/registry/\([a-z]*\)/v2#github.com/go-kratos/kratos/contrib/registry/\1/v3#g' {} +
  cat > "$src/go.mod" << EOF
module github.com/kratos-ts/kratos-ts/test/interop/go

go 1.26.0

require github.com/go-kratos/kratos/v3 $V3_TAG

// Not served by the module proxy: the v3.0.0 commit's sources.
replace github.com/go-kratos/kratos/contrib/registry/etcd/v3 => $up3/contrib/registry/etcd

replace github.com/go-kratos/kratos/contrib/registry/zookeeper/v3 => $up3/contrib/registry/zookeeper
EOF
  log "resolving v3 dependencies (go mod tidy)"
  (cd "$src" && go mod tidy > /dev/null 2>&1 || go mod tidy)
  log "building v3 (go-kratos/kratos/v3 $V3_TAG)"
  (cd "$src" && go build -trimpath -o "$out.tmp" .)
fi
mv "$out.tmp" "$out"
echo "$hash" > "$out.hash"
log "built $flavour in $(($(date +%s) - start)) s: $out"
echo "$out"
