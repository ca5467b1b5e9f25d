// The figures table of docs/reliability.md, made from the result files committed under
// docs/results/reliability/ (one per suite, as the suite recorded it: test/helpers/figures.ts).
// doc-blocks.ts generates the block from them, so test/unit/readme.test.ts fails when the page
// and the committed results disagree.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const RESULTS_DIR = join(import.meta.dirname, "../../docs/results/reliability");

const SUITES: Record<string, string> = {
  fuzz: "manifest fuzzing (test/unit/fuzz)",
  "lab-faults": "lab faults (test/lab/reliability.test.ts)",
  "lab-soak": "lab flaps and soak (test/lab/reliability-soak.test.ts)",
  "lab-repeat": "every lab suite on every daemon set, repeated (npm run test:lab -- --repeat N)",
};

/** what an item measured, by its key without the daemon suffix */
const ITEMS: Record<string, string> = {
  kill9: "routing daemon killed (-9) again and again, health changing meanwhile",
  sigstop: "routing daemon frozen (SIGSTOP) with a health change pending",
  readonly: "config directory read-only during a health change and a manifest edit",
  full_fs: "config filesystem full during a manifest edit and a health change",
  refused_parse: "the daemon's parser refuses the new config",
  refused_reload: "the daemon's reload fails after the write",
  peer_loss: "both peers lost silently (neighbour poisoning; BFD toward tor1 only)",
  non_atomic_writer: "manifest rewritten a few bytes at a time",
  flaps: "1,000 rapid health flaps",
  soak: "soak of random health changes, manifest edits and faults (kill -9, SIGSTOP, peer loss)",
};

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k} ${show(x)}`).join(", ")}}`;
  return String(v);
}

function label(key: string): string {
  const m = /^(.*)_(bird|frr)$/.exec(key);
  const base = m ? m[1]! : key;
  const what = ITEMS[base] ?? base.replace(/_/g, " ");
  return m ? `${what} (${m[2] === "bird" ? "BIRD" : "FRR"})` : what;
}

/** suite → its committed result file */
export function committedFigures(dir = RESULTS_DIR): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>]),
  );
}

export function reliabilityBlock(figs = committedFigures()): string {
  const rows = ["| suite, run | item | figures |", "|---|---|---|"];
  for (const [suite, f] of Object.entries(figs)) {
    const { suite: _s, at, seed, mode, load, ...rest } = f;
    const head = `${SUITES[suite] ?? suite}, ${String(at).slice(0, 16).replace("T", " ")} UTC${seed === undefined ? "" : `, seed ${show(seed)}`}${typeof mode === "string" ? `, ${mode} mode` : ""}${Array.isArray(load) ? `, load average ${load.join(" ")} at its end` : ""}`;
    const nested = Object.entries(rest).filter(([, v]) => v !== null && typeof v === "object" && !Array.isArray(v));
    const flat = Object.entries(rest).filter(([, v]) => !(v !== null && typeof v === "object" && !Array.isArray(v)));
    const items: [string, string][] = [];
    if (flat.length) items.push(["all cases", flat.map(([k, v]) => `${k} ${show(v)}`).join(", ")]);
    for (const [k, v] of nested.sort(([a], [b]) => a.localeCompare(b))) {
      items.push([label(k), Object.entries(v as Record<string, unknown>).map(([x, y]) => `${x} ${show(y)}`).join(", ")]);
    }
    // the suite named once, on its first row
    items.forEach(([item, figures], i) => rows.push(`| ${i === 0 ? head : ""} | ${item} | ${figures} |`));
  }
  return `${rows.join("\n")}\n`;
}
