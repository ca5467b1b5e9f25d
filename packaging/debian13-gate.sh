#!/bin/bash
# The .deb on Debian 13: installed with apt (which pulls Debian 13's own nodejs), `svcroute check`
# on the installed manifest, `check --with-daemon` judged by Debian 13's FRR 10.3 and BIRD 3.1
# parsers, then purged without leftovers. It runs in an overlay over the lab's Debian 13 root
# (test/roots.sh builds it: frr, frr-pythontools, bird3), so the shared root stays as it was.
#   packaging/debian13-gate.sh DEB        (root; gates.sh runs it)
set -uo pipefail
DEB=${1:?usage: debian13-gate.sh DEB}
ROOT=${SVCROUTE_TRIXIE_ROOT:-/var/cache/svcroute/trixie-root}
[ "$(id -u)" = 0 ] || { echo "   debian13-gate.sh: run as root" >&2; exit 2; }
[ -x "$ROOT/usr/bin/apt-get" ] || { echo "   no Debian 13 root at $ROOT: npm run setup builds it (test/roots.sh build)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/svcroute-debian13-gate.XXXXXX)
merged=$work/merged
mkdir -p "$work/upper" "$work/work" "$merged"
cleanup() {
	for m in "$merged/proc" "$merged"; do mountpoint -q "$m" && umount "$m"; done
	# nothing is mounted in it any more (the root's own /tmp mount is not part of an overlay)
	mountpoint -q "$merged" || rm -rf "$work"
}
trap cleanup EXIT
mount -t overlay overlay -o "lowerdir=$ROOT,upperdir=$work/upper,workdir=$work/work" "$merged" || exit 1
mount -t proc proc "$merged/proc" || exit 1
in_root() { chroot "$merged" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
say() { sed 's/^/   /'; }

rc=0
cp "$DEB" "$merged/tmp/svcroute.deb"
echo "   root: $(in_root dpkg-query -W -f '${Package} ${Version}  ' frr bird3)"
in_root apt-get update -qq 2>&1 | say
if ! in_root apt-get install -y -q --no-install-recommends /tmp/svcroute.deb >"$work/install.log" 2>&1; then
	tail -n 20 "$work/install.log" | say
	echo "   apt-get install ./svcroute.deb failed" >&2
	exit 1
fi
echo "   installed: $(in_root dpkg-query -W -f '${Package} ${Version}  ' svcroute nodejs)"
# Debian 13's frr keeps /etc/frr at 0700 with its own dpkg-statoverride: svcroute widens it to
# 2770 (its group writes frr.conf) and purge puts frr's override back
frr_before=$(in_root dpkg-statoverride --list /etc/frr)
in_root dpkg-statoverride --list /etc/frr | grep -qx 'frr frr 2770 /etc/frr' && [ "$(in_root stat -c %a /etc/frr)" = 2770 ] ||
	{ echo "   /etc/frr is not 2770 after the install: $(in_root stat -c %a /etc/frr), override '$frr_before'" >&2; rc=1; }
echo "   /etc/frr: $(in_root stat -c '%a %U:%G' /etc/frr) (override '$frr_before')"
node=$(in_root node --version)
case $node in v20.* | v22.*) echo "   Debian 13's nodejs: $node" ;; *) echo "   unexpected nodejs $node" >&2; rc=1 ;; esac
v=$(in_root svcroute --version) || rc=1
echo "   svcroute --version: $v"
in_root svcroute check /etc/svcroute/svcroute.yaml 2>&1 | say
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "   svcroute check failed" >&2; rc=1; }

# the installed CLI renders for, and is judged by, Debian 13's own daemons
for daemon in frr bird; do
	cat >"$merged/tmp/$daemon.yaml" <<EOF
version: 1
daemon: $daemon
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000, password_file: /tmp/tor1.key}
policy: {allowed_prefixes: [192.0.2.0/24], accept: default-only}
services:
  - {name: dns, prefixes: [192.0.2.53/32], on_failure: deprefer}
EOF
	chmod 0600 "$merged/tmp/$daemon.yaml"
	echo "gate-md5-key" >"$merged/tmp/tor1.key"
	chmod 0600 "$merged/tmp/tor1.key"
	out=$(in_root svcroute check --with-daemon --drop-ins none --manifest "/tmp/$daemon.yaml" 2>&1)
	code=$?
	printf '%s\n' "$out" | tail -n 3 | say
	[ $code -eq 0 ] || { echo "   check --with-daemon ($daemon) exited $code" >&2; rc=1; }
done
# BIRD 3.1 wants the password's algorithm named; the version-aware render says it
in_root svcroute render --manifest /tmp/bird.yaml --drop-ins none | grep -q '^  authentication md5;$' ||
	{ echo "   the render for BIRD 3.1 lacks 'authentication md5;'" >&2; rc=1; }

in_root apt-get purge -y -q svcroute >"$work/purge.log" 2>&1 || { tail -n 20 "$work/purge.log" | say; rc=1; }
for p in /etc/svcroute /usr/lib/svcroute /var/lib/svcroute /var/cache/svcroute /usr/bin/svcroute /lib/systemd/system/svcroute.service /usr/share/doc/svcroute; do
	[ -e "$merged$p" ] && { echo "   left behind: $p" >&2; rc=1; }
done
in_root dpkg-query -W svcroute >/dev/null 2>&1 && { echo "   dpkg still knows svcroute" >&2; rc=1; }
frr_after=$(in_root dpkg-statoverride --list /etc/frr)
[ "$frr_after" = "frr frr 700 /etc/frr" ] && [ "$(in_root stat -c %a /etc/frr)" = 700 ] ||
	{ echo "   /etc/frr after the purge: $(in_root stat -c %a /etc/frr), override '$frr_after' (frr's own is 'frr frr 700 /etc/frr')" >&2; rc=1; }
[ $rc -eq 0 ] && echo "   purged: nothing left behind"
exit $rc
