#!/bin/sh
# The rpm's %post, %triggerin and %postun on the config directories, run for real on this
# (Debian) machine: in a private mount namespace, empty stand-ins are mounted over /etc/frr,
# /etc/bird, /var/lib/svcroute and /var/cache, and usermod, gpasswd and systemctl are stubs, so
# nothing outside is touched. Needs root and the svcroute user (the .deb installed).
#   packaging/tests/rpm-scriptlets.sh packaging/out/svcroute-<version>.noarch.rpm
set -eu
pkg=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rpm -qp --qf '%{POSTIN}' "$pkg" >"$work/post" 2>/dev/null
rpm -qp --qf '%{POSTUN}' "$pkg" >"$work/postun" 2>/dev/null
# the one trigger script (%triggerin -- frr, bird)
rpm -qp --qf '[%{TRIGGERSCRIPTS}\n@@@\n]' "$pkg" 2>/dev/null | sed '/^@@@$/,$d' >"$work/triggerin"
mkdir "$work/bin"
for stub in usermod gpasswd systemctl; do
	printf '#!/bin/sh\necho "%s $*" >>%s/calls\n' "$stub" "$work" >"$work/bin/$stub"
	chmod 755 "$work/bin/$stub"
done

export work
unshare -m --propagation private sh -eu <<'EOF'
mode() { stat -c '%a %U:%G' "$1"; }
expect() { # what, want, got
	if [ "$2" = "$3" ]; then echo "   ok    $1: $3"; else echo "   WRONG $1: $3 (want $2)"; exit 1; fi
}
for d in frr bird; do
	mkdir "$work/$d" && chown "$d:$d" "$work/$d" && chmod 0750 "$work/$d"
	mount --bind "$work/$d" "/etc/$d"
done
mkdir "$work/state"
mount --bind "$work/state" /var/lib/svcroute
mkdir "$work/cache"
mount --bind "$work/cache" /var/cache
mkdir -p /var/cache/svcroute/code && touch /var/cache/svcroute/code/check.cjs-1-2-3.v8 # what the CLI's runs leave
export PATH="$work/bin:$PATH"

sh "$work/post" 1
expect "%post: /etc/frr" "2770 frr:frr" "$(mode /etc/frr)"
expect "%post: /etc/bird" "2770 bird:bird" "$(mode /etc/bird)"
chmod 0750 /etc/frr && chmod g-s /etc/frr # what an frr upgrade does to the directory it owns
sh "$work/triggerin" 1 1
expect "%triggerin after an frr upgrade: /etc/frr" "2770 frr:frr" "$(mode /etc/frr)"
sh "$work/post" 2 # svcroute upgrade: nothing changes
expect "%post on upgrade: marker" "/etc/frr /etc/bird" "$(tr '\n' ' ' </var/lib/svcroute/rpm-config-dirs | sed 's/ $//')"
sh "$work/postun" 1
expect "%postun on upgrade: /etc/frr" "2770 frr:frr" "$(mode /etc/frr)"
expect "%postun on upgrade: the CLI's code cache" "there" "$([ -e /var/cache/svcroute/code ] && echo there || echo gone)"
sh "$work/postun" 0
expect "%postun on erase: /etc/frr" "750 frr:frr" "$(mode /etc/frr)"
expect "%postun on erase: /etc/bird" "750 bird:bird" "$(mode /etc/bird)"
expect "%postun on erase: marker" "gone" "$([ -e /var/lib/svcroute/rpm-config-dirs ] && echo there || echo gone)"
expect "%postun on erase: the CLI's code cache" "gone" "$([ -e /var/cache/svcroute ] && echo there || echo gone)"
EOF
