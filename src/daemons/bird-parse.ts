// Parsers for BIRD 2 control-socket text (BIRD has no JSON). Pure; unit-tested on outputs
// captured from a real BIRD 2.0.12 in the lab (test/fixtures/captured/bird/).
import type { BfdPeer } from "./driver.js";

export interface BirdProtocolInfo {
  name: string;
  proto: string;
  /** up / down / start / ... (the "State" column) */
  state: string;
  since: string;
  /** the "Info" column: BGP's FSM state, e.g. "Established", "Active", "Connect" */
  info: string;
  bgpState: string | null;
  neighborAddress: string | null;
  lastError: string | null;
  channels: { name: string; state: string | null; imported: number | null; exported: number | null }[];
}

const FSM = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"];

/** Normalise BIRD's state words to the RFC 4271 FSM names; a disabled protocol is Idle. */
export function normaliseBgpState(p: Pick<BirdProtocolInfo, "state" | "info" | "bgpState">): string {
  const word = (p.bgpState ?? p.info.split(/\s+/)[0] ?? "").trim();
  const hit = FSM.find((s) => s.toLowerCase() === word.toLowerCase());
  if (hit) return hit;
  if (p.state === "down") return "Idle";
  return word || "Idle";
}

/** `show protocols all` (or `show protocols all NAME`) */
export function parseProtocolsAll(text: string): BirdProtocolInfo[] {
  const out: BirdProtocolInfo[] = [];
  let cur: BirdProtocolInfo | undefined;
  let chan: BirdProtocolInfo["channels"][number] | undefined;
  for (const line of text.split("\n")) {
    if (/^Name\s+Proto\s+Table\s+State/.test(line) || line.trim() === "" || /^BIRD \d/.test(line)) continue;
    const head = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d{4}-\d\d-\d\d \S+|\S+)\s*(.*)$/.exec(line);
    if (head && !line.startsWith(" ") && !line.startsWith("\t")) {
      cur = { name: head[1]!, proto: head[2]!, state: head[4]!, since: head[5]!, info: head[6]!.trim(), bgpState: null, neighborAddress: null, lastError: null, channels: [] };
      chan = undefined;
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const kv = /^\s+([A-Za-z][A-Za-z /-]*?):\s+(.*)$/.exec(line);
    const ch = /^\s+Channel (\S+)/.exec(line);
    if (ch) {
      chan = { name: ch[1]!, state: null, imported: null, exported: null };
      cur.channels.push(chan);
      continue;
    }
    if (!kv) continue;
    const [, key, value] = kv;
    if (key === "BGP state") cur.bgpState = value!.trim();
    else if (key === "Neighbor address") cur.neighborAddress = value!.trim().replace(/%.*$/, "");
    else if (key === "Last error") cur.lastError = value!.trim();
    else if (chan && key === "State") chan.state = value!.trim();
    else if (chan && key === "Routes") {
      chan.imported = Number(/(\d+) imported/.exec(value!)?.[1] ?? NaN);
      chan.exported = Number(/(\d+) exported/.exec(value!)?.[1] ?? NaN);
      if (Number.isNaN(chan.imported)) chan.imported = null;
      if (Number.isNaN(chan.exported)) chan.exported = null;
    }
  }
  return out;
}

/** prefixes listed by `show route [export NAME]` (first column of route lines) */
export function parseRoutePrefixes(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^\s*([0-9a-fA-F.:]+\/\d{1,3})\s/.exec(line);
    if (m) out.add(m[1]!);
  }
  return [...out];
}

/** `show interfaces`: the names of the interfaces BIRD knows ("eth0 up (index=2)" lines) */
export function parseInterfaces(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\S+) (up|down) \(index=\d+\)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** `show status`: server time and last reboot (the instance identity), as text */
export function parseStatus(text: string): { serverTime: string | null; lastReboot: string | null; lastReconfig: string | null } {
  const get = (re: RegExp) => re.exec(text)?.[1]?.trim() ?? null;
  return {
    serverTime: get(/Current server time is (.+)/),
    lastReboot: get(/Last reboot on (.+)/),
    lastReconfig: get(/Last reconfiguration on (.+)/),
  };
}

/** what bootIdentity() remembers of the last reading: the identity it gave and when it was read */
export interface BootMemo {
  id: string;
  bootMs: number;
  seenMs: number;
}

const birdTimeMs = (t: string | null): number => (t ? Date.parse(t.replace(" ", "T")) : Number.NaN);

/**
 * The instance identity from `show status`. BIRD 3 derives "Last reboot" from its uptime, so the
 * text moves by milliseconds between readings of one running daemon (seen on 3.1.8 under load).
 * A restarted daemon booted after the last reading of the old one; a boot time at or before that
 * reading, and within a second of the remembered one, is the same instance.
 */
export function bootIdentity(prev: BootMemo | undefined, st: { serverTime: string | null; lastReboot: string | null }): { id: string | null; memo: BootMemo | undefined } {
  const boot = birdTimeMs(st.lastReboot);
  const now = birdTimeMs(st.serverTime);
  if (st.lastReboot === null || Number.isNaN(boot) || Number.isNaN(now)) return { id: st.lastReboot, memo: undefined };
  if (prev && boot <= prev.seenMs && Math.abs(boot - prev.bootMs) < 1000) return { id: prev.id, memo: { ...prev, seenMs: Math.max(prev.seenMs, now) } };
  return { id: st.lastReboot, memo: { id: st.lastReboot, bootMs: boot, seenMs: now } };
}

/** milliseconds between BIRD's "Since" column (today's time, or date + time) and server time */
export function uptimeMs(since: string, serverTime: string | null): number | null {
  if (!serverTime) return null;
  const [date, time] = serverTime.split(" ");
  const full = /^\d{4}-\d\d-\d\d /.test(since) ? since : `${date} ${since}`;
  const a = Date.parse(full.replace(" ", "T"));
  const b = Date.parse(`${date}T${time}`);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  const d = b - a;
  return d >= 0 ? d : d + 86_400_000; // "Since" was yesterday
}

/** `show bfd sessions`: each session's address and state (Up, Down, Init, …) */
export function parseBfdSessions(text: string): BfdPeer[] {
  return text
    .split("\n")
    .map((l) => /^([0-9a-fA-F]*[.:][0-9a-fA-F.:]+)\s+\S+\s+(\S+)/.exec(l))
    .flatMap((x) => (x ? [{ address: x[1]!, state: x[2]! }] : []));
}
