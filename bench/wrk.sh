#!/usr/bin/env bash
# Single publishes, batch publishes and chat posts against one `serve` on SQLite, driven by wrk (a
# C load client that costs the shared cores far less than a JVM client): for each, requests/s and
# serve's CPU per request from /proc/<pid>/stat (for batches, per event: 1,000 events a request).
# serve runs with its worker off, so what is measured is the front door: HTTP, authentication,
# checks and the write.
#
#   bench/wrk.sh [--seconds=15] [--connections=64] [--batch-connections=8] [--rounds=2]
#   BENCH_SERVE_CLASSPATH=<another build's class path> bench/wrk.sh   # the same, on that build
#   BENCH_SERVE_JAVA_OPTIONS='<JVM options>' bench/wrk.sh           # serve with other JVM options
#
# Alternate builds on the same machine for a before/after (docs/BENCHMARKS-CHANGES.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=15 connections=64 batch_connections=8 rounds=2
for a in "$@"; do
  case "$a" in
    --seconds=*) seconds="${a#*=}" ;;
    --connections=*) connections="${a#*=}" ;;
    --batch-connections=*) batch_connections="${a#*=}" ;;
    --rounds=*) rounds="${a#*=}" ;;
    *) echo "bench/wrk.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "bench/wrk.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
# shellcheck source=../.mvn/find-jdk.sh
source "$root/.mvn/find-jdk.sh"
backchannel_find_jdk || exit 1
if [ -z "${BENCH_SERVE_CLASSPATH:-}" ]; then
  (cd "$root" && ./mvnw -B -q -DskipTests -pl backchannel-server -am package)
  BENCH_SERVE_CLASSPATH="$root/backchannel-server/target/classes:$(cat "$root/backchannel-server/target/runtime-classpath.txt")"
fi

tmp="$(mktemp -d /tmp/backchannel-wrk.XXXXXX)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export BACKCHANNEL_SECRET_KEY="$(head -c32 /dev/urandom | base64)"
serve() { # exec: run in the background, its $! is the JVM's own pid
  # shellcheck disable=SC2086 # BENCH_SERVE_JAVA_OPTIONS: options separated by spaces
  exec "$JAVA_HOME/bin/java" ${BENCH_SERVE_JAVA_OPTIONS:-"${BACKCHANNEL_JAVA_OPTIONS[@]}"} -cp "$BENCH_SERVE_CLASSPATH" \
    org.backchannel.server.Main "$@"
}
token="$(serve init --workspace Bench --name Bench --email b@example.com --data-dir "$tmp/data" |
  sed -n 's/^API token (shown once): //p')"
BACKCHANNEL_WORKER=false serve serve --dev --port "$port" --data-dir "$tmp/data" >"$tmp/serve.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$base$1" -d "$2"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
flow="$(api /api/v1/flows '{"name":"bench"}' | field id)"
app="$(api /api/v1/apps '{"name":"bench"}' | field id)"
api "/api/v1/apps/$app/endpoints" '{"url":"http://127.0.0.1:9/hook"}' >/dev/null
export FLOW_TOKEN TOKEN="$token"
FLOW_TOKEN="$(api /api/v1/sources "{\"app_id\":$app,\"flow_id\":$flow}" | field flow_token)"
for k in $(seq 0 63); do # the threads the posts go to
  curl -sf -o /dev/null "$base/messages" -H 'Content-Type: application/json' -d \
    "{\"flow_token\":\"$FLOW_TOKEN\",\"event\":\"activity\",\"title\":\"bench\",\"external_thread_id\":\"m-$k\",\"thread\":{\"title\":\"m-$k\"},\"author\":{\"name\":\"bench\"}}"
done
cat >"$tmp/publish.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"type":"order.created","data":{"id":12345,"amount":"10.00","note":"hello"}}'
EOF
cat >"$tmp/batch.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local events = {}
for i = 1, 1000 do
  events[i] = '{"type":"order.created","data":{"id":' .. i .. ',"amount":"10.00","note":"hello"}}'
end
wrk.body = '{"events":[' .. table.concat(events, ",") .. ']}'
EOF
cat >"$tmp/post.lua" <<'EOF'
local n = 0
local ft = os.getenv("FLOW_TOKEN")
request = function()
  n = n + 1
  local body = '{"flow_token":"' .. ft .. '","event":"message","content":"message ' .. n ..
    '","external_thread_id":"m-' .. (n % 64) .. '","author":{"name":"bench"}}'
  return wrk.format("POST", "/messages", {["Content-Type"] = "application/json"}, body)
end
EOF
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
settle() { # until serve is idle (a WAL checkpoint after a phase is that phase's cost, not the next's)
  local a b
  for _ in $(seq 60); do
    a="$(ticks)"; sleep 0.5; b="$(ticks)"
    [ "$((b - a))" -le 2 ] && return
  done
}
run() { # run NAME SCRIPT PATH SECONDS [CONNECTIONS] [EVENTS PER REQUEST]
  local t0 t1 out requests per="${6:-1}"
  settle
  t0="$(ticks)"
  out="$(wrk -t2 -c"${5:-$connections}" -d"$4"s -s "$tmp/$2" "$base$3")"
  t1="$(ticks)"
  requests="$(echo "$out" | awk '/requests in/ {print $1}')"
  printf '%-8s %8s %s/s  serve CPU %s ms per %s  non-2xx %s\n' "$1" \
    "$(echo "$out" | awk -v n="$per" '/Requests\/sec/ {printf "%.0f", $2 * n}')" \
    "$([ "$per" = 1 ] && echo requests || echo events)" \
    "$(awk -v t="$((t1 - t0))" -v r="$((requests * per))" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.4f", t * 1000 / hz / r}')" \
    "$([ "$per" = 1 ] && echo request || echo event)" \
    "$(echo "$out" | awk '/Non-2xx/ {print $NF}' | grep . || echo 0)"
}
echo "warming up (not counted)"
run publish publish.lua "/api/v1/apps/$app/events" 8 >/dev/null
run post post.lua / 8 >/dev/null
run batch batch.lua "/api/v1/apps/$app/events/batch" 8 "$batch_connections" 1000 >/dev/null
for _ in $(seq "$rounds"); do
  run publish publish.lua "/api/v1/apps/$app/events" "$seconds"
  run post post.lua / "$seconds"
  run batch batch.lua "/api/v1/apps/$app/events/batch" "$seconds" "$batch_connections" 1000
done
