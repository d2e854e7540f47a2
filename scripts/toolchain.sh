#!/usr/bin/env bash
# Puts Node 24 (from the npm registry) and pnpm on PATH, installing them once into a cache
# outside the clone. Source it: `. scripts/toolchain.sh`. Node 20 on the machine is only the bootstrap.
KRATOS_CACHE="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}"
export KRATOS_CACHE
_kt_node_dir="$KRATOS_CACHE/node24"
if [ ! -x "$_kt_node_dir/node_modules/node/bin/node" ]; then
  echo "[toolchain] installing Node 24 from the npm registry into $_kt_node_dir" >&2
  mkdir -p "$_kt_node_dir"
  npm install --silent --no-audit --no-fund --prefix "$_kt_node_dir" node@24 pnpm@10 >&2
fi
export PATH="$_kt_node_dir/node_modules/node/bin:$_kt_node_dir/node_modules/.bin:$PATH"
export PNPM_HOME="$KRATOS_CACHE/pnpm-home"
echo "[toolchain] node $(node -v), pnpm $(pnpm -v)" >&2
