#!/usr/bin/env bash
# Usage: scripts/servers/build-all.sh [names...]
# Builds every server (or the named ones) one after another, cheapest first, so it can run in the background
# in CI while unit tests run:  scripts/servers/build-all.sh > /dev/null 2>&1 &
# Per server: log in <cache>/servers/<name>/build.log; status file .building while running, then .built
# (success) or .failed (the error line). scripts/servers/wait-built.sh <name> waits for the outcome.
# Names: debian (etcd, zookeeper, prometheus via apt) discovery polaris nacos consul kubernetes.
# Exits non-zero if any build failed (the others still run).
set -euo pipefail
NAME=build-all
. "$(dirname "$0")/lib.sh"
all=(debian discovery polaris nacos otelcol eureka servicecomb consul kubernetes)
names=("$@"); [ ${#names[@]} -gt 0 ] || names=("${all[@]}")
canon() { case "$1" in etcd|zookeeper|prometheus) echo debian ;; k8s|kube-apiserver) echo kubernetes ;; *) echo "$1" ;; esac; }
status=0
for n in "${names[@]}"; do
  n="$(canon "$n")"
  case " ${all[*]} " in *" $n "*) ;; *) log "unknown server: $n"; status=1; continue ;; esac
  dir="$SERVERS_CACHE/$n"; mkdir -p "$dir"
  rm -f "$dir/.failed"
  script="$SERVERS_DIR/build-$n.sh"; [ "$n" = debian ] && script="$SERVERS_DIR/install-debian.sh"
  echo "$$" > "$dir/.building"
  start=$(date +%s)
  log "$n: building (log: $dir/build.log)"
  if "$script" > "$dir/build.log" 2>&1; then
    [ "$n" = debian ] && mark_built debian
    log "$n: ready in $(( $(date +%s) - start ))s"
  else
    status=1
    line="$(grep -E '^\[[a-z-]+\] error:' "$dir/build.log" | tail -n1 || true)"
    [ -n "$line" ] || line="$(tail -n1 "$dir/build.log")"
    echo "$line" > "$dir/.failed"
    log "$n: FAILED after $(( $(date +%s) - start ))s: $line"
  fi
  rm -f "$dir/.building"
done
exit $status
