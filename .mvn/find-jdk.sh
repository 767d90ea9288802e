# Finds a JDK >= 21 and exports JAVA_HOME: JAVA_HOME first, then java on PATH, then /usr/lib/jvm/*.
# Sourced by ./mvnw, ./backchannel and the launchers of the release archive and the image.

backchannel_jdk_version() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/javac" ] || return 0
  backchannel_java_version "$1"
}

backchannel_java_version() { # the same for any Java runtime at $1 (the image has no javac)
  [ -x "$1/bin/java" ] || return 0
  # The JDK's release file says it without starting a JVM (a few hundred ms per launch).
  local full
  full="$(backchannel_release_version "$1")"
  if [ -n "$full" ]; then
    echo "${full%%.*}"
    return 0
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

backchannel_release_version() { # the runtime at $1's whole version (21.0.5) from its release file
  [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9][0-9.]*\).*/\1/p' "$1/release" | head -n 1
}

backchannel_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    v="$(backchannel_jdk_version "$c")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then
      export JAVA_HOME="$c"
      export PATH="$JAVA_HOME/bin:$PATH"
      backchannel_footprint_options
      return 0
    fi
  done
  echo "Backchannel needs a JDK 21 or newer (java and javac). Looked at JAVA_HOME, the javac on PATH and /usr/lib/jvm/*; none is 21+." >&2
  echo "Install one (e.g. 'apt-get install -y openjdk-21-jdk-headless' or a Temurin 21+) or set JAVA_HOME to it." >&2
  return 1
}

# The JVM options every start of Backchannel takes; its AOT cache must be made with the same ones.
# backchannel_find_jdk (and the image's launcher) add backchannel_footprint_options to them.
BACKCHANNEL_JAVA_OPTIONS=(--enable-native-access=ALL-UNNAMED)

# Adds to BACKCHANNEL_JAVA_OPTIONS what keeps an idle serve small on the JVM at JAVA_HOME (each
# measured in docs/BENCHMARKS-CHANGES.md). G1 collects once when no collection has run for 5 s, so
# an idle serve shrinks its heap and gives it back (about 25 MB); under load collections come far
# more often and it never fires. The C heap that the JIT's compilers have freed goes back to the
# system every 5 s (a flag of JDK 21.0.1 and later; 35 MB).
backchannel_footprint_options() {
  BACKCHANNEL_JAVA_OPTIONS+=(-XX:G1PeriodicGCInterval=5000)
  local version major minor patch
  version="$(backchannel_release_version "$JAVA_HOME")" # none without a release file: no flag
  IFS=. read -r major minor patch <<<"${version:-0}"
  if [ "${major:-0}" -gt 21 ] || { [ "${major:-0}" -eq 21 ] && [ "${minor:-0}${patch:-0}" != 00 ]; }; then
    BACKCHANNEL_JAVA_OPTIONS+=(-XX:TrimNativeHeapInterval=5000)
  fi
}

# JVM options that let `serve` start from an ahead-of-time cache. On JDK 25+ the JDK's AOT cache:
# the first start records what it loads (written as it stops), the next one makes the cache from
# that record (a few seconds, once) and every later start maps it. On 21-24 a CDS archive the JVM
# keeps up to date itself. One cache per build (named from the jars' sizes and times) in
# BACKCHANNEL_CACHE_DIR (default ~/.cache/backchannel); nothing when that cannot be written or
# BACKCHANNEL_AOT=off. The class path must be jars only and given exactly as java gets it.
# Prints one option per line.
backchannel_aot_options() { # $1: the class path; the rest: its jars
  [ "${BACKCHANNEL_AOT:-on}" = off ] && return 0
  local classpath="$1" dir v key
  shift
  dir="${BACKCHANNEL_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/backchannel}"
  { mkdir -p "$dir" && [ -w "$dir" ]; } 2>/dev/null || return 0
  v="$(backchannel_java_version "$JAVA_HOME")"
  [ -n "$v" ] || return 0
  key="$(stat -c '%n %s %Y' "$@" 2>/dev/null | cksum | cut -d' ' -f1)"
  if [ "$v" -lt 25 ]; then
    echo "-XX:+AutoCreateSharedArchive"
    echo "-XX:SharedArchiveFile=$dir/serve-$key-jdk$v.jsa"
    return 0
  fi
  local cache="$dir/serve-$key-jdk$v.aot" record="$dir/serve-$key-jdk$v.aotconf"
  if [ ! -s "$cache" ] && [ -s "$record" ]; then
    echo "backchannel: making the start-up cache from the first start (once)..." >&2
    "$JAVA_HOME/bin/java" "${BACKCHANNEL_JAVA_OPTIONS[@]}" -XX:AOTMode=create \
      -XX:AOTConfiguration="$record" -XX:AOTCache="$cache" -cp "$classpath" \
      >"$dir/create.log" 2>&1 || rm -f "$cache"
    rm -f "$record"
  fi
  echo "-Xlog:aot*=error" # what it skips and why is not the operator's concern
  if [ -s "$cache" ]; then
    echo "-XX:AOTCache=$cache"
  else
    echo "-XX:AOTMode=record"
    echo "-XX:AOTConfiguration=$record"
  fi
}
