// Ask the routing daemon's own parser whether a config is acceptable, before anything applies it.
// BIRD: `bird -p -c FILE`. FRR: `vtysh -C -f FILE` (grammar of every daemon) and, beside it,
// `bgpd -C` on the bgpd part (semantics: e.g. a route-map on an unknown neighbour), which always exits 0,
// so its output is read instead.
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SvcrouteError } from "../errors.js";
import { maskSecrets } from "./config-read.js";
import type { Exec, ExecResult } from "../effects/exec.js";
import { DEFAULTS } from "../manifest/defaults.js";
import type { DaemonType } from "../manifest/types.js";

export interface ParserBinaries {
  bird: string;
  vtysh: string;
  bgpd: string;
}

const DEFAULT_BINARIES: ParserBinaries = { bird: DEFAULTS.daemon.bird, vtysh: DEFAULTS.daemon.vtysh, bgpd: DEFAULTS.daemon.bgpd };

export interface Diagnostic {
  /** 1-based line in the checked text, when the parser names one */
  line: number | null;
  message: string;
  /** the checked text's line, for context */
  text: string | null;
}

export interface Verdict {
  ok: boolean;
  daemon: DaemonType;
  /** the commands that judged, e.g. ["bird -p"] */
  judges: string[];
  diagnostics: Diagnostic[];
  /** the parsers' raw output, for evidence */
  output: string;
  durationMs: number;
}

export interface ValidateDeps {
  exec: Exec;
  binaries?: Partial<ParserBinaries>;
  /** where temp files go (default: the OS temp dir) */
  tmpRoot?: string;
  timeoutMs?: number;
}

const APT: Record<keyof ParserBinaries, string> = { bird: "bird2", vtysh: "frr", bgpd: "frr" };

function missing(which: keyof ParserBinaries, path: string): SvcrouteError {
  return new SvcrouteError("E_DAEMON_MISSING", `${path} is not installed (needed to check the ${which === "bird" ? "BIRD" : "FRR"} config)`, {
    hint: `apt-get install ${APT[which]}${which === "bird" ? "" : " (bgpd and vtysh)"}, or set daemon.${which} in the manifest`,
  });
}

/**
 * A parser gets minutes, not the usual command timeout: FRR 8.4's bgpd -C needs ~15 s for a
 * config with 768 services (its prefix-list and route-map handling grows with the square of the
 * entries), and a slow judgement is not a rejection.
 */
export const PARSER_TIMEOUT_MS = 120_000;

function slow(cmd: string, ms: number): SvcrouteError {
  return new SvcrouteError("E_TIMEOUT", `${cmd} did not finish judging the config within ${ms} ms`, {
    hint: "the machine is overloaded, or the config is very large (FRR's parser slows down with thousands of prefixes)",
  });
}

function lineText(lines: string[], n: number | null): string | null {
  return n !== null && n >= 1 && n <= lines.length ? lines[n - 1]! : null;
}

const combined = (r: ExecResult) => [r.stdout, r.stderr].filter((s) => s.trim() !== "").join("\n");

// ------------------------------------------------------------------------------------ BIRD

/**
 * What precedes BIRD's message: "bird: " (BIRD 2), and since BIRD 3 also a timestamp, the thread
 * and the level: "bird: 2026-12-03 06:31:38.328 [0001] <FATAL> ".
 */
const BIRD_MESSAGE_PREFIX = /^bird: (?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? (?:\[\w+\] )?<\w+> )?/;

/** `bird: FILE:LINE:COL message` (any BIRD version's prefix) → diagnostics */
export function parseBirdOutput(output: string, file: string, lines: string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const raw of output.split("\n")) {
    const l = raw.replace(BIRD_MESSAGE_PREFIX, "").trim();
    if (l === "") continue;
    // errors say "FILE:3:74 message", warnings (BIRD 2.17+) "FILE:8:1: message"
    const m = /^(.*?):(\d+):(\d+):? (.*)$/.exec(l);
    if (m && m[1] === file) {
      const n = Number(m[2]);
      out.push({ line: n, message: `column ${m[3]}: ${m[4]}`, text: lineText(lines, n) });
    } else {
      out.push({ line: null, message: l, text: null });
    }
  }
  return out;
}

