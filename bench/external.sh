#!/usr/bin/env bash
# The outside-in mode of bench/run (bench/run --external [--quick] [--name=value ...]): every
# part its own process. Builds the bench module and serve's runtime class path, starts PostgreSQL
# (Debian's server, a fresh cluster with fsync and synchronous_commit on) and Redis (Debian's
# redis-server, AOF every second) on 127.0.0.1, installs the Node peers with `npm ci`, runs the
# load client (org.backchannel.bench.External), and writes the "Outside-in" section of
# docs/BENCHMARKS.md. What cannot be set up is reported and left out; everything started is
# stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0
args=()
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    *) args+=("$a") ;;
  esac
done
if [ "$quick" = 1 ]; then
  # a smoke run of every part: minutes, not the figures to quote; an option given as well wins
  for d in --events=10000 --warmup=2000 --seconds=5 --presses=500 --press-warmup-seconds=5 \
    --messages=5000 --startups=2 --idle-seconds=3; do
    given=0
    for a in ${args[@]+"${args[@]}"}; do [ "${a%%=*}" = "${d%%=*}" ] && given=1; done
    [ "$given" = 1 ] || args=("$d" ${args[@]+"${args[@]}"})
  done
fi

# shellcheck source=../.mvn/find-jdk.sh
source "$root/.mvn/find-jdk.sh"
backchannel_find_jdk || exit 1
cd "$root"
./mvnw -B -q -DskipTests -pl backchannel-bench -am package
bench="$root/backchannel-bench"
out="$bench/target/bench"
mkdir -p "$out"
cp="$bench/target/classes:$(cat "$bench/target/bench-classpath.txt")"
# serve on the class path ./backchannel runs it on (the runtime scope); BENCH_SERVE_CLASSPATH
# measures another build of serve (an earlier commit's, for a before/after comparison)
serve_cp="${BENCH_SERVE_CLASSPATH:-$root/backchannel-server/target/classes:$(cat "$root/backchannel-server/target/runtime-classpath.txt")}"
# start-up is measured through ./backchannel, as a user starts it (with its AOT cache); the build
# above is current, so the launcher must not build again
launcher=()
if [ -z "${BENCH_SERVE_CLASSPATH:-}" ]; then
  touch "$root/backchannel-server/target/classes/.built"
  launcher=(--launcher="$root/backchannel")
fi
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -cp "$cp")
for a in "${args[@]}"; do
  if [ "$a" = "--help" ] || [ "$a" = "-h" ]; then
    exec "${java[@]}" org.backchannel.bench.External --help
  fi
done

tmp="$(mktemp -d /tmp/backchannel-external.XXXXXX)"
rm -f "$out"/*.log.~*~
chmod 755 "$tmp"
pg_ctl_cmd=()
redis_pid_file=""
cleanup() {
  set +e
  if [ ${#pg_ctl_cmd[@]} -gt 0 ]; then "${pg_ctl_cmd[@]}" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1; fi
  if [ -n "$redis_pid_file" ] && [ -f "$redis_pid_file" ]; then
    kill "$(cat "$redis_pid_file")" 2>/dev/null
    for _ in $(seq 50); do [ -f "$redis_pid_file" ] || break; sleep 0.1; done
  fi
  # keep the processes' logs of the last run beside its results
  find "$tmp/java" -name '*.log' -exec cp --backup=numbered {} "$out/" \; 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skipped=()
need() { # need TOOL DEBIAN_PACKAGE: installs the package when the tool is missing and we may
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing $2 (for $1)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >"$tmp/apt-$2.log" 2>&1 || true
  fi
  command -v "$1" >/dev/null 2>&1
}
free_port() { "$JAVA_HOME/bin/java" -cp "$cp" org.backchannel.bench.FreePort; }

# PostgreSQL: Debian's binaries, run as an ordinary user (initdb refuses root)
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$pg_bin" ]; then
  need psql postgresql || true
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
pg_args=()
if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$tmp" postgres
    as=(runuser -u postgres --)
    install -d -o postgres "$tmp/pg" "$tmp/pgsock"
  else
    mkdir -p "$tmp/pg" "$tmp/pgsock"
  fi
  pg_port="$(free_port)"
  "${as[@]}" "$pg_bin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 >"$tmp/initdb.log" 2>&1
  pg_ctl_cmd=("${as[@]}" "$pg_bin/pg_ctl")
  # durable: every commit waits for its WAL flush, as in production; nothing unlogged
  "${pg_ctl_cmd[@]}" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -t 60 \
    -o "-c port=$pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$tmp/pgsock -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=400 -c shared_buffers=256MB" \
    start >/dev/null
  pg_args=(--pg-url="jdbc:postgresql://127.0.0.1:$pg_port/postgres?user=postgres" --pg-pid-file="$tmp/pg/postmaster.pid")
  echo "bench: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (fsync on, synchronous_commit on)" >&2
else
  echo "bench: PostgreSQL is missing (apt-get install postgresql): Backchannel on PostgreSQL, graphile-worker and db-scheduler are skipped" >&2
  skipped+=("graphile-worker=PostgreSQL is not installed" "db-scheduler=PostgreSQL is not installed")
fi

# Redis for BullMQ: Debian's redis-server, append-only file flushed every second
redis_args=()
if need redis-server redis-server; then
  redis_port="$(free_port)"
  mkdir -p "$tmp/redis"
  redis_pid_file="$tmp/redis/redis.pid"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$tmp/redis" --appendonly yes \
    --appendfsync everysec --save "" --daemonize yes --pidfile "$redis_pid_file" \
    --logfile "$tmp/redis/redis.log"
  for _ in $(seq 100); do [ -s "$redis_pid_file" ] && break; sleep 0.1; done
  redis_args=(--redis-port="$redis_port" --redis-pid-file="$redis_pid_file")
else
  echo "bench: redis-server is missing (apt-get install redis-server): BullMQ is skipped" >&2
  skipped+=("bullmq=redis-server is not installed")
fi

# the Node peers, from the lock file
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  if ! (cd "$root/bench/peers" && npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1); then
    echo "bench: npm ci failed in bench/peers (see below): graphile-worker and BullMQ are skipped" >&2
    tail -n 20 "$tmp/npm.log" >&2
    skipped+=("graphile-worker=npm ci failed" "bullmq=npm ci failed")
  fi
else
  echo "bench: node and npm are missing (apt-get install nodejs npm): graphile-worker and BullMQ are skipped" >&2
  skipped+=("graphile-worker=node is not installed" "bullmq=node is not installed")
fi

skip_arg="$(IFS=';'; echo "${skipped[*]:-}")"
# serve's JVM options: its launchers' own, unless given (--serve-java-options=...)
java_options=(--serve-java-options="${BACKCHANNEL_JAVA_OPTIONS[*]}")
for a in "${args[@]}"; do [[ "$a" == --serve-java-options=* ]] && java_options=(); done
mkdir -p "$tmp/java"   # the load client's data dirs and logs, removed with the rest
"${java[@]}" -Djava.io.tmpdir="$tmp/java" org.backchannel.bench.External --out="$out/external.json" \
  --serve-classpath="$serve_cp" "${java_options[@]}" --peers-dir="$root/bench/peers" --skipped="$skip_arg" \
  "${pg_args[@]}" "${redis_args[@]}" "${launcher[@]}" "${args[@]}" 2>"$out/external.log"
"${java[@]}" org.backchannel.bench.ExternalReport "$out/external.json" "$root/docs/BENCHMARKS.md" \
  "${BENCH_NOTE:-}"
