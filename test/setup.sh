#!/bin/sh
# Installs what the test suites need on a fresh Debian 12 machine (idempotent: skips what is
# present) and the npm dependencies. Run as root; the lab suites create network namespaces.
set -eu
cd "$(dirname "$0")/.."

PKGS="frr frr-pythontools bird2 iproute2 jq exabgp gobgpd openssl procps util-linux"
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

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
