// Manifest texts shared by the manifest tests.
import { loadManifest, type LoadResult } from "../../../src/manifest/load.js";
import { tmpTree } from "../../helpers/tmp.js";
import { join } from "node:path";

export const MINIMAL = `version: 1
daemon: bird
router:
  asn: 4200000101
  router_id: 192.0.2.1
peers:
  - name: tor1
    address: 169.254.0.1
    remote_asn: 65000
policy:
  allowed_prefixes: [192.0.2.0/24, 2001:db8:100::/48]
services:
  - name: dns
    prefixes: [192.0.2.53/32]
`;

/** Load a manifest (and optional drop-ins) written to a temp dir; problem files are relative. */
export async function loadText(main: string | Uint8Array, dropIns: Record<string, string | Uint8Array> = {}): Promise<LoadResult> {
  const files: Record<string, string | Uint8Array> = { "svcroute.yaml": main };
  for (const [k, v] of Object.entries(dropIns)) files[`services.d/${k}`] = v;
  const dir = tmpTree(files);
  const r = await loadManifest(join(dir, "svcroute.yaml"));
  const rel = (f: string) => f.replace(`${dir}/`, "");
  return {
    ...r,
    files: r.files.map(rel),
    problems: r.problems.map((p) => ({ ...p, file: rel(p.file) })),
    warnings: r.warnings.map((p) => ({ ...p, file: rel(p.file) })),
  };
}

/** MINIMAL with one top-level block replaced/added (YAML text of the block). */
export function withBlock(key: string, block: string): string {
  const lines = MINIMAL.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`${key}:`));
  const body = `${key}:${block.startsWith("\n") ? "" : " "}${block}`;
  if (start < 0) return `${MINIMAL}${body}\n`;
  let end = start + 1;
  while (end < lines.length && (lines[end]!.startsWith(" ") || lines[end] === "")) end++;
  return [...lines.slice(0, start), body, ...lines.slice(end)].join("\n") + "\n";
}
