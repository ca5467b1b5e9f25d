#!/bin/bash
# A bootable Debian root for the systemd gates (packaging/systemd-gates.sh): systemd as PID 1,
# FRR and BIRD 2 (both disabled: each gate enables the one it uses), the distribution's nodejs,
# Ansible and Puppet. Built with debootstrap from the host's Debian mirror and cached; a root
# built with the same package list is reused. Separate from the minbase daemon roots.
#   packaging/systemd-root.sh bookworm|trixie      → prints the root's path
# Debian 12: ~3 min and ~750 MB the first time; Debian 13 alike.
set -euo pipefail
suite=${1:?usage: systemd-root.sh bookworm|trixie}
case $suite in bookworm | trixie) ;; *) echo "systemd-root.sh: no root for $suite" >&2; exit 2 ;; esac
CACHE=${SVCROUTE_ROOT_CACHE:-/var/cache/svcroute}
root=$CACHE/systemd-$suite
PACKAGES="systemd systemd-sysv dbus iproute2 procps frr frr-pythontools bird2 nodejs adduser ansible-core python3-apt puppet"

if [ -f "$root/.svcroute-root" ] && [ "$(cat "$root/.svcroute-root")" = "$PACKAGES" ]; then
	echo "$root"
	exit 0
fi

mirror() { # the host's Debian mirror: the first non-security URI of its apt sources
	{ grep -hsE '^\s*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list || true; } |
		{ grep -v security || true; } | { grep -oE '(https?|file)://[^ ]+' || true; } | head -n 1
}

command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
m=${MIRROR:-$(mirror)}
[ -n "$m" ] || { echo "systemd-root.sh: no Debian mirror in the apt sources; set MIRROR" >&2; exit 1; }
t0=$(date +%s)
work=$root.build
mountpoint -q "$work/proc" && umount "$work/proc"
rm -rf "$work"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus "$suite" "$work" "$m" >&2
# nothing starts while packages are installed
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod 755 "$work/usr/sbin/policy-rc.d"
mount -t proc proc "$work/proc"
trap 'mountpoint -q "$work/proc" && umount "$work/proc"' EXIT
chroot "$work" apt-get update -qq >&2
# shellcheck disable=SC2086 # the package list
DEBIAN_FRONTEND=noninteractive chroot "$work" apt-get install -y -q --no-install-recommends $PACKAGES >&2
umount "$work/proc"
rm -f "$work/usr/sbin/policy-rc.d"
# the gates enable the routing daemon they need; nothing else that listens or waits for a network
chroot "$work" systemctl disable frr.service bird.service >/dev/null 2>&1 || true
chroot "$work" systemctl mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
chroot "$work" apt-get clean
echo "svcroute-gate" >"$work/etc/hostname"
echo "$PACKAGES" >"$work/.svcroute-root"
rm -rf "$root"
mv "$work" "$root"
echo "systemd-root.sh: built $root in $(($(date +%s) - t0)) s ($(du -sh "$root" | cut -f1)): $(chroot "$root" dpkg-query -W -f '${Package} ${Version}  ' systemd frr bird2 nodejs)" >&2
echo "$root"
