#!/usr/bin/env bash
# A real JDK 21 for the tests: Debian trixie's openjdk-21-jdk-headless in a trixie chroot (it needs trixie's C
# library), offered as an ordinary JDK home whose bin/ tools run inside the chroot. Needs root (chroot, mounts).
#
#   tools/jdk21-chroot.sh [make]   make the chroot if missing (debootstrap, minutes), then print the JDK home
#   tools/jdk21-chroot.sh home     print the JDK home if the chroot is made, else exit 1
#   tools/jdk21-chroot.sh unmount  unmount anything still mounted under the chroot (none is left by the tools)
#   tools/jdk21-chroot.sh remove   unmount, then delete the chroot (refuses while anything is mounted in it)
#
# Where: $LEAKHOUND_JDK21_CHROOT, default /opt/leakhound-jdk21-chroot; the JDK home is DIR/leakhound-jdk (the tests
# look there, see leakhound-core's dev.leakhound.testing.OlderJdk). The Debian mirror is the one of apt's own
# sources ($LEAKHOUND_JDK21_MIRROR overrides it).
#
# Made from scratch here in 130 s (2 busy cores, packages fetched from the mirror; 635 MB on disk); when it
# exists, make takes well under a second.
#
# How a tool runs: DIR/leakhound-jdk/bin/NAME is a link to DIR/leakhound-jdk/run, which enters a mount namespace of
# its own (unshare), binds the chroot onto itself (a mount point, for the JDK's file stores), mounts proc, /dev, /sys, /tmp, $HOME and the working directory's top-level directory (or the
# working directory itself when that is a system directory like /usr) at the same paths inside the chroot, and
# replaces itself with DIR/usr/lib/jvm/java-21-openjdk-amd64/bin/NAME in the same working directory. Every step
# is an exec, so the process id a caller sees is the JVM's (jcmd and attach work from outside), and the mounts
# exist only in that namespace: they vanish with the process, nothing is ever mounted under DIR on the host, and
# a chroot whose tools are not running can be deleted like any directory. $LEAKHOUND_JDK21_SHARE (directories
# separated by ':') adds more.
set -euo pipefail

DIR=${LEAKHOUND_JDK21_CHROOT:-/opt/leakhound-jdk21-chroot}
JVM=/usr/lib/jvm/java-21-openjdk-amd64
HOME_DIR=$DIR/leakhound-jdk

say() { echo "jdk21-chroot: $*" >&2; }
die() { say "$*"; exit 1; }

# Mount points at or under $1 (deepest first), as the host sees them.
mounts_under() {
  local d
  d=$(readlink -f "$1" 2>/dev/null || echo "$1")
  awk -v d="$d" '{ p = $2; gsub(/\\040/, " ", p); if (p == d || index(p, d "/") == 1) print p }' /proc/self/mounts |
    sort -r
}

unmount_all() {
  local m
  [ -e "$1" ] || return 0
  while IFS= read -r m; do
    [ -n "$m" ] || continue
    say "unmounting $m"
    umount "$m" 2>/dev/null || umount -l "$m"
  done < <(mounts_under "$1")
}

# Deletes a chroot directory, never while anything is mounted under it (rm -rf would go into the host's files).
remove_dir() {
  local d=$1
  [ -e "$d" ] || return 0
  case "$(readlink -f "$d")" in /|/bin|/boot|/dev|/etc|/home|/lib*|/opt|/proc|/root|/run|/sbin|/srv|/sys|/tmp|/usr|/var|/work)
    die "refusing to delete $d" ;;
  esac
  unmount_all "$d"
  if [ -n "$(mounts_under "$d")" ]; then
    die "still mounted under $d, not deleting: $(mounts_under "$d" | tr '\n' ' ')"
  fi
  rm -rf --one-file-system -- "$d"
}

# The first Debian (not security) archive of apt's sources: deb822 .sources files, then one-line .list files.
mirror() {
  local f uri
  if [ -n "${LEAKHOUND_JDK21_MIRROR:-}" ]; then echo "$LEAKHOUND_JDK21_MIRROR"; return; fi
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    for uri in $(sed -n 's/^URIs:[[:space:]]*//p' "$f"); do
      case "$uri" in http://*/debian|https://*/debian|http://*/debian/|https://*/debian/) echo "${uri%/}"; return ;; esac
    done
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    uri=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(https\?:[^[:space:]]*\/debian\/\?\)[[:space:]].*/\2/p' "$f" | head -n 1)
    if [ -n "$uri" ]; then echo "${uri%/}"; return; fi
  done
  return 1
}

