// Cross-field rules about health checks and hooks: coherent settings, valid regexes, programs
// named by absolute path.
import { parseIP, parsePrefix } from "../ip.js";
import { isObj, arr, dur, services, type Path, type RuleIssue, type Obj } from "./raw.js";

function validRegex(v: unknown, path: Path): RuleIssue[] {
  if (typeof v !== "string") return [];
  try {
    new RegExp(v);
    return [];
  } catch (e) {
    return [{ path, message: `not a valid regular expression: ${(e as Error).message}` }];
  }
}

export function checksCoherent(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    const checks = arr(s.checks);
    if (s.degraded === "deprefer" && !(isObj(s.combine) || s.combine === "any")) {
      out.push({
        path: ["services", i, "degraded"],
        message: 'degraded: deprefer needs `combine: any` or `{quorum: N}`: with "all", a round with a failed check fails',
      });
    }
    if (isObj(s.combine) && typeof s.combine.quorum === "number" && s.combine.quorum > checks.length) {
      out.push({
        path: ["services", i, "combine", "quorum"],
        message: `quorum ${s.combine.quorum} is more than the ${checks.length} check(s) this service has`,
      });
    }
    if (typeof s.address === "string" && s.address !== "none" && !parseIP(s.address)) out.push({ path: ["services", i, "address"], message: `"${s.address}" is not an IPv4 or IPv6 address` });
    checks.forEach((c, j) => {
      if (!isObj(c)) return;
      if (c.type === "exec") out.push(...absoluteArgv0(c.command, ["services", i, "checks", j, "command"], "checks"));
      if (c.type === "http" && typeof c.url === "string") {
        try {
          const u = new URL(c.url);
          if (u.username || u.password) out.push({ path: ["services", i, "checks", j, "url"], message: "credentials in the URL would leak into logs and status" });
        } catch {
          out.push({ path: ["services", i, "checks", j, "url"], message: `"${c.url}" is not a valid URL` });
        }
        out.push(...validRegex(c.body_regex, ["services", i, "checks", j, "body_regex"]));
      }
      if (c.type === "dns") {
        if (typeof c.server === "string" && !parseIP(c.server)) out.push({ path: ["services", i, "checks", j, "server"], message: `"${c.server}" is not an IP address` });
        const hostPrefix = arr(s.prefixes).some((t) => {
          const r = typeof t === "string" ? parsePrefix(t) : null;
          return r?.ok === true && r.prefix.len === (r.prefix.family === 4 ? 32 : 128);
        });
        if (c.server === undefined && !hostPrefix && !(typeof s.address === "string" && s.address !== "none")) {
          out.push({
            path: ["services", i, "checks", j],
            message: "a dns check without `server` asks the service's address, but this service has no /32 or /128 prefix",
            hint: "set server to the address the DNS service answers on",
          });
        }
        out.push(...validRegex(c.answer_regex, ["services", i, "checks", j, "answer_regex"]));
      }
      if (c.type === "tcp" && typeof c.host === "string" && !parseIP(c.host)) {
        out.push({ path: ["services", i, "checks", j, "host"], message: `"${c.host}" is not an IP address` });
      }
    });
  }
  return out;
}

/** argv[0] of a program (exec check, hook) is an absolute path: svcroute never searches PATH */
function absoluteArgv0(command: unknown, path: Path, what: "checks" | "hooks"): RuleIssue[] {
  const argv0 = arr(command)[0];
  if (typeof argv0 !== "string" || argv0.startsWith("/")) return [];
  return [
    {
      path: [...path, 0],
      message: `"${argv0}" is not an absolute path (${what} never search PATH)`,
      hint: `use the full path, e.g. the output of: command -v ${argv0.replace(/[^A-Za-z0-9._-]/g, "")}`,
    },
  ];
}

export function hooksCoherent(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const check = (h: unknown, path: Path) => {
    if (!isObj(h)) return;
    out.push(...absoluteArgv0(h.command, [...path, "command"], "hooks"));
    const t = dur(h.timeout);
    if (t !== undefined && (t < 10 || t > 3_600_000)) out.push({ path: [...path, "timeout"], message: "a hook's timeout must be 10ms..1h" });
  };
  if (isObj(m.supervisor)) check(m.supervisor.on_change, ["supervisor", "on_change"]);
  for (const [s, i] of services(m)) check(s.on_change, ["services", i, "on_change"]);
  return out;
}
