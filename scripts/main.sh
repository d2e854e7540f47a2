#!/usr/bin/env bash
# The main job: installs the workspace and runs examples/helloworld on its embedded defaults
# (file config, in-memory registry, console logs; HTTP :8000, gRPC :9000). Ctrl-C / SIGTERM stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
. scripts/toolchain.sh
exec node --conditions=kratos-source examples/helloworld/cmd/helloworld/main.ts "$@"
