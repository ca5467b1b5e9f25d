#!/bin/sh
# Install the packaging and gate tools that are missing, from Debian's archive, without
# recommended packages. Idempotent: a tool already on PATH is left alone.
#   packaging/tools.sh [tool ...]      (no argument: every tool the gates use)
set -eu

pkg_for() {
	case "$1" in
	dpkg-deb) echo dpkg ;;
	rpmbuild) echo rpm ;;
	rpmlint) echo rpmlint ;;
	lintian) echo lintian ;;
	help2man) echo help2man ;;
	man) echo man-db ;;
	ansible-playbook) echo ansible-core ;;
	ansible-lint) echo ansible-lint ;;
	puppet) echo puppet ;;
	systemd-analyze) echo systemd ;;
	puppet-lint) echo puppet-lint ;;
	python3-apt) echo python3-apt ;; # what Ansible's apt module imports
	python3-seccomp) echo python3-seccomp ;; # tests/unit-sandbox.py: the units' system-call filter
	*) echo "tools.sh: unknown tool $1" >&2; return 1 ;;
	esac
}

present() {
	case "$1" in
	python3-apt) /usr/bin/python3 -c 'import apt' >/dev/null 2>&1 ;;
	python3-seccomp) /usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1 ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

[ $# -gt 0 ] || set -- dpkg-deb rpmbuild rpmlint lintian help2man man ansible-playbook ansible-lint \
	python3-apt python3-seccomp puppet puppet-lint systemd-analyze
missing=""
for tool in "$@"; do
	present "$tool" || missing="$missing $(pkg_for "$tool")"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "tools.sh: missing packages:$missing (install them, or run this as root on Debian/Ubuntu)" >&2
	exit 1
fi
echo "tools.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# An update only when the package lists are absent or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mtime -1 2>/dev/null | head -n 1)" ]; then
	apt-get update -qq
fi
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y -qq --no-install-recommends $missing >/dev/null