/** one parser run: not installed, too slow and killed are errors, an exit code is its verdict to read */
async function judge(deps: ValidateDeps, which: keyof ParserBinaries, path: string, args: string[], ms: number): Promise<{ r: ExecResult; output: string }> {
  const r = await deps.exec(path, args, { timeoutMs: ms });
  if (r.notFound) throw missing(which, path);
  if (r.timedOut) throw slow(`${which} ${args[0]}`, ms);
  // killed (e.g. by the OOM killer) or never started: no verdict, so not a rejection to remember
  if (r.code === null) {
    throw new SvcrouteError("E_DAEMON_UNAVAILABLE", `${which} ${args[0]} could not judge the config: ${r.error ?? "it ended without an exit code"}`, {
      hint: "the machine may be short of memory or processes (see the kernel log); svcroute tries again",
    });
  }
  return { r, output: combined(r) };
}

async function judgeBird(file: string, lines: string[], deps: ValidateDeps): Promise<Omit<Verdict, "daemon" | "durationMs">> {
  const bird = deps.binaries?.bird ?? DEFAULT_BINARIES.bird;
  const ms = deps.timeoutMs ?? PARSER_TIMEOUT_MS;
  const { r, output } = await judge(deps, "bird", bird, ["-p", "-c", file], ms);
  if (r.code === 0) return { ok: true, judges: ["bird -p"], diagnostics: [], output };
  const diagnostics = parseBirdOutput(output, file, lines);
  return { ok: false, judges: ["bird -p"], diagnostics: diagnostics.length ? diagnostics : [{ line: null, message: `bird -p exited with ${r.code}`, text: null }], output };
}

// ------------------------------------------------------------------------------------- FRR

/** `line 34: % Unknown command[28]: text` → diagnostics */
function parseVtyshOutput(output: string, lines: string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const raw of output.split("\n")) {
    const m = /^line (\d+): (%[^:[]*)/.exec(raw.trim());
    if (m) {
      const n = Number(m[1]);
      out.push({ line: n, message: m[2]!.replace(/^% ?/, "").trim(), text: lineText(lines, n) });
    }
  }
  return out;
}

/**
 * The part of an integrated frr.conf that bgpd itself reads. Lines for zebra (forwarding),
 * bfdd (the `bfd` block) and logging (bgpd -C would obey `log file`) become comments, so line
 * numbers still match the original.
 */
export function bgpdSubset(text: string): string {
  const lines = text.split("\n");
  let inBfd = false;
  return lines
    .map((l) => {
      if (inBfd) {
        if (l === "exit") inBfd = false;
        return "!";
      }
      if (l === "bfd") {
        inBfd = true;
        return "!";
      }
      if (/^(no )?ip(v6)? forwarding$/.test(l) || /^log /.test(l)) return "!";
      return l;
    })
    .join("\n");
}

/**
 * Without zebra (-Z), FRR 8.4 reports per-neighbour graceful-restart commands as failed although a
 * real bgpd accepts them (it cannot tell zebra about the GR capability). vtysh -C has already
 * checked their grammar.
 */
const BGPD_DRY_RUN_ARTIFACTS = [/^\s*neighbor \S+ graceful-restart(-disable|-helper)?$/];

