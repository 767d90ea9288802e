# Finds a JDK >= 21 and exports JAVA_HOME: JAVA_HOME first, then java on PATH, then /usr/lib/jvm/*.
# Sourced by ./mvnw and ./backchannel.

backchannel_jdk_version() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
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
      return 0
    fi
  done
  echo "Backchannel needs a JDK 21 or newer (java and javac). Looked at JAVA_HOME, the javac on PATH and /usr/lib/jvm/*; none is 21+." >&2
  echo "Install one (e.g. 'apt-get install -y openjdk-21-jdk-headless' or a Temurin 21+) or set JAVA_HOME to it." >&2
  return 1
}
