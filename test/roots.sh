#!/bin/sh
# The Debian 13 (trixie) root filesystems the lab's daemon sets run their FRR and BIRD from, with
# chroot, on this Debian 12 machine (test/lab/harness/daemon-sets.ts names them):
#   trixie-root         frr + frr-pythontools (FRR 10.3), bird3 (BIRD 3.1)
#   trixie-root-bird2   frr + frr-pythontools, bird2 (BIRD 2.17)
# They live outside the checkout in /var/cache/svcroute and are built once: a stamp beside each
# root holds the hash of its package list and recipe, and only a change of those rebuilds it. Root
# only; the Debian mirror is this machine's own (its apt sources), or $MIRROR.
#
#   test/roots.sh build        build the roots that are missing or outdated (`npm run setup` does)
#   test/roots.sh mount ROOT   bind this machine's /tmp to ROOT/tmp and mount ROOT/proc, unless they are
#   test/roots.sh status       the roots, their package versions and mounts
#
# Facts the lab relies on (measured here):
# - Every lab file, socket and pid file lives under /tmp, so with /tmp bind-mounted the paths are the
#   same inside a root and outside: svcroute's chroot wrappers hand the root's vtysh, bgpd, bird and
#   frr-reload.py the very files it writes. Mounts are never taken down by the lab (other people's
#   labs may be using the root): they stay up until the next reboot.
# - A root is never deleted or copied while /tmp is mounted in it (rm or cp would descend into
#   this machine's /tmp): a rebuild happens beside it and replaces it only when no process runs
#   from it; otherwise the old root stays and `build` says so.
# - The roots have their own users: the frr user's uid differs from this machine's.
# - FRR 10 needs mgmtd, started before the other daemons; mgmtd and staticd take no -f.
set -eu
# functions keep their variables local: shared, remove_root's r once made a fresh build remove its result

DIR=${SVCROUTE_ROOTS_DIR:-/var/cache/svcroute}
SUITE=trixie
# bump when the way a root is made changes (not for comments)
RECIPE=1
MOUNT_LOCK=/run/svcroute-roots.lock
COMMON_PKGS="frr frr-pythontools iproute2"

packages_of() {
  case $1 in
    trixie-root) echo "$COMMON_PKGS bird3" ;;
    trixie-root-bird2) echo "$COMMON_PKGS bird2" ;;
    *) echo "unknown root $1" >&2; return 1 ;;
  esac
}

# what a copy of the base root must lose (bird2 and bird3 conflict)
removes_of() { [ "$1" = trixie-root-bird2 ] && echo "bird3-" || true; }

stamp_of() { printf '%s\n' "suite=$SUITE" "recipe=$RECIPE" "packages=$(packages_of "$1")" | sha256sum | cut -c1-16; }

