# Sourced by ./leakhound and ./run-tests: picks a JDK 21+ for building and running Leakhound
# and exports JAVA_HOME for this process only. Nothing on the machine is changed.
#
# Order: $LEAKHOUND_JAVA_HOME (if set, it must be 21+), then the newest JDK 21+ among $JAVA_HOME,
# the `java` on PATH and the usual install folders. A full JDK (with javac) is preferred, since the
# first run builds the project.

leakhound_jdk_major() { # $1 = JDK home; prints the feature version, or nothing
  local home=$1 v=""
  [ -x "$home/bin/java" ] || return 0
  if [ -r "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  v=${v#1.}
  v=${v%%[.+-]*}
  case "$v" in ''|*[!0-9]*) return 0 ;; esac
  echo "$v"
}

leakhound_find_jdk() {
  local candidates=() home best="" best_major=0 major java_on_path
  if [ -n "${LEAKHOUND_JAVA_HOME:-}" ]; then
    major=$(leakhound_jdk_major "$LEAKHOUND_JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$LEAKHOUND_JAVA_HOME" LEAKHOUND_JAVA_MAJOR="$major"
      leakhound_quiet_maven
      return 0
    fi
    echo "leakhound: LEAKHOUND_JAVA_HOME=$LEAKHOUND_JAVA_HOME is not a JDK 21 or newer" >&2
    return 1
  fi
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if java_on_path=$(command -v java 2>/dev/null); then
    java_on_path=$(readlink -f "$java_on_path" 2>/dev/null || echo "$java_on_path")
    candidates+=("$(dirname "$(dirname "$java_on_path")")")
  fi
  for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*/jdk* \
              "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
              /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] && candidates+=("$home")
  done
  for home in "${candidates[@]}"; do
    major=$(leakhound_jdk_major "$home")
    [ -n "$major" ] || continue
    [ -x "$home/bin/javac" ] || continue
    if [ "$major" -gt "$best_major" ]; then best=$home; best_major=$major; fi
  done
  if [ -z "$best" ] || [ "$best_major" -lt 21 ]; then
    echo "leakhound: no JDK 21 or newer found (looked at JAVA_HOME, the java on PATH and /usr/lib/jvm)." >&2
    echo "leakhound: install one (JDK 25 recommended) or point LEAKHOUND_JAVA_HOME at it." >&2
    return 1
  fi
  export JAVA_HOME="$best" LEAKHOUND_JAVA_MAJOR="$best_major"
  leakhound_quiet_maven
}

# Maven's own libraries use sun.misc.Unsafe, which JDK 24+ warns about on every run.
leakhound_quiet_maven() {
  if [ "${LEAKHOUND_JAVA_MAJOR:-0}" -ge 24 ]; then
    case " ${MAVEN_OPTS:-} " in
      *sun-misc-unsafe-memory-access*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
