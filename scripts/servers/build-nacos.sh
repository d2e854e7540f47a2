#!/usr/bin/env bash
# Assembles a standalone Nacos 2.2.x server from the io.springboot.nacos jars on Maven Central
# (a third-party republication of the Nacos server modules) plus a small Spring Boot main class.
set -euo pipefail
NAME=nacos
. "$(dirname "$0")/lib.sh"
SRC="$SERVERS_DIR/nacos"
OUT="$(server_cache nacos)"
if [ -f "$OUT/.built" ] && [ -d "$OUT/lib" ] && [ -f "$OUT/classes/kratos/servers/nacos/NacosServer.class" ]; then
  log "ready: $OUT"; exit 0
fi
command -v mvn >/dev/null || die "mvn not found on PATH"
command -v javac >/dev/null || die "javac (JDK 17) not found on PATH"
mkdir -p "$OUT"
rm -rf "$OUT/lib" "$OUT/classes"
cp "$SRC/pom.xml" "$OUT/pom.xml"
log "downloading io.springboot.nacos jars and dependencies from Maven Central..."
(cd "$OUT" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=lib) \
  >"$OUT/mvn.log" 2>&1 || { tail -n 20 "$OUT/mvn.log" >&2; die "mvn dependency:copy-dependencies failed (see $OUT/mvn.log)"; }
log "compiling main class..."
mkdir -p "$OUT/classes"
javac -nowarn -d "$OUT/classes" -cp "$OUT/lib/*" "$SRC/NacosServer.java" || die "javac NacosServer.java failed"
cp "$SRC/application.properties" "$OUT/classes/application.properties"
mark_built nacos
log "ready: $OUT ($(ls "$OUT/lib" | wc -l) jars)"
