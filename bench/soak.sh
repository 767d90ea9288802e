#!/usr/bin/env bash
# The retention soak of bench/run (bench/run --soak [--quick] [--name=value ...]): serve, the
# receiver and the load client each their own process, on SQLite and on PostgreSQL (Debian's
# server, a fresh cluster with fsync and synchronous_commit on, started here and stopped on exit).
# Runs org.backchannel.bench.Soak: a baseline and a soak at a fixed rate, sampling the database's
# size and the delivery latency, and a purge of a backlog of expired deliveries under the same
# load; prints the tables and keeps them in backchannel-bench/target/bench/soak.{json,md}.
# Full runs (the defaults) take about 90 minutes per store: run them on a quiet machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
args=()
for a in "$@"; do
  case "$a" in
    # a smoke test of the harness, a few minutes: not the figures to quote
    --quick) args+=(--rate=200 --minutes=2 --retention=1m --purge-interval=20s --sample-seconds=20
      --backlog=20000 --backlog-minutes=1 --backlog-purge-interval=5s --backlog-sample-seconds=10) ;;
    *) args+=("$a") ;;
  esac
done

# shellcheck source=../.mvn/find-jdk.sh
source "$root/.mvn/find-jdk.sh"
backchannel_find_jdk || exit 1
cd "$root"
./mvnw -B -q -DskipTests -pl backchannel-bench -am package
bench="$root/backchannel-bench"
out="$bench/target/bench"
mkdir -p "$out"
cp="$bench/target/classes:$(cat "$bench/target/bench-classpath.txt")"
serve_cp="${BENCH_SERVE_CLASSPATH:-$root/backchannel-server/target/classes:$(cat "$root/backchannel-server/target/runtime-classpath.txt")}"
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -cp "$cp")
for a in "${args[@]}"; do
  if [ "$a" = "--help" ] || [ "$a" = "-h" ]; then
    exec "${java[@]}" org.backchannel.bench.Soak --help
  fi
done

tmp="$(mktemp -d /tmp/backchannel-soak.XXXXXX)"
chmod 755 "$tmp"
pg_ctl_cmd=()
cleanup() {
  set +e
  if [ ${#pg_ctl_cmd[@]} -gt 0 ]; then "${pg_ctl_cmd[@]}" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1; fi
  find "$tmp/java" -name '*.log' -exec cp --backup=numbered {} "$out/" \; 2>/dev/null
  # PostgreSQL's own log (checkpoints, autovacuum runs): what explains a stall in the windows
  cp --backup=numbered "$tmp/pg/server.log" "$out/soak-postgres.log" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL as bench/external.sh starts it: Debian's binaries, durable, as an ordinary user
pg_args=()
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$tmp" postgres
    as=(runuser -u postgres --)
    install -d -o postgres "$tmp/pg" "$tmp/pgsock"
  else
    mkdir -p "$tmp/pg" "$tmp/pgsock"
  fi
  pg_port="$("$JAVA_HOME/bin/java" -cp "$cp" org.backchannel.bench.FreePort)"
  "${as[@]}" "$pg_bin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 >"$tmp/initdb.log" 2>&1
  pg_ctl_cmd=("${as[@]}" "$pg_bin/pg_ctl")
  "${pg_ctl_cmd[@]}" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -t 60 \
    -o "-c port=$pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$tmp/pgsock -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200 -c shared_buffers=256MB -c log_checkpoints=on -c log_autovacuum_min_duration=0" \
    start >/dev/null
  pg_args=(--pg-url="jdbc:postgresql://127.0.0.1:$pg_port/postgres?user=postgres" --pg-pid-file="$tmp/pg/postmaster.pid")
  echo "bench: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (fsync on, synchronous_commit on)" >&2
else
  echo "bench: PostgreSQL is missing (apt-get install postgresql): the PostgreSQL runs are skipped" >&2
fi

# serve's JVM options: its launchers' own, unless given (--serve-java-options=...)
java_options=(--serve-java-options="${BACKCHANNEL_JAVA_OPTIONS[*]}")
for a in "${args[@]}"; do [[ "$a" == --serve-java-options=* ]] && java_options=(); done
mkdir -p "$tmp/java"
"${java[@]}" -Djava.io.tmpdir="$tmp/java" org.backchannel.bench.Soak --out="$out/soak.json" \
  --serve-classpath="$serve_cp" "${java_options[@]}" "${pg_args[@]}" "${args[@]}" 2>"$out/soak.log"
