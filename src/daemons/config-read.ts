// What a config svcroute wrote says it announces: FRR `network` statements; BIRD service statics
// that are not disabled. Pure (doctor compares it with what the daemon advertises).
import type { DaemonType } from "../manifest/types.js";

export function announcedInConfig(text: string, daemon: DaemonType): string[] {
  const out = new Set<string>();
  if (daemon === "frr") {
    for (const m of text.matchAll(/^\s+network (\S+)/gm)) out.add(m[1]!);
  } else {
    for (const m of text.matchAll(/^protocol static (svc[46]_\S+) \{\n([\s\S]*?)^\}/gm)) {
      const body = m[2]!;
      if (/^\s*disabled yes;/m.test(body)) continue;
      for (const r of body.matchAll(/^\s*route (\S+) blackhole;/gm)) out.add(r[1]!);
    }
  }
  return [...out].sort();
}

/**
 * Mask passwords for display (diff, parser evidence, logs): FRR `neighbor X password P` and BIRD
 * `password "P";`, wherever they appear in a line (parsers quote the offending line).
 */
export function maskSecrets(text: string): string {
  return text.replace(/(\bpassword\s+)"[^"\n]*"/g, '$1"<secret>"').replace(/(\bpassword\s+)(?!"|<secret>)[^\s;]+/g, "$1<secret>");
}
