#!/usr/bin/env bash
# Builds an OpenTelemetry Collector with the official builder (ocb, go.opentelemetry.io/collector/cmd/builder
# from the Go module proxy) into $KRATOS_CACHE/servers/otelcol/bin/otelcol-kratos. Components: the otlp receiver
# (traces, metrics, logs over gRPC and HTTP), the fluentforward receiver (Fluent forward protocol, logs) and the
# file exporter (one JSON line per batch), plus debug and the batch processor.
# All collector modules stay at one release (OTELCOL_VERSION): the file exporter failed to resolve past v0.161.0
# on Go 1.26 here, so that release is the default.
set -euo pipefail
NAME=otelcol
. "$(dirname "$0")/lib.sh"
VERSION="${OTELCOL_VERSION:-v0.161.0}"
OUT="$(server_cache otelcol)"
BIN="$OUT/bin/otelcol-kratos"
if [ -x "$BIN" ] && [ -f "$OUT/.built" ]; then log "ready: $BIN"; exit 0; fi
command -v go >/dev/null || die "go not found on PATH"
mkdir -p "$OUT/bin"
log "installing the collector builder $VERSION..."
GOBIN="$OUT/tools" GOFLAGS= go install "go.opentelemetry.io/collector/cmd/builder@$VERSION" >"$OUT/builder-install.log" 2>&1 \
  || { tail -n 5 "$OUT/builder-install.log" >&2; die "go install go.opentelemetry.io/collector/cmd/builder@$VERSION failed (see $OUT/builder-install.log)"; }
SRC="$OUT/src"; rm -rf "$SRC"; mkdir -p "$SRC"
contrib=github.com/open-telemetry/opentelemetry-collector-contrib
cat > "$OUT/manifest.yaml" <<YAML
dist:
  name: otelcol-kratos
  description: OpenTelemetry Collector for the kratos-ts tests (otlp + fluentforward -> file)
  output_path: $SRC
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver $VERSION
  - gomod: $contrib/receiver/fluentforwardreceiver $VERSION
processors:
  - gomod: go.opentelemetry.io/collector/processor/batchprocessor $VERSION
exporters:
  - gomod: $contrib/exporter/fileexporter $VERSION
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter $VERSION
YAML
log "generating and building the collector (expect 5-15 min cold)..."
GOFLAGS= "$OUT/tools/builder" --config="$OUT/manifest.yaml" >"$OUT/builder.log" 2>&1 \
  || { tail -n 15 "$OUT/builder.log" >&2; die "the collector builder failed (see $OUT/builder.log)"; }
[ -x "$SRC/otelcol-kratos" ] || die "the builder finished without $SRC/otelcol-kratos"
mv "$SRC/otelcol-kratos" "$BIN"
mark_built otelcol
log "ready: $BIN"
