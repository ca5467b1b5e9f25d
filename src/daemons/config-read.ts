// What a config svcroute wrote says: what it announces (FRR `network` statements; BIRD service
// statics that are not disabled) and BIRD's protocols. Pure (doctor compares it with what the
// daemon runs and advertises).
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

/** the named protocols of a BIRD config file and whether each says `disabled yes;` */
export function birdConfigProtocols(text: string): { name: string; proto: string; disabled: boolean }[] {
  const out: { name: string; proto: string; disabled: boolean }[] = [];
  for (const m of text.matchAll(/^protocol (\w+) ([A-Za-z_][\w]*)(?: from \w+)? \{\n([\s\S]*?)^\}/gm)) {
    out.push({ name: m[2]!, proto: m[1]!, disabled: /^\s*disabled( yes)?;/m.test(m[3]!) });
  }
  return out;
}

/**
 * Mask passwords for display (diff, parser evidence, logs): FRR `neighbor X password P` and BIRD
 * `password "P";`, wherever they appear in a line (parsers quote the offending line).
 */
export function maskSecrets(text: string): string {
  return text.replace(/(\bpassword\s+)"[^"\n]*"/g, '$1"<secret>"').replace(/(\bpassword\s+)(?!"|<secret>)[^\s;]+/g, "$1<secret>");
}
