// The fast reading of a manifest file: js-yaml (about 14 times faster than the `yaml` package here:
// 10,000 services in drop-ins in ~0.15 s instead of ~2 s) with the YAML 1.2 core schema spelled
// out as the `yaml` package resolves it, so both read a file the same way. It gives data only,
// no positions: parse.ts uses it first, and the `yaml` package (with positions) whenever this
// refuses a file or the manifest has a problem to locate. What the two read differently (tags,
// null keys) and aliases of collections (the `yaml` package bounds them) are left to `yaml`.
// test/unit/manifest/fast-yaml.test.ts holds both readers to the same data.
import { FAILSAFE_SCHEMA, Type, load } from "js-yaml";

const scalar = (tag: string, re: RegExp, construct: (s: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (s: unknown) => typeof s === "string" && re.test(s), construct: (s: string) => construct(s) });

// YAML 1.2.2, 10.3.2 "Tag Resolution" (the core schema); the order of the checks is the spec's
const CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
  scalar("null", /^(?:~|null|Null|NULL)?$/, () => null),
  scalar("bool", /^(?:true|True|TRUE|false|False|FALSE)$/, (s) => s[0] === "t" || s[0] === "T"),
  scalar("int", /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (s) => (s.startsWith("0o") ? parseInt(s.slice(2), 8) : s.startsWith("0x") ? parseInt(s.slice(2), 16) : parseInt(s, 10))),
  scalar("float", /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/, (s) => {
    if (/nan$/i.test(s)) return NaN;
    if (/inf$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
    return parseFloat(s);
  }),
  ],
});

/**
 * Whether the careful reader should decide: some object or array is reachable twice (a YAML
 * alias of a collection), or a mapping has a null key (js-yaml names it "null", `yaml` "").
 */
function leaveToCareful(v: unknown, seen = new Set<object>()): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (seen.has(v)) return true;
  seen.add(v);
  if (Array.isArray(v)) return v.some((x) => leaveToCareful(x, seen));
  for (const [k, x] of Object.entries(v)) if (k === "null" || k === "[object Object]" || leaveToCareful(x, seen)) return true;
  return false;
}

/**
 * Whether every line stands alone, as manifests written by hand or by config management do: no
 * tag (`!x`, `!!str`, bare `!`), no anchor or alias (`&a`, `*a`), no explicit key (`? `), no collection as a key, and every quoted
 * scalar and flow collection closed on the line it opens, no sequence entry after another
 * indicator on its line (`- - x`, `k: - x`) and none with nothing after it on its line. js-yaml is more lenient than `yaml`
 * about the indentation of what spans lines; such files (and block scalars whose text looks
 * unbalanced) are left to the careful reader, which is right about them, only slower.
 */
export function linesStandAlone(text: string): boolean {
  for (const line of text.split("\n")) {
    let depth = 0;
    let quote = "";
    // the last character that is not a space: a quote after one of these opens a quoted scalar
    let prev = "";
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (quote === '"' && c === "\\") i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = "";
        }
        prev = c;
        continue;
      }
      if (c === " " || c === "\t") continue;
      const starts = prev === "" || ":-[{,?".includes(prev);
      if (c === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) break;
      if ((c === '"' || c === "'") && starts) quote = c;
      // an anchor or alias (`&a`, `*a`): js-yaml takes `&a[x]` where `yaml` wants a space after the name
      else if (((c === "!" || c === "&" || c === "*") && starts) || ((c === "?" || (c === "-" && prev !== "")) && starts && " \t".includes(line[i + 1] ?? " "))) return false;
      else if (c === "[" || c === "{") depth++;
      else if (c === "]" || c === "}") {
        depth--;
        if (/^\s*:(\s|$)/.test(line.slice(i + 1))) return false;
      }
      prev = c;
    }
    // an entry with nothing on its line (`-` alone): js-yaml may hang what follows under it
    if (quote || depth !== 0 || prev === "-") return false;
  }
  return true;
}

/**
 * The file's data when it is a mapping, or undefined when the careful reader must decide (an
 * error, an alias, a line that does not stand alone, a null key, anything but a mapping at the top).
 */
export function fastParse(text: string): { data: Record<string, unknown> } | undefined {
  if (!linesStandAlone(text)) return undefined;
  let data: unknown;
  try {
    data = load(text, { schema: CORE, json: false });
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  try {
    return leaveToCareful(data) ? undefined : { data: data as Record<string, unknown> };
  } catch {
    // nested too deep to walk: the careful reader says so with a position
    return undefined;
  }
}
