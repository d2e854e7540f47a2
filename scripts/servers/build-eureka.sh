#!/usr/bin/env bash
# Assembles a standalone Netflix Eureka server: spring-cloud-starter-netflix-eureka-server (Spring Cloud
# 2025.0.0 on Spring Boot 3.5.7) from Maven Central plus a small Spring Boot main class (eureka/).
set -euo pipefail
NAME=eureka
. "$(dirname "$0")/lib.sh"
SRC="$SERVERS_DIR/eureka"
OUT="$(server_cache eureka)"
if [ -f "$OUT/.built" ] && [ -d "$OUT/lib" ] && [ -f "$OUT/classes/kratos/servers/eureka/EurekaServer.class" ]; then
  log "ready: $OUT"; exit 0
fi
command -v mvn >/dev/null || die "mvn not found on PATH"
command -v javac >/dev/null || die "javac (JDK 17) not found on PATH"
mkdir -p "$OUT"
rm -rf "$OUT/lib" "$OUT/classes"
cp "$SRC/pom.xml" "$OUT/pom.xml"
log "downloading spring-cloud-starter-netflix-eureka-server and dependencies from Maven Central (expect ~1-2 min cold)..."
(cd "$OUT" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=lib) \
  >"$OUT/mvn.log" 2>&1 || { tail -n 20 "$OUT/mvn.log" >&2; die "mvn dependency:copy-dependencies failed (see $OUT/mvn.log)"; }
log "compiling main class..."
mkdir -p "$OUT/classes"
javac -nowarn -d "$OUT/classes" -cp "$OUT/lib/*" "$SRC/EurekaServer.java" || die "javac EurekaServer.java failed"
cp "$SRC/application.properties" "$OUT/classes/application.properties"
mark_built eureka
log "ready: $OUT ($(ls "$OUT/lib" | wc -l) jars)"
