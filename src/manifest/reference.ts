// The manifest reference (markdown) generated from the JSON Schema, so docs/manifest.md can
// never drift from the schema: `svcroute schema --markdown` prints it, a test compares the page.
import { DURATION_PATTERN } from "./duration.js";
import { manifestJsonSchema } from "./jsonschema.js";
import * as P from "./patterns.js";

const PATTERN_NAMES: [RegExp, string][] = [
  [DURATION_PATTERN, "duration"],
  [P.NAME, "name"],
  [P.ABS_PATH, "absolute path"],
  [P.PREFIX_TEXT, "prefix"],
  [P.ADDRESS_TEXT, "IP address"],
  [P.IPV4_TEXT, "IPv4 address"],
  [P.IFNAME, "interface name"],
  [P.COMMUNITY, "community"],
  [P.USER, "user/group name"],
  [P.HTTP_URL, "URL"],
  [P.HOSTNAME, "host name"],
  [P.LISTEN, "address:port"],
];

type Node = Record<string, unknown>;

function typeText(n: Node): string {
  if (Array.isArray(n.anyOf)) return (n.anyOf as Node[]).map(typeText).join(" \\| ");
  if (Array.isArray(n.oneOf)) return (n.oneOf as Node[]).map(typeText).join(" \\| ");
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  if (Array.isArray(n.enum)) return (n.enum as unknown[]).map((v) => `\`${String(v)}\``).join(" \\| ");
  if (n.type === "array") return `list of ${typeText((n.items as Node | undefined) ?? {})}`;
  if (n.type === "object") {
    const variant = (n.properties as Record<string, Node> | undefined)?.type?.const;
    if (variant !== undefined) return `${variant as string} check`;
    return n.properties ? "mapping" : "map of string";
  }
  if (n.type === "string" && typeof n.pattern === "string") {
    const hit = PATTERN_NAMES.find(([re]) => re.source === n.pattern);
    if (hit) return hit[1];
  }
  if (n.type === "integer") {
    const range = n.minimum !== undefined && n.maximum !== undefined ? ` ${n.minimum as number}..${n.maximum as number}` : "";
    return `integer${range}`;
  }
  return (n.type as string | undefined) ?? "any";
}

function rows(n: Node, path: string, required: boolean, out: string[]): void {
  const desc = ((n.description as string | undefined) ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
  if (path) out.push(`| \`${path}\` | ${typeText(n)} | ${required ? "yes" : ""} | ${desc} |`);
  const objects: Node[] = [];
  if (n.type === "object" && n.properties) objects.push(n);
  if (n.type === "array" && n.items) {
    const items = n.items as Node;
    if (items.type === "object" && items.properties) objects.push(items);
    for (const o of (items.anyOf as Node[] | undefined) ?? (items.oneOf as Node[] | undefined) ?? []) if (o.properties) objects.push(o);
  }
  for (const o of (n.anyOf as Node[] | undefined) ?? []) if (o.type === "object" && o.properties) objects.push(o);
  const suffix = n.type === "array" ? "[]" : "";
  for (const o of objects) {
    const req = new Set((o.required as string[] | undefined) ?? []);
    const variant = (o.properties as Record<string, Node>).type?.const;
    for (const [k, v] of Object.entries(o.properties as Record<string, Node>)) {
      if (variant !== undefined && k === "type") continue;
      const key = variant !== undefined ? `${path}${suffix}(type=${variant as string}).${k}` : `${path}${suffix}${path ? "." : ""}${k}`;
      rows(v, key, req.has(k), out);
    }
  }
}

export function manifestReference(): string {
  const s = manifestJsonSchema();
  const out = ["| field | type | required | meaning (default) |", "|---|---|---|---|"];
  rows(s, "", true, out);
  return `${out.join("\n")}\n`;
}