# the host's Debian mirror: first non-security URI of the apt sources (deb822 or one-line format)
mirror() {
  if [ -n "${MIRROR:-}" ]; then echo "$MIRROR"; return; fi
  { grep -hsE '^\s*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list || true; } |
    { grep -v security || true; } | { grep -oE '(https?|file)://[^ ]+' || true; } | head -1
}

mounted() { mountpoint -q "$1"; }

# mount ROOT: idempotent, serialised with every other lab process (the harness calls this)
mount_root() {
  local r=$1
  [ -x "$r/usr/bin/apt-get" ] || { echo "roots.sh: no root at $r: run npm run setup" >&2; return 1; }
  flock "$MOUNT_LOCK" sh -c 'mountpoint -q "$1/tmp" || mount --bind /tmp "$1/tmp"; mountpoint -q "$1/proc" || mount -t proc proc "$1/proc"' sh "$r"
}

# processes whose root directory is inside ROOT
users_of() {
  local p
  for p in /proc/[0-9]*; do
    case $(readlink "$p/root" 2>/dev/null) in "$1" | "$1"/*) echo "${p#/proc/}" ;; esac
  done
}

# remove a root directory of our own making; refuses while anything is mounted in it
remove_root() {
  local r=$1
  [ -e "$r" ] || return 0
  if mounted "$r/proc"; then umount "$r/proc"; fi
  if mounted "$r/tmp"; then umount "$r/tmp"; fi
  if mounted "$r/tmp" || mounted "$r/proc"; then echo "roots.sh: $r still has mounts; not removing it" >&2; return 1; fi
  rm -rf "$r"
}

# installed version of each package in a root (empty when the root or package is missing)
versions_in() { chroot "$1" dpkg-query -W -f '${Package} ${Version}\n' $(packages_of "$(basename "$1")") 2>/dev/null || true; }

# a root built before stamps (by the recipe this script adapts) is adopted when its packages are all there
adoptable() {
  local r=$1 p
  [ -x "$r/usr/bin/apt-get" ] || return 1
  for p in $(packages_of "$(basename "$r")"); do
    chroot "$r" dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
  done
}

# copy a root without descending into mounts (./tmp and ./proc stay empty)
copy_root() {
  mkdir -p "$2"
  tar -C "$1" --exclude=./tmp/* --exclude=./proc/* -cf - . | tar -C "$2" -xpf -
}

build_one() {
  local name=$1 r=$DIR/$1 want t0 new base m rc busy
  want=$(stamp_of "$name")
  if [ "$(cat "$r.stamp" 2>/dev/null)" = "$want" ] && [ -x "$r/usr/bin/apt-get" ]; then
    echo "roots.sh: $name up to date ($(versions_in "$r" | awk '{printf "%s %s  ", $1, $2}'))"
    return 0
  fi
  if [ ! -e "$r.stamp" ] && adoptable "$r"; then
    echo "$want" > "$r.stamp"
    echo "roots.sh: $name adopted as built ($(versions_in "$r" | awk '{printf "%s %s  ", $1, $2}'))"
    return 0
  fi
  t0=$(date +%s)
  new=$r.new
  remove_root "$new"
  base=$DIR/trixie-root
  if [ "$name" != trixie-root ] && [ -x "$base/usr/bin/apt-get" ]; then
    # same base system; the packages differ
    copy_root "$base" "$new"
  else
    command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    m=$(mirror)
    [ -n "$m" ] || { echo "roots.sh: no Debian mirror in the apt sources; set MIRROR" >&2; return 1; }
    debootstrap --variant=minbase "$SUITE" "$new" "$m" >"$DIR/$name.build.log" 2>&1 || { tail -20 "$DIR/$name.build.log" >&2; return 1; }
    # a postinst starts nothing inside the root
    printf '#!/bin/sh\nexit 101\n' > "$new/usr/sbin/policy-rc.d"
    chmod 755 "$new/usr/sbin/policy-rc.d"
  fi
  mount -t proc proc "$new/proc"
  rc=0
  {
    chroot "$new" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive chroot "$new" apt-get install -y -q --no-install-recommends $(packages_of "$name") $(removes_of "$name") &&
      chroot "$new" apt-get clean
  } >>"$DIR/$name.build.log" 2>&1 || rc=$?
  umount "$new/proc"
  if [ $rc -ne 0 ]; then tail -20 "$DIR/$name.build.log" >&2; return $rc; fi
  if [ -e "$r" ]; then
    busy=$(users_of "$r")
    if [ -n "$busy" ]; then
      echo "roots.sh: $name is rebuilt at $new, but processes run from $r (pids $(echo $busy)); run npm run setup again when the labs are idle" >&2
      return 0
    fi
    mv "$r" "$r.old"
    remove_root "$r.old"
  fi
  mv "$new" "$r"
  echo "$want" > "$r.stamp"
  echo "roots.sh: built $name in $(($(date +%s) - t0)) s ($(versions_in "$r" | awk '{printf "%s %s  ", $1, $2}'))"
}

status() {
  local name r st mnt
  for name in trixie-root trixie-root-bird2; do
    r=$DIR/$name
    if [ ! -x "$r/usr/bin/apt-get" ]; then echo "$name: missing"; continue; fi
    st="stamp $(cat "$r.stamp" 2>/dev/null || echo none), want $(stamp_of "$name")"
    mnt="$(mounted "$r/tmp" && echo "tmp mounted" || echo "tmp not mounted")"
    echo "$name: $st; $mnt; $(versions_in "$r" | awk '{printf "%s %s  ", $1, $2}')"
  done
}

[ "$(id -u)" -eq 0 ] || { echo "roots.sh: run as root" >&2; exit 1; }
mkdir -p "$DIR"
case ${1:-} in
  build) build_one trixie-root && build_one trixie-root-bird2 ;;
  mount) mount_root "${2:?usage: roots.sh mount ROOT}" ;;
  status) status ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
