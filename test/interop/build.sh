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
V3_CONTRIB=v3.0.0-20260626125723-668db92c2c00
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
    for sub in cmd/protoc-gen-go-http cmd/protoc-gen-go-errors contrib/registry/etcd contrib/registry/zookeeper contrib/otel; do
      git --git-dir="$git" cat-file -e "$tag:$sub" 2> /dev/null || continue
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

# Go Kratos' protoc plugins of one major version in $GOBIN/<major> (protoc-gen-go and -grpc shared).
plugins() {
  local major="$1" tag contrib dir="$GOBIN/$1" p
  if [ "$major" = v2 ]; then tag=$V2_TAG contrib=$V2_CONTRIB; else tag=$V3_TAG contrib=$V3_CONTRIB; fi
  mkdir -p "$dir"
  export PATH="$dir:$GOBIN:$PATH"
  [ -x "$GOBIN/protoc-gen-go" ] || { log "go install protoc-gen-go"; GOBIN="$GOBIN" go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12; }
  [ -x "$GOBIN/protoc-gen-go-grpc" ] || { log "go install protoc-gen-go-grpc"; GOBIN="$GOBIN" go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.0; }
  for p in http errors; do
    [ -x "$dir/protoc-gen-go-$p" ] && continue
    log "installing protoc-gen-go-$p (Go Kratos $tag)"
    if ! GOBIN="$dir" go install "github.com/go-kratos/kratos/cmd/protoc-gen-go-$p/$major@$contrib" 2> /dev/null; then
      log "protoc-gen-go-$p/$major refused by the module proxy; building it from go-kratos/kratos $tag"
      (cd "$(upstream "$tag")/cmd/protoc-gen-go-$p" && go build -trimpath -o "$dir/protoc-gen-go-$p" .)
    fi
  done
}

# <out>/helloworld/v1 from examples/helloworld's protos (one source of truth for both languages)
# with the generators of Go Kratos <major>.
generate() {
  local major="$1" out="$2"
  plugins "$major"
  local buf="$HERE/node_modules/.bin/buf" stage="$CACHE/proto-stage"
  [ -x "$buf" ] || die "buf not found at $buf (run pnpm install)"
  log "generating $out with buf + protoc-gen-go{,-grpc} + Go Kratos $major protoc-gen-go-{http,errors}"
  rm -rf "$stage" && mkdir -p "$stage/api/helloworld/v1"
  cp "$ROOT"/examples/helloworld/api/helloworld/v1/*.proto "$stage/api/helloworld/v1/"
  cp -r "$ROOT/examples/helloworld/third_party" "$stage/third_party"
  printf 'version: v2\nmodules:\n  - path: api\n  - path: third_party\n' > "$stage/buf.yaml"
  # The protos' go_package names the kratos-layout module; M options place them in this module.
  local pkg=github.com/kratos-ts/kratos-ts/test/interop/go/api/helloworld/v1
  # errors/errors.proto is Go Kratos' own (its go_package names v2): point it at <major>'s copy.
  local m="Mhelloworld/v1/greeter.proto=$pkg;v1, Mhelloworld/v1/error_reason.proto=$pkg;v1"
  m="$m, Merrors/errors.proto=github.com/go-kratos/kratos/$major/errors;errors"
  {
    printf 'version: v2\nplugins:\n'
    for p in go go-grpc go-http go-errors; do
      printf '  - local: protoc-gen-%s\n    out: %s\n    opt: [paths=source_relative, %s]\n' "$p" "$out" "$m"
    done
  } > "$stage/buf.gen.yaml"
  rm -rf "$out"
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
if [ "$regen" = 1 ] || [ ! -f "$HERE/go/api/helloworld/v1/greeter.pb.go" ]; then generate v2 "$HERE/go/api"; fi
hash="$(inputs_hash)"
if [ "$force" = 0 ] && [ -x "$out" ] && [ "$(cat "$out.hash" 2> /dev/null)" = "$hash" ]; then
  log "$flavour up to date: $out"
  echo "$out"
  exit 0
fi

start=$(date +%s)
if [ "$flavour" = v2 ]; then
  # The zookeeper contrib behind go/.upstream/zookeeper (see the replace in go/go.mod).
  zk="$(module_dir github.com/go-kratos/kratos/contrib/registry/zookeeper/v2 "$V2_CONTRIB" "$V2_TAG" contrib/registry/zookeeper)"
  mkdir -p "$HERE/go/.upstream"
  ln -sfn "$zk" "$HERE/go/.upstream/zookeeper"
  log "building v2 (go-kratos/kratos/v2 $V2_TAG; expect ~1-3 min cold, seconds warm)"
  (cd "$HERE/go" && go build -mod=readonly -trimpath -o "$out.tmp" .)
else
  # v3 bumped every module path to /v3 (`break: update kratos modules to v3`), replaced the log
  # package with slog, moved the OTel tracing middleware to contrib/otel/v3/tracing, renamed
  # transport/grpc's DialInsecure to NewClient (insecure unless TLS is set) and changed
  # protoc-gen-go-http's output: the same sources serve with imports rewritten, and go/api is
  # generated again with v3's generators.
  up3="$(upstream "$V3_TAG")"
  src="$CACHE/src-v3"
  log "preparing v3 sources in $src"
  mkdir -p "$src"
  find "$src" -mindepth 1 -maxdepth 1 ! -name go.sum -exec rm -rf {} +
  (cd "$HERE/go" && find . -maxdepth 1 -type f -name '*.go' -print | tar -cf - -T -) | tar -xf - -C "$src"
  find "$src" -maxdepth 1 -name '*.go' -exec sed -i \
    -e 's#github.com/go-kratos/kratos/v2/middleware/tracing#github.com/go-kratos/kratos/contrib/otel/v3/tracing#g' \
    -e 's#github.com/go-kratos/kratos/v2#github.com/go-kratos/kratos/v3#g' \
    -e 's#grpc\.DialInsecure(#grpc.NewClient(#g' \
    -e 's#github.com/go-kratos/kratos/contrib/registry/\([a-z]*\)/v2#github.com/go-kratos/kratos/contrib/registry/\1/v3#g' {} +
  generate v3 "$src/api"
  cat > "$src/go.mod" << EOF
module github.com/kratos-ts/kratos-ts/test/interop/go

go 1.26.0

require github.com/go-kratos/kratos/v3 $V3_TAG

// Not served by the module proxy: the $V3_TAG commit's sources.
replace github.com/go-kratos/kratos/contrib/registry/etcd/v3 => $up3/contrib/registry/etcd

replace github.com/go-kratos/kratos/contrib/registry/zookeeper/v3 => $up3/contrib/registry/zookeeper

replace github.com/go-kratos/kratos/contrib/otel/v3 => $up3/contrib/otel
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
