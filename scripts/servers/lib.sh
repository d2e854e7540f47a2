# shellcheck shell=bash
# Shared helpers for scripts/servers/*.sh. Source it; do not run it.
KRATOS_CACHE="${KRATOS_CACHE:-$HOME/.cache/kratos-ts}"
SERVERS_CACHE="$KRATOS_CACHE/servers"
SERVERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export KRATOS_CACHE SERVERS_CACHE SERVERS_DIR
: "${NAME:=servers}"

log() { echo "[$NAME] $*" >&2; }
die() { echo "[$NAME] error: $*" >&2; exit 1; }

# free_ports N -> N distinct free TCP ports on 127.0.0.1 (all bound at once, then released).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
n = int(sys.argv[1]); socks = []; ports = []
while len(ports) < n:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    socks.append(s)
    if p not in ports: ports.append(p)
print(" ".join(map(str, ports)))
for s in socks: s.close()
PY
}

# port_is_free PORT
port_is_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)
PY
}

# --- per-data-dir port memory, so a restart on the same data dir reuses the same ports ---
# ports_load DIR: reads DIR/.ports (key=value) into PORT_<key> variables.
ports_load() {
  local f="$1/.ports" k v
  [ -f "$f" ] || return 0
  while IFS='=' read -r k v; do [ -n "$k" ] && printf -v "PORT_$k" '%s' "$v"; done < "$f"
}
# ports_assign DIR key1 key2 ...: keys without a PORT_<key> value get fresh free ports; all saved.
ports_assign() {
  local dir="$1"; shift
  local missing=() k
  for k in "$@"; do local var="PORT_$k"; [ -n "${!var:-}" ] || missing+=("$k"); done
  if [ ${#missing[@]} -gt 0 ]; then
    local fresh; read -r -a fresh <<<"$(free_ports ${#missing[@]})"
    local i=0; for k in "${missing[@]}"; do printf -v "PORT_$k" '%s' "${fresh[$i]}"; i=$((i+1)); done
  fi
  : > "$dir/.ports"
  for k in "$@"; do local var="PORT_$k"; echo "$k=${!var}" >> "$dir/.ports"; done
}

# spawn LOGFILE cmd args... : start detached in its own session (pid == process group id); sets SPAWN_PID.
spawn() {
  local logf="$1"; shift
  setsid "$@" </dev/null >>"$logf" 2>&1 &
  SPAWN_PID=$!
}

# wait_ready PID TIMEOUT_S LOGFILE cmd...: polls `cmd` (success = ready) each second.
wait_ready() {
  local pid="$1" timeout="$2" logf="$3"; shift 3
  local deadline=$(( $(date +%s) + timeout ))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logf" >&2 || true
      die "process $pid exited before becoming ready (log: $logf)"
    fi
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 30 "$logf" >&2 || true
      "$SERVERS_DIR/stop.sh" "$pid" >/dev/null 2>&1 || true
      die "not ready after ${timeout}s (log: $logf)"
    fi
    sleep 1
  done
}

# http_ok URL [curl args...]: 2xx with a non-empty body
http_ok() {
  local url="$1"; shift
  local body; body="$(curl -fsS --max-time 3 "$@" "$url")" || return 1
  [ -n "$body" ]
}

# json_line NAME PID DATADIR LOG k1 v1 k2 v2 ... (endpoint pairs) -> one JSON line on stdout
json_line() {
  python3 - "$@" <<'PY'
import json, sys
a = sys.argv[1:]
name, pid, data, logf = a[:4]; rest = a[4:]
eps = {rest[i]: rest[i+1] for i in range(0, len(rest), 2)}
for k, v in eps.items():
    if v.isdigit(): eps[k] = int(v)
print(json.dumps({"name": name, "pid": int(pid), "endpoints": eps, "dataDir": data, "log": logf}, separators=(",", ":")))
PY
}

# Build-script helpers
server_cache() { echo "$SERVERS_CACHE/$1"; }
mark_built() { date -u +%FT%TZ > "$SERVERS_CACHE/$1/.built"; }

# parse_start_args "$@": --data-dir DIR, --port N, --config FILE, --timeout S. Sets DATA_DIR, OPT_PORT,
# OPT_CONFIG, OPT_TIMEOUT; creates DATA_DIR (a fresh temp dir when not given) and LOG_FILE inside it.
parse_start_args() {
  DATA_DIR=""; OPT_PORT=""; OPT_CONFIG=""; OPT_TIMEOUT=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --data-dir) DATA_DIR="${2:?--data-dir needs a value}"; shift 2 ;;
      --data-dir=*) DATA_DIR="${1#*=}"; shift ;;
      --port) OPT_PORT="${2:?--port needs a value}"; shift 2 ;;
      --port=*) OPT_PORT="${1#*=}"; shift ;;
      --config) OPT_CONFIG="${2:?--config needs a value}"; shift 2 ;;
      --config=*) OPT_CONFIG="${1#*=}"; shift ;;
      --timeout) OPT_TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
      --timeout=*) OPT_TIMEOUT="${1#*=}"; shift ;;
      *) die "unknown argument: $1" ;;
    esac
  done
  if [ -z "$DATA_DIR" ]; then
    DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kratos-$NAME-XXXXXX")"
  else
    mkdir -p "$DATA_DIR"
  fi
  DATA_DIR="$(cd "$DATA_DIR" && pwd)"
  LOG_FILE="$DATA_DIR/$NAME.log"
  ports_load "$DATA_DIR"
}

# require_built NAME BINARY: fails with the build command to run.
require_built() {
  [ -x "$2" ] || die "$1 is not built ($2 missing): run scripts/servers/build-$1.sh (or build-all.sh $1)"
}
