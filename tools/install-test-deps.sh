# Sourced by ./run-tests (and so by .ci/run): installs what the tests need from the system when it is missing,
# with Debian's apt, as root or through `sudo -n`:
#   prometheus                      promtool and the server (the alert rules' unit tests, the end-to-end test)
#   chromium, chromium-driver       headless Chromium (the browser tests of the pages)
# Already installed (a `command -v` per tool): nothing is done, no time is spent. LEAKHOUND_NO_INSTALL=1: apt is
# never touched. When an install fails, the variable the tests read says why (LEAKHOUND_NO_PROMTOOL,
# LEAKHOUND_NO_CHROMIUM), one loud line is printed, and those tests are skipped, also in CI: the registry is out of
# reach. When nothing can be installed (not root, no sudo, or LEAKHOUND_NO_INSTALL), the tests skip loudly
# outside CI and fail in CI (LEAKHOUND_CI or CI set), where the tools must be there.
# Run directly (tools/install-test-deps.sh) it installs and reports, but exports nothing to its caller.

leakhound_apt() { # $1 = seconds it may take, then apt-get's arguments; as root, or through sudo -n
  local seconds=$1 run=()
  shift
  [ "$(id -u)" -eq 0 ] || run=(sudo -n)
  # The dpkg lock may be held by another install (another checkout's tests): waited for, within the timeout.
  "${run[@]}" timeout "$seconds" env DEBIAN_FRONTEND=noninteractive \
    apt-get -q -o DPkg::Lock::Timeout=300 "$@" </dev/null
}

leakhound_can_install() {
  [ "$(id -u)" -eq 0 ] && return 0
  command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1
}

# $1 = the variable that tells the tests why they cannot run, $2 = what they are, $3 = packages (space-separated),
# then the commands that must be found once the packages are there.
leakhound_need() {
  local reason_var=$1 what=$2 packages=$3 cmd missing="" log status
  shift 3
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
  done
  [ -z "$missing" ] && return 0
  if [ -n "${LEAKHOUND_NO_INSTALL:-}" ]; then
    echo "!!! install-test-deps: no$missing and LEAKHOUND_NO_INSTALL is set: $what are SKIPPED (they fail in CI)" >&2
    return 0
  fi
  if ! leakhound_can_install; then
    echo "!!! install-test-deps: no$missing, and not root nor sudo -n to install $packages: $what are SKIPPED (they fail in CI)" >&2
    return 0
  fi
  echo "install-test-deps: installing $packages (for $what; LEAKHOUND_NO_INSTALL=1 leaves apt alone)" >&2
  log=$(mktemp "${TMPDIR:-/tmp}/leakhound-apt-XXXXXX")
  status=0
  # shellcheck disable=SC2086 # $packages is a list
  { leakhound_apt 900 install -y --no-install-recommends $packages >"$log" 2>&1 \
      || { leakhound_apt 300 update >>"$log" 2>&1 \
           && leakhound_apt 900 install -y --no-install-recommends $packages >>"$log" 2>&1; }; } || status=$?
  if [ "$status" -ne 0 ]; then
    export "$reason_var"="apt-get install $packages failed (exit $status; is Debian's registry reachable?): $(grep -E '^(E|W|Err):' "$log" | tail -n 1)"
    echo "!!! install-test-deps: could not install $packages: $what are SKIPPED. ${!reason_var}" >&2
  else
    for cmd in "$@"; do
      if ! command -v "$cmd" >/dev/null 2>&1; then
        export "$reason_var"="apt-get installed $packages but $cmd is not on PATH"
        echo "!!! install-test-deps: ${!reason_var}: $what are SKIPPED" >&2
      fi
    done
  fi
  rm -f "$log"
}

# apt may start the Prometheus server and node exporter (where an init system runs): only the binaries are wanted,
# on ports the tests choose. Stopped and disabled right after our own install, never a server someone runs.
leakhound_stop_prometheus_services() {
  local unit run=()
  [ "$(id -u)" -eq 0 ] || run=(sudo -n)
  for unit in prometheus prometheus-node-exporter; do
    if [ -d /run/systemd/system ]; then
      "${run[@]}" systemctl disable --now "$unit" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$unit" ]; then
      "${run[@]}" "/etc/init.d/$unit" stop >/dev/null 2>&1 || true
    fi
  done
}

leakhound_install_test_deps() {
  local had_promtool=0
  command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && had_promtool=1
  leakhound_need LEAKHOUND_NO_PROMTOOL "the Prometheus tests" prometheus promtool prometheus
  if [ "$had_promtool" -eq 0 ] && command -v prometheus >/dev/null 2>&1; then
    leakhound_stop_prometheus_services
  fi
  leakhound_need LEAKHOUND_NO_CHROMIUM "the browser tests" "chromium chromium-driver" chromium chromedriver
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  leakhound_install_test_deps
  echo "install-test-deps: promtool=$(command -v promtool || echo none) prometheus=$(command -v prometheus || echo none)" \
       "chromium=$(command -v chromium || echo none) chromedriver=$(command -v chromedriver || echo none)" >&2
fi
