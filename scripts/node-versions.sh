#!/usr/bin/env bash
# Prints the path of a Node binary of the given major version (20 for the old-Node check, 22, 24, 26), installing it once
# from the npm registry into the cache. Used to run the unit tests on every supported Node.
set -euo pipefail
major="$1"
cache="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}/node$major"
if [ ! -x "$cache/node_modules/node/bin/node" ]; then
  echo "[node] installing Node $major from the npm registry" >&2
  mkdir -p "$cache"
  npm install --silent --no-audit --no-fund --prefix "$cache" "node@$major" >&2
fi
echo "$cache/node_modules/node/bin/node"
