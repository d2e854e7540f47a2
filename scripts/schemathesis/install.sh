#!/usr/bin/env bash
# Installs schemathesis (PyPI) into a venv under $KRATOS_CACHE (outside the clone); a no-op when
# the pinned version is already there (a marker file is written last, so a broken install is
# redone). Prints the path of its `st` command.
set -euo pipefail
VERSION=4.32.5
cache="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}"
venv="$cache/schemathesis-$VERSION"
if [ ! -f "$venv/.installed" ]; then
  echo "[schemathesis] installing schemathesis $VERSION into $venv" >&2
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >&2; then
    # Debian's python3 keeps venv in its own package.
    echo "[schemathesis] python3 -m venv failed; installing python3-venv" >&2
    rm -rf "$venv"
    { apt-get install -y -q python3-venv || { apt-get update -q && apt-get install -y -q python3-venv; }; } >&2
    python3 -m venv "$venv" >&2 || { echo "[schemathesis] error: python3 -m venv failed (Python 3.9+ with venv needed)" >&2; exit 1; }
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION" >&2
  touch "$venv/.installed"
fi
echo "$venv/bin/st"
