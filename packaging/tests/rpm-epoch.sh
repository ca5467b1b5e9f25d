#!/bin/sh
# What does the rpm's `Requires: nodejs >= 1:18.19` really accept? RHEL and Fedora ship nodejs
# with epoch 1 (RHEL 9: 1:16 by default, 1:18/1:20/1:22 as module streams), NodeSource with
# epoch 2. For each, a throw-away rpm database holds a stand-in nodejs (and shadow-utils, /bin/sh),
# and `rpm -i --test` says whether svcroute's dependencies are met.
#   packaging/tests/rpm-epoch.sh packaging/out/svcroute-<version>.noarch.rpm
set -eu
pkg=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fake() { # name epoch version [provides]
	cat >"$work/$1-$2-$3.spec" <<SPEC
Name: $1
Epoch: $2
Version: $3
Release: 1
Summary: stand-in for dependency tests
License: MIT
BuildArch: noarch
${4:+Provides: $4}
%description
stand-in
%files
SPEC
	rpmbuild -bb --quiet --define "_topdir $work/top" --define "_rpmdir $work/rpms" \
		--define "_build_name_fmt $1-$2-$3.rpm" "$work/$1-$2-$3.spec" >/dev/null 2>&1
	echo "$work/rpms/$1-$2-$3.rpm"
}

base=$(fake shadow-utils 2 4.9 /bin/sh)
fails=0
# epoch:version of nodejs, then whether svcroute must install (yes/no), then where it comes from
while read -r ev want origin; do
	epoch=${ev%%:*}
	version=${ev#*:}
	node=$(fake nodejs "$epoch" "$version")
	db="$work/db-$epoch-$version"
	mkdir -p "$db"
	rpm --dbpath "$db" --initdb
	rpm --dbpath "$db" -i --justdb --nodeps --noscripts "$base" "$node" 2>/dev/null # Debian's rpm warns about -i
	if rpm --dbpath "$db" -i --test --justdb --noscripts "$pkg" >"$work/out" 2>&1; then got=yes; else got=no; fi
	if [ "$got" = "$want" ]; then mark=ok; else mark=WRONG fails=$((fails + 1)); fi
	printf '  %-5s nodejs %-10s %-28s installs: %s\n' "$mark" "$ev" "($origin)" "$got"
	[ "$mark" = ok ] || sed 's/^/        /' "$work/out"
done <<'CASES'
1:16.20.2 no RHEL 9 default stream
1:18.18.2 no too old
1:18.20.4 yes RHEL 9 module nodejs:18
1:20.19.5 yes RHEL 9 module nodejs:20
1:22.16.0 yes RHEL 9 module nodejs:22
0:20.19.5 no epoch 0: no target distro
2:18.20.4 yes NodeSource
CASES
[ "$fails" -eq 0 ]
