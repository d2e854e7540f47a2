#!/usr/bin/env bash
# Standalone ZooKeeper (Debian zookeeper jars) on 127.0.0.1. Usage: start-zookeeper.sh [--data-dir DIR] [--port CLIENT_PORT]
set -euo pipefail
NAME=zookeeper
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
ZK_JAR="${ZK_JAR:-/usr/share/java/zookeeper.jar}"
[ -f "$ZK_JAR" ] || die "$ZK_JAR not found: run scripts/servers/install-debian.sh"
command -v java >/dev/null || die "java not found on PATH"
[ -n "$OPT_PORT" ] && PORT_client="$OPT_PORT"
ports_assign "$DATA_DIR" client
mkdir -p "$DATA_DIR/data" "$DATA_DIR/conf"
cat > "$DATA_DIR/conf/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$DATA_DIR/data
clientPort=$PORT_client
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,mntr,conf,cons,wchs,dump
CFG
cp_extra=""; [ -f /usr/share/java/slf4j-simple.jar ] && cp_extra=":/usr/share/java/slf4j-simple.jar"
spawn "$LOG_FILE" java -Xmx256m -Dzookeeper.log.dir="$DATA_DIR" -Dzookeeper.root.logger=INFO,CONSOLE \
  -Dzookeeper.admin.enableServer=false -Dzookeeper.4lw.commands.whitelist='*' \
  -Dorg.slf4j.simpleLogger.showDateTime=true \
  -cp "$DATA_DIR/conf:$ZK_JAR$cp_extra" org.apache.zookeeper.server.ZooKeeperServerMain "$DATA_DIR/conf/zoo.cfg"
pid=$SPAWN_PID
zk_ready() {
  python3 - "$PORT_client" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.sendall(b"ruok"); d = s.recv(16); s.close()
sys.exit(0 if d == b"imok" else 1)
PY
}
wait_ready "$pid" "${OPT_TIMEOUT:-60}" "$LOG_FILE" zk_ready
json_line zookeeper "$pid" "$DATA_DIR" "$LOG_FILE" client "127.0.0.1:$PORT_client"
