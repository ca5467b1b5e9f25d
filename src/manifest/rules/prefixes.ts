// Cross-field rules about prefixes: well formed, inside allowed_prefixes, unique; service
// and peer names unique; communities in range.
import { parsePrefix, prefixContains, type Prefix } from "../ip.js";
import { isObj, arr, services, peers, duplicates, type Path, type RuleIssue, type Obj } from "./raw.js";

function checkPrefixText(t: unknown, path: Path, out: RuleIssue[]): Prefix | undefined {
  if (typeof t !== "string") return undefined;
  const r = parsePrefix(t);
  if (r.ok) return r.prefix;
  if (r.suggestion) out.push({ path, message: `${t}: ${r.reason}`, hint: `did you mean ${r.suggestion}?` });
  else out.push({ path, message: `${t}: ${r.reason}` });
  return undefined;
}

export function prefixesWellFormed(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (isObj(m.policy)) {
    arr(m.policy.allowed_prefixes).forEach((t, j) => {
      const p = checkPrefixText(t, ["policy", "allowed_prefixes", j], out);
      if (p && p.len === 0) {
        out.push({
          path: ["policy", "allowed_prefixes", j],
          message: `${p.text} allows everything, which is no guardrail`,
          hint: "list the address ranges your services really use",
        });
      }
    });
  }
  for (const [s, i] of services(m)) {
    arr(s.prefixes).forEach((t, j) => {
      const p = checkPrefixText(t, ["services", i, "prefixes", j], out);
      if (p && p.len === 0) {
        out.push({ path: ["services", i, "prefixes", j], message: "a service cannot announce a default route" });
      }
    });
  }
  return out;
}

export function prefixesInsideAllowed(m: Obj): RuleIssue[] {
  if (!isObj(m.policy)) return [];
  const allowed = arr(m.policy.allowed_prefixes).flatMap((t) => {
    const r = typeof t === "string" ? parsePrefix(t) : null;
    // a /0 "guardrail" is refused by prefixesWellFormed; it must not make everything look allowed
    return r?.ok && r.prefix.len > 0 ? [r.prefix] : [];
  });
  if (allowed.length === 0) return [];
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    arr(s.prefixes).forEach((t, j) => {
      const r = typeof t === "string" ? parsePrefix(t) : null;
      if (!r?.ok || r.prefix.len === 0) return;
      if (!allowed.some((a) => prefixContains(a, r.prefix))) {
        out.push({
          path: ["services", i, "prefixes", j],
          message: `${String(t)} is outside policy.allowed_prefixes (${allowed.map((a) => a.text).join(", ")})`,
          hint: "fix the prefix, or widen allowed_prefixes if this host may really announce it",
        });
      }
    });
  }
  return out;
}


export function uniqueNames(m: Obj): RuleIssue[] {
  const svc = services(m).flatMap(([s, i]) => (typeof s.name === "string" ? [[s.name, ["services", i, "name"]] as [string, Path]] : []));
  const peer = peers(m).flatMap(([p, i]) => (typeof p.name === "string" ? [[p.name, ["peers", i, "name"]] as [string, Path]] : []));
  return [...duplicates(svc, (x) => x, "service name"), ...duplicates(peer, (x) => x, "peer name")];
}

export function uniquePrefixes(m: Obj): RuleIssue[] {
  const items: [string, Path][] = [];
  for (const [s, i] of services(m)) {
    arr(s.prefixes).forEach((t, j) => {
      const r = typeof t === "string" ? parsePrefix(t) : null;
      if (r?.ok) items.push([r.prefix.text, ["services", i, "prefixes", j]]);
    });
  }
  return duplicates(items, (x) => x, "prefix");
}

export function communitiesInRange(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const check = (t: unknown, path: Path) => {
    if (typeof t !== "string") return;
    const parts = t.split(":").map(Number);
    const max = parts.length === 2 ? 65535 : 4294967295;
    if (parts.some((x) => !Number.isSafeInteger(x) || x > max)) {
      out.push({
        path,
        message: parts.length === 2 ? `${t}: standard community parts are 0..65535` : `${t}: large community parts are 0..4294967295`,
        hint: parts.length === 2 ? "for a 4-byte ASN use a large community GLOBAL:LOCAL1:LOCAL2" : undefined,
      });
    }
  };
  for (const [s, i] of services(m)) {
    arr(s.communities).forEach((c, j) => check(c, ["services", i, "communities", j]));
    if (isObj(s.deprefer)) arr(s.deprefer.communities).forEach((c, j) => check(c, ["services", i, "deprefer", "communities", j]));
  }
  return out;
}
