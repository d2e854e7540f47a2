#!/usr/bin/env bash
# Usage: scripts/servers/wait-built.sh <name> [timeout-seconds, default 3600]
# Waits until build-all.sh (or build-<name>.sh) has built <name>. Exit 0 when built, 1 when the build failed
# or nothing is building it, 2 on timeout. etcd/zookeeper/prometheus map to "debian".
set -euo pipefail
NAME=wait-built
. "$(dirname "$0")/lib.sh"
n="${1:?usage: wait-built.sh <name> [timeout-seconds]}"
case "$n" in etcd|zookeeper|prometheus) n=debian ;; k8s|kube-apiserver) n=kubernetes ;; esac
timeout="${2:-3600}"
dir="$SERVERS_CACHE/$n"
deadline=$(( $(date +%s) + timeout ))
announced=""
while :; do
  [ -f "$dir/.built" ] && [ ! -f "$dir/.building" ] && { log "$n: built"; exit 0; }
  if [ -f "$dir/.failed" ] && [ ! -f "$dir/.building" ]; then log "$n: build failed: $(cat "$dir/.failed")"; exit 1; fi
  if [ -f "$dir/.building" ]; then
    bpid="$(cat "$dir/.building")"
    if ! kill -0 "$bpid" 2>/dev/null; then log "$n: builder $bpid is gone without a result"; exit 1; fi
  elif [ "$n" = debian ] && [ -x /usr/bin/etcd ] && [ -f /usr/share/java/zookeeper.jar ] && [ -x /usr/bin/prometheus ]; then
    log "$n: installed"; exit 0
  elif [ -z "$announced" ]; then
    # may be queued behind another server in build-all.sh: keep waiting while a build-all runs
    pgrep -f "scripts/servers/build-all.sh" >/dev/null 2>&1 || pgrep -f "servers/build-all.sh" >/dev/null 2>&1 \
      || { log "$n: not built and no build-all.sh running (run scripts/servers/build-all.sh $n)"; exit 1; }
    announced=1; log "$n: queued in build-all.sh, waiting..."
  fi
  [ "$(date +%s)" -ge "$deadline" ] && { log "$n: still not built after ${timeout}s"; exit 2; }
  sleep 2
done