make_chroot() {
  local partial=$DIR.partial mirror_url started
  [ "$(id -u)" -eq 0 ] || die "making the chroot needs root"
  if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2; } \
      || die "cannot install debootstrap"
  fi
  mirror_url=$(mirror) || die "no Debian mirror in apt's sources (set LEAKHOUND_JDK21_MIRROR)"
  remove_dir "$partial"                       # an interrupted earlier run (debootstrap may have left mounts)
  mkdir -p "$(dirname "$DIR")"
  say "debootstrap trixie with openjdk-21-jdk-headless from $mirror_url into $partial (takes minutes)"
  started=$(date +%s)
  if ! debootstrap --variant=minbase --include=openjdk-21-jdk-headless trixie "$partial" "$mirror_url" >&2; then
    unmount_all "$partial"
    die "debootstrap failed (see $partial/debootstrap/debootstrap.log); tools/jdk21-chroot.sh remove cleans up"
  fi
  unmount_all "$partial"
  [ -x "$partial$JVM/bin/java" ] || die "debootstrap ended but $JVM/bin/java is not in $partial"
  mv "$partial" "$DIR"
  say "made $DIR in $(( $(date +%s) - started )) s"
}

# The JDK home: release, and bin/NAME -> ../run for every tool of the chroot's JDK. Rewritten on every make (cheap),
# each file replaced whole, so that a run in progress never sees half a script.
write_home() {
  local tmp tool
  mkdir -p "$HOME_DIR/bin"
  tmp=$(mktemp "$HOME_DIR/.run.XXXXXX")
  cat > "$tmp" <<'RUN'
#!/bin/sh
# Written by tools/jdk21-chroot.sh: runs the chroot's JDK 21 tool named like this link, in the caller's working
# directory, in a mount namespace of its own (its mounts vanish with the process; every step is an exec, so the
# caller sees the JVM's own process id).
here=$(cd "$(dirname "$0")/.." && pwd -P)
root=$(dirname "$here")
tool=$(basename "$0")
[ "$(id -u)" -eq 0 ] || { echo "leakhound-jdk: the JDK 21 chroot $root needs root" >&2; exit 125; }
exec unshare --mount --propagation private /bin/sh -c '
  set -e
  root=$1 tool=$2 wd=$3
  shift 3
  mount --bind "$root" "$root"  # the root a mount point: else the JDK finds no file store (getFileStore, free space)
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  share() {   # $1 at the same path inside, unless a system directory of the chroot would be hidden
    case "$1" in ""|/|/bin|/bin/*|/boot|/boot/*|/dev|/dev/*|/etc|/etc/*|/lib*|/proc|/proc/*|/run|/run/*|/sbin|/sbin/*|/sys|/sys/*|/usr|/usr/*|/var|/var/*) return 1 ;; esac
    [ -d "$1" ] || return 0
    mkdir -p "$root$1"
    mount --bind "$1" "$root$1"
  }
  share /tmp
  share "${HOME:-/root}" || true
  rest=${wd#/}
  top=/${rest%%/*}
  share "$top" || share "$wd" || true
  IFS=:
  for d in ${LEAKHOUND_JDK21_SHARE:-}; do share "$d" || true; done
  cd /
  exec chroot "$root" /usr/bin/env --chdir="$wd" /usr/lib/jvm/java-21-openjdk-amd64/bin/"$tool" "$@"
' leakhound-jdk "$root" "$tool" "$(pwd -P)" "$@"
RUN
  chmod 755 "$tmp"
  mv -f "$tmp" "$HOME_DIR/run"
  for tool in "$DIR$JVM"/bin/*; do
    ln -sfn ../run "$HOME_DIR/bin/$(basename "$tool")"
  done
  cp "$DIR$JVM/release" "$HOME_DIR/release.tmp" && mv -f "$HOME_DIR/release.tmp" "$HOME_DIR/release"
  if [ ! -e "$DIR/etc/hosts" ]; then           # minbase has none; localhost must resolve inside
    printf '127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname 2>/dev/null || echo localhost)" \
      > "$DIR/etc/hosts"
  fi
}

case "${1:-make}" in
  make)
    if [ ! -x "$DIR$JVM/bin/java" ]; then
      [ ! -e "$DIR" ] || die "$DIR exists but holds no $JVM/bin/java: remove it first (tools/jdk21-chroot.sh remove)"
      make_chroot
    fi
    [ "$(id -u)" -eq 0 ] || die "the chroot's tools need root"
    write_home
    "$HOME_DIR/bin/java" -version >/dev/null 2>&1 || die "$HOME_DIR/bin/java -version failed: $("$HOME_DIR/bin/java" -version 2>&1 | tail -n 3)"
    echo "$HOME_DIR"
    ;;
  home)
    [ -x "$HOME_DIR/bin/java" ] && [ -x "$DIR$JVM/bin/java" ] || exit 1
    echo "$HOME_DIR"
    ;;
  unmount)
    unmount_all "$DIR"
    unmount_all "$DIR.partial"
    ;;
  remove)
    remove_dir "$DIR.partial"
    remove_dir "$DIR"
    ;;
  *)
    echo "usage: tools/jdk21-chroot.sh [make|home|unmount|remove]" >&2
    exit 2
    ;;
esac
