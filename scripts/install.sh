#!/usr/bin/env bash
# Installs what the workspace needs on a fresh machine: Node 24 + pnpm (npm registry), the
# workspace's packages (pnpm store kept in the cache, outside the clone). Idempotent and quick when warm.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh
echo "[install] pnpm install " >&2
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -vE '^(Progress|\.\.\.)' | tail -n 5 >&2
