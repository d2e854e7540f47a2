#!/usr/bin/env bash
# Usage: scripts/servers/stop.sh <pid> [grace-seconds]
# Stops a server started by start.sh: TERM to its process group (pid == pgid, started with setsid),
# then KILL after the grace period (default 10 s). Exits 0 if it is already gone.
set -euo pipefail
pid="${1:?usage: stop.sh <pid> [grace-seconds]}"
grace="${2:-10}"
case "$pid" in ''|*[!0-9]*) echo "[stop] error: not a pid: $pid" >&2; exit 2 ;; esac
if ! kill -0 "$pid" 2>/dev/null; then
  # leader gone: still clean up what is left of its process group (e.g. etcd next to kube-apiserver)
  pgrep -g "$pid" >/dev/null 2>&1 && kill -KILL -- "-$pid" 2>/dev/null || true
  exit 0
fi
target="$pid"
pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
[ "$pgid" = "$pid" ] && target="-$pid"
kill -TERM -- "$target" 2>/dev/null || true
end=$(( $(date +%s) + grace ))
while kill -0 "$pid" 2>/dev/null; do
  # reap if it is our child (not normally the case) and see whether it is a zombie
  state="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
  case "$state" in Z*|'') break ;; esac
  if [ "$(date +%s)" -ge "$end" ]; then
    kill -KILL -- "$target" 2>/dev/null || true
    break
  fi
  sleep 0.2
done
# the group may still hold helpers (e.g. etcd next to kube-apiserver): give them the same treatment
if [ "$target" != "$pid" ]; then
  end=$(( $(date +%s) + grace ))
  while pgrep -g "$pid" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$end" ]; then kill -KILL -- "$target" 2>/dev/null || true; break; fi
    sleep 0.2
  done
fi
exit 0