/** bgpd -C log lines → diagnostics (bgpd always exits 0) */
export function parseBgpdOutput(output: string, lines: string[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const raw of output.split("\n")) {
    const unreadable = /vty_read_config: (can't open|failed to open)[^\n]*/.exec(raw);
    if (unreadable) {
      const msg = `bgpd could not read the file: ${unreadable[0].replace(/^vty_read_config: /, "")}`;
      if (!seen.has(msg)) out.push({ line: null, message: msg, text: null });
      seen.add(msg);
      continue;
    }
    const m = /\] (No such command|Command returned [^\n]*?|Ambiguous command|Incomplete command|[A-Za-z ]*(?:Failed|failed|Error|error)[A-Za-z ]*) on config line (\d+): (.*)$/.exec(raw);
    if (!m) continue;
    const n = Number(m[2]);
    const key = `${n}:${m[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const text = lineText(lines, n);
    if (text !== null && BGPD_DRY_RUN_ARTIFACTS.some((re) => re.test(text))) continue;
    out.push({ line: n, message: m[1]!, text });
  }
  return out;
}

async function judgeFrr(file: string, dir: string, text: string, lines: string[], deps: ValidateDeps): Promise<Omit<Verdict, "daemon" | "durationMs">> {
  const vtysh = deps.binaries?.vtysh ?? DEFAULT_BINARIES.vtysh;
  const bgpd = deps.binaries?.bgpd ?? DEFAULT_BINARIES.bgpd;
  const ms = deps.timeoutMs ?? PARSER_TIMEOUT_MS;
  const sub = join(dir, "bgpd.conf");
  await fsp.writeFile(sub, bgpdSubset(text), { mode: 0o600 });
  // both judge at once (each is a process start and a parse: side by side they cost the longer of
  // the two); bgpd's verdict counts only when vtysh accepts the grammar
  // -S: stay root so a 0600 file in a 0700 directory is readable; -Z -n -p 0: no zebra, kernel or socket.
  const [grammar, semantics] = await Promise.allSettled([
    judge(deps, "vtysh", vtysh, ["-C", "-f", file], ms),
    judge(deps, "bgpd", bgpd, ["-C", "-Z", "-S", "-n", "-p", "0", "-f", sub, "--vty_socket", dir, "-i", join(dir, "bgpd.pid"), "--log", "stdout"], ms),
  ]);
  if (grammar.status === "rejected") throw grammar.reason;
  const { r: g, output: gOut } = grammar.value;
  if (g.code !== 0) {
    const d = parseVtyshOutput(gOut, lines);
    return { ok: false, judges: ["vtysh -C"], diagnostics: d.length ? d : [{ line: null, message: `vtysh -C exited with ${g.code}`, text: null }], output: gOut };
  }
  if (semantics.status === "rejected") throw semantics.reason;
  const { r: s, output: sOut } = semantics.value;
  const diagnostics = parseBgpdOutput(sOut, lines);
  if (s.code !== 0) diagnostics.push({ line: null, message: `bgpd -C exited with ${s.code ?? s.error ?? "a signal"}`, text: null });
  return { ok: diagnostics.length === 0, judges: ["vtysh -C", "bgpd -C"], diagnostics, output: [gOut, sOut].filter(Boolean).join("\n") };
}

// ------------------------------------------------------------------------------------ both

/** Judge config text with the daemon's parser. Never throws for a rejected config: see `ok`. */
export async function validateConfigText(daemon: DaemonType, text: string, deps: ValidateDeps): Promise<Verdict> {
  const t0 = performance.now();
  const dir = await fsp.mkdtemp(join(deps.tmpRoot ?? tmpdir(), "svcroute-check-"));
  try {
    const file = join(dir, daemon === "frr" ? "frr.conf" : "bird.conf");
    await fsp.writeFile(file, text, { mode: 0o600 });
    const lines = text.split("\n");
    const v = daemon === "bird" ? await judgeBird(file, lines, deps) : await judgeFrr(file, dir, text, lines, deps);
    return { ...v, daemon, output: v.output.split(dir).join("<check>"), durationMs: Math.round(performance.now() - t0) };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** `LABEL:LINE: message` lines, then the parsers' own "% ..." explanations */
export function formatDiagnostics(v: Verdict, label: string): string {
  const lines = v.diagnostics.map((d) => `${label}${d.line !== null ? `:${d.line}` : ""}: ${d.message}${d.text !== null ? `\n    ${d.text.trim()}` : ""}`);
  const said = [...new Set(v.output.split("\n").filter((l) => l.startsWith("% ")))];
  // a quoted config line may hold a password: evidence is logged and shown, the password never
  return maskSecrets([...lines, ...said.map((l) => `  ${v.judges.at(-1) ?? "parser"} said: ${l}`)].join("\n"));
}

/** Judge, and throw E_DAEMON_REJECTED with file:line evidence when the parser says no. */
export async function assertDaemonAccepts(daemon: DaemonType, text: string, label: string, deps: ValidateDeps): Promise<Verdict> {
  const v = await validateConfigText(daemon, text, deps);
  if (!v.ok) {
    throw new SvcrouteError("E_DAEMON_REJECTED", `${v.judges.join(" + ")} rejected the rendered ${daemon === "frr" ? "FRR" : "BIRD"} config`, {
      details: formatDiagnostics(v, label),
      hint: "this is a svcroute bug if the manifest passed `svcroute check`: please report it with the lines above",
    });
  }
  return v;
}
