#!/bin/sh
# The packaged service under a real systemd: Debian 12 and 13 roots (packaging/systemd-root.sh,
# built and cached on first use) boot with systemd-nspawn in lab network namespaces beside an FRR
# ToR, and test/systemd/ installs the .deb in them and drives it (vitest project "systemd").
# Needs root and the .deb of `npm run package` (built when missing). On a shared machine run it
# under the lab lock like every lab suite: flock /tmp/svcroute-lab.lock sh packaging/systemd-gates.sh. vitest.systemd.config.ts writes its JSON report to
# node_modules/.cache/svcroute/vitest-systemd.json.
#   packaging/systemd-gates.sh
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "systemd-gates.sh: run as root" >&2; exit 2; }
t0=$(date +%s)
command -v systemd-nspawn >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd-container >/dev/null; }
ls packaging/out/svcroute_*_all.deb >/dev/null 2>&1 || npm run -s package
for suite in bookworm trixie; do bash packaging/systemd-root.sh "$suite" >/dev/null; done
echo "systemd-gates.sh: roots ready after $(($(date +%s) - t0)) s"
rc=0
npx vitest run --config vitest.systemd.config.ts || rc=$?
echo "systemd-gates.sh: $(($(date +%s) - t0)) s in all"
exit $rc
