#!/usr/bin/env bash
# Usage: scripts/servers/start.sh <name> [--data-dir DIR] [--port N] [--config FILE] [--timeout S]
# Starts a real server on 127.0.0.1 in the background, waits until it is ready and prints one JSON line:
#   {"name":..,"pid":..,"endpoints":{..},"dataDir":..,"log":..}
# Names: etcd zookeeper prometheus consul kubernetes nacos polaris discovery. Stop with stop.sh <pid>.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:-}"
[ -n "$name" ] || { echo "usage: $0 <name> [--data-dir DIR] [--port N] [--config FILE]" >&2; exit 2; }
shift
case "$name" in k8s|kube-apiserver) name=kubernetes ;; esac
[ -x "$here/start-$name.sh" ] || { echo "[start] error: unknown server '$name'" >&2; exit 2; }
exec "$here/start-$name.sh" "$@"
