#!/usr/bin/env bash
# h2c upgrade run (opt-in, not part of mvn verify): starts `kairos serve` with a small heap and sends
# each of its ports a POST that asks for an HTTP/1.1 to HTTP/2 cleartext upgrade (Upgrade: h2c,
# HTTP2-Settings, as Java's default HttpClient does for http:// URLs) with a large chunked body:
# without a key, and with the admin key to the deploy endpoint. Then it checks that the process is
# alive, logged no OutOfMemoryError and still answers. A plain HTTP/1.1 deploy of the same size is
# the control.
#
#   tools/reliability/h2c-upgrade.sh                       # 600 MiB bodies, gateway at -Xmx256m
#   BODY_MB=600 HEAP=256m JAR=/path/kairos-cli.jar tools/reliability/h2c-upgrade.sh
#
# Needs a built checkout (./kairos builds it) or JAR. Loopback only. Exits 1 if the process died,
# logged an OutOfMemoryError or stopped answering.
set -euo pipefail
cd "$(dirname "$0")/../.."
BODY_MB=${BODY_MB:-600}
HEAP=${HEAP:-256m}
JAR=${JAR:-cli/target/kairos-cli.jar}
[ -f "$JAR" ] || KAIROS_JAVA_OPTS=-version ./kairos >/dev/null 2>&1 || true
WORK=$(mktemp -d)
SERVE=
trap '[ -n "$SERVE" ] && kill $SERVE 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/models"
export KAIROS_ADMIN_KEY=h2c-check-admin-key-0123456789
java -Xmx$HEAP -XX:+ExitOnOutOfMemoryError -jar "$JAR" serve --port 0 --grpc-port 0 \
  --admin-port 0 --warm-pool 0 --models "$WORK/models" > "$WORK/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 120); do
  grep -q "Admin API on" "$WORK/serve.log" && break
  kill -0 $SERVE 2>/dev/null || { cat "$WORK/serve.log"; exit 1; }
  sleep 0.5
done
port_of() { grep "$1" "$WORK/serve.log" | head -1 | sed -E 's/.*:([0-9]+).*/\1/'; }
REST=$(port_of "gateway listening on")
GRPC=$(port_of "gRPC listening on")
ADMIN=$(port_of "Admin API on")
echo "kairos serve pid $SERVE at -Xmx$HEAP: REST $REST, gRPC $GRPC, admin $ADMIN; bodies of $BODY_MB MiB"

send() { # port path content-type authorization upgrade(1/0)
  python3 - "$@" <<'PY'
import socket, sys, threading
port, path, ctype, auth, upgrade = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
body_mb = int(__import__("os").environ["BODY_MB"])
s = socket.create_connection(("127.0.0.1", port))
head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {ctype}\r\n"
if upgrade:
    head += "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"
if auth:
    head += f"Authorization: Bearer {auth}\r\n"
head += "Transfer-Encoding: chunked\r\n\r\n"
answer = bytearray()
def read():
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return
            if len(answer) < 65536:
                answer.extend(b)
    except OSError:
        pass
t = threading.Thread(target=read, daemon=True); t.start()
chunk = b"100000\r\n" + b"\0" * (1 << 20) + b"\r\n"
sent = 0
s.settimeout(30)
try:
    s.sendall(head.encode())
    for _ in range(body_mb):
        s.sendall(chunk)
        sent += 1
    s.sendall(b"0\r\n\r\n")
except OSError as e:
    print(f"    stopped by the server: {type(e).__name__}")
t.join(60)
first = answer.split(b"\r\n", 1)[0].decode("latin-1")
text = answer.decode("latin-1")
msg = text[text.find('{"error"'):][:160] if '{"error"' in text else ""
print(f"    sent {sent} MiB; answer: {first!r} {msg}")
s.close()
PY
}
alive() {
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REST/v2/health/live" || true)
  if [ "$code" != 200 ]; then
    echo "    NOT SERVING (REST /v2/health/live: $code); the log ends:"; tail -3 "$WORK/serve.log"
    exit 1
  fi
  echo "    still serving, REST /v2/health/live: $code"
}
echo "h2c upgrade, no key, gRPC port:";        send $GRPC /inference.GRPCInferenceService/ModelInfer application/grpc "" 1; alive
echo "h2c upgrade, no key, admin deploy:";     send $ADMIN "/admin/deploy?name=big" application/zip "" 1; alive
echo "h2c upgrade, admin key, admin deploy:";  send $ADMIN "/admin/deploy?name=big" application/zip "$KAIROS_ADMIN_KEY" 1; alive
echo "h2c upgrade, no key, REST port:";        send $REST /v2/models/x/infer application/json "" 1; alive
echo "HTTP/1.1, admin key, admin deploy:";     send $ADMIN "/admin/deploy?name=big" application/zip "$KAIROS_ADMIN_KEY" 0; alive
if grep -q OutOfMemoryError "$WORK/serve.log"; then echo "OutOfMemoryError logged"; exit 1; fi
echo "no OutOfMemoryError"
