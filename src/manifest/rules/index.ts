// Cross-field rules: small named functions over the merged raw manifest, one file per concern.
// They run even when the schema found problems (so every problem is reported at once), therefore
// they read the input defensively and skip what is not the right shape (the schema reports that part).
import { isObj, type RuleIssue } from "./raw.js";
import { prefixesWellFormed, prefixesInsideAllowed, uniqueNames, uniquePrefixes, communitiesInRange } from "./prefixes.js";
import { asnNotReserved, servicePeersKnown, peerEndpoints, routerIdDerivable, listenAddress, familiesCovered, birdMultihopBfd, daemonPaths, localPrefReachesIbgp } from "./peers.js";
import { timersSane } from "./timers.js";
import { checksCoherent, hooksCoherent } from "./checks.js";

export type { Path, RuleIssue } from "./raw.js";

const RULES = [
  asnNotReserved,
  prefixesWellFormed,
  prefixesInsideAllowed,
  uniqueNames,
  uniquePrefixes,
  servicePeersKnown,
  peerEndpoints,
  routerIdDerivable,
  timersSane,
  checksCoherent,
  communitiesInRange,
  hooksCoherent,
  daemonPaths,
  listenAddress,
  familiesCovered,
  birdMultihopBfd,
  localPrefReachesIbgp,
];

export function runRules(m: unknown): RuleIssue[] {
  if (!isObj(m)) return [];
  const out: RuleIssue[] = [];
  for (const rule of RULES) {
    try {
      out.push(...rule(m));
    } catch {
      // A rule tripping over malformed input adds nothing: the schema reports that input.
    }
  }
  return out;
}
