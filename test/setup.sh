#!/bin/sh
# Installs what the test suites need on a fresh Debian 12 machine (idempotent: skips what is
# present), the Debian 13 roots the lab's other daemon sets run from (test/roots.sh: built once,
# cached in /var/cache/svcroute) and the npm dependencies. Run as root; the lab suites create
# network namespaces.
set -eu
cd "$(dirname "$0")/.."

# stress-ng loads the cores for the lab's repeat runs (npm run test:lab -- --stress); debootstrap builds the roots;
# dnsmasq-base is the DNS server the dns check is proven against; systemd and python3 give the
# notification tests systemd-notify and a datagram socket to send to
PKGS="frr frr-pythontools bird2 iproute2 jq exabgp gobgpd openssl procps util-linux debootstrap stress-ng dnsmasq-base systemd python3"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages:$missing — run as root (or: sudo apt-get install -y$missing)" >&2
    exit 1
  fi
  echo "setup: installing$missing (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "setup: apt packages present:$(echo " $PKGS")"
fi

if [ "$(id -u)" -eq 0 ]; then
  t0=$(date +%s)
  sh test/roots.sh build
  echo "setup: Debian 13 roots ready in $(($(date +%s) - t0)) s"
else
  echo "setup: not root: the Debian 13 roots (test/roots.sh build) are not checked" >&2
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
