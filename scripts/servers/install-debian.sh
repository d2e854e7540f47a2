#!/usr/bin/env bash
# Installs the Debian-packaged servers (etcd, zookeeper, prometheus), wrk and chromium when missing. Needs root (or sudo).
set -euo pipefail
NAME=debian
. "$(dirname "$0")/lib.sh"
need=()
[ -x /usr/bin/etcd ] || need+=(etcd-server)
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
[ -x /usr/bin/prometheus ] || need+=(prometheus)
command -v wrk >/dev/null || need+=(wrk)
command -v java >/dev/null || need+=(default-jre-headless)
# The browser tests (test/browser, driven by playwright-core) use Debian's chromium.
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then log "ready: etcd, zookeeper, prometheus already installed"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
log "installing ${need[*]}..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
} || die "apt-get install ${need[*]} failed"
# The packages ship systemd units; tests start their own instances, so keep the default ones off when possible.
for svc in etcd zookeeper prometheus prometheus-node-exporter; do
  command -v systemctl >/dev/null && $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
log "ready: ${need[*]}"
