#!/usr/bin/env bash
# kube-apiserver (built by build-kubernetes.sh) with its own etcd (Debian), on 127.0.0.1.
# Usage: start-kubernetes.sh [--data-dir DIR] [--port SECURE_PORT]
# Auth: static bearer token (DIR/token, user "kratos-admin" in system:masters), --authorization-mode=AlwaysAllow.
# Writes DIR/kubeconfig (insecure-skip-tls-verify + token) for @kubernetes/client-node / kubectl.
# The printed pid is a small bash supervisor in its own process group (etcd + kube-apiserver); stop.sh <pid>
# stops all three. If either server dies, the supervisor takes the other one down.
set -euo pipefail
NAME=kubernetes
. "$(dirname "$0")/lib.sh"
parse_start_args "$@"
BIN="$(server_cache kubernetes)/bin/kube-apiserver"
require_built kubernetes "$BIN"
ETCD="${ETCD_BIN:-$(command -v etcd || echo /usr/bin/etcd)}"
[ -x "$ETCD" ] || die "etcd not found: run scripts/servers/install-debian.sh"
command -v openssl >/dev/null || die "openssl not found on PATH"
[ -n "$OPT_PORT" ] && PORT_secure="$OPT_PORT"
ports_assign "$DATA_DIR" secure etcd_client etcd_peer
pki="$DATA_DIR/pki"; mkdir -p "$pki"
if [ ! -f "$pki/sa.key" ]; then
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null || die "openssl genrsa failed"
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null || die "openssl rsa -pubout failed"
fi
[ -f "$DATA_DIR/token" ] || python3 -c 'import secrets; print("kratos-" + secrets.token_hex(16))' > "$DATA_DIR/token"
token="$(cat "$DATA_DIR/token")"
echo "$token,kratos-admin,kratos-admin,system:masters" > "$pki/tokens.csv"
server="https://127.0.0.1:$PORT_secure"
cat > "$DATA_DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kratos
  cluster:
    server: $server
    insecure-skip-tls-verify: true
users:
- name: kratos-admin
  user:
    token: $token
contexts:
- name: kratos
  context:
    cluster: kratos
    user: kratos-admin
    namespace: default
current-context: kratos
KC
ec="http://127.0.0.1:$PORT_etcd_client"; ep="http://127.0.0.1:$PORT_etcd_peer"
etcd_cmd=("$ETCD" --name k8s --data-dir "$DATA_DIR/etcd" --listen-client-urls "$ec" --advertise-client-urls "$ec"
  --listen-peer-urls "$ep" --initial-advertise-peer-urls "$ep" --initial-cluster "k8s=$ep" --log-level warn)
api_cmd=("$BIN" --etcd-servers="$ec" --bind-address=127.0.0.1 --advertise-address=127.0.0.1
  --secure-port="$PORT_secure" --cert-dir="$pki" --token-auth-file="$pki/tokens.csv"
  --authorization-mode=AlwaysAllow --service-cluster-ip-range=10.96.0.0/16
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key"
  --endpoint-reconciler-type=none --enable-priority-and-fairness=false --profiling=false)
# supervisor: both in one process group; when either exits, take the group down
spawn "$LOG_FILE" bash -c '
  "$@" & 
  wait -n || true
  kill -TERM 0' kratos-k8s bash -c '
    etcd_n=$1; shift
    "${@:1:$etcd_n}" > "'"$DATA_DIR"'/etcd.log" 2>&1 &
    shift "$etcd_n"
    exec "$@"' kratos-k8s-run "${#etcd_cmd[@]}" "${etcd_cmd[@]}" "${api_cmd[@]}"
pid=$SPAWN_PID
k8s_ready() { [ "$(curl -ksS --max-time 3 -H "Authorization: Bearer $token" "$server/readyz")" = ok ]; }
wait_ready "$pid" "${OPT_TIMEOUT:-180}" "$LOG_FILE" k8s_ready
json_line kubernetes "$pid" "$DATA_DIR" "$LOG_FILE" server "$server" kubeconfig "$DATA_DIR/kubeconfig" token "$token" etcd "$ec"
