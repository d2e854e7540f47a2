#!/usr/bin/env bash
# Installs schemathesis (PyPI) into a venv under $KRATOS_CACHE (outside the clone); a no-op when
# the pinned version is already there. Prints the path of its `st` command.
set -euo pipefail
VERSION=4.32.5
cache="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}"
venv="$cache/schemathesis-$VERSION"
if [ ! -x "$venv/bin/st" ]; then
  echo "[schemathesis] installing schemathesis $VERSION into $venv" >&2
  python3 -m venv "$venv.tmp" >&2
  "$venv.tmp/bin/pip" install -q "schemathesis==$VERSION" >&2
  rm -rf "$venv" && mv "$venv.tmp" "$venv"
  # the venv's scripts name their interpreter by the temporary path: rewrite it
  sed -i "1s|$venv.tmp|$venv|" "$venv"/bin/*
fi
echo "$venv/bin/st"
