// The ToR's bgpd log as a stream of timestamped events. The lab ToR logs with
// `log timestamp precision 6`; with `debug bgp updates in` every received UPDATE names its
// prefixes, and with `debug bgp zebra` the moment a prefix leaves (or enters) the ToR's RIB shows
// as the route delete (add) bgpd sends to zebra — after its ~50 ms work-queue hold. Lines:
//   2026/11/25 11:32:51.537252 BGP: [PAPP6-VDAWM] 169.254.1.1(Unknown) rcvd UPDATE about 192.0.2.10/32 IPv4 unicast -- withdrawn
//   2026/11/25 11:32:51.587291 BGP: [G7K80-KF0HM] Tx route delete VRF 0 192.0.2.10/32
//   2026/11/25 11:32:52.538735 BGP: [YCKEM-GB33T] 169.254.1.1(Unknown) rcvd 192.0.2.10/32 IPv4 unicast
//   2026/11/25 11:32:52.588772 BGP: [V15FP-4CPVK] Tx route add VRF 0 192.0.2.10/32 metric 0 tag 0 count 1 nhg 0
//   2026/11/25 11:32:48.292182 BGP: [PXVXG-TFNNT] %ADJCHANGE: neighbor 169.254.2.1(vm) in vrf default Down BGP Notification received
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { sleep } from "./clock.js";

export type TorEventKind = "withdrawn" | "announced" | "gone" | "installed" | "down" | "up";

export interface TorEvent {
  kind: TorEventKind;
  /** the prefix (withdrawn/announced/gone/installed) or the neighbour address (down/up) */
  key: string;
  /** epoch microseconds from the log line */
  us: number;
}

const STAMP = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) /;

/** epoch microseconds of a log line's timestamp (FRR logs local time; the bench runs in the same zone) */
export function stampUs(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, us] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s).getTime() * 1000 + us;
}

export function parseLine(line: string): TorEvent | undefined {
  const us = stampUs(line);
  if (us === undefined) return undefined;
  let m = /rcvd UPDATE about (\S+) IPv[46] unicast -- withdrawn/.exec(line);
  if (m) return { kind: "withdrawn", key: m[1]!, us };
  m = /\) rcvd (\S+\/\d+) IPv[46] unicast\s*$/.exec(line);
  if (m) return { kind: "announced", key: m[1]!, us };
  m = /Tx route delete VRF \d+ (\S+)/.exec(line);
  if (m) return { kind: "gone", key: m[1]!, us };
  m = /Tx route add VRF \d+ (\S+)/.exec(line);
  if (m) return { kind: "installed", key: m[1]!, us };
  m = /%ADJCHANGE: neighbor (\S+?)(?:\(.*?\))? in vrf \S+ (Up|Down)/.exec(line);
  if (m) return { kind: m[2] === "Up" ? "up" : "down", key: m[1]!, us };
  return undefined;
}

/**
 * Follows one log file. Events are kept in order; `mark()` is a position in that list, and
 * `waitEvent` finds the first matching event after a mark, reading the file as it grows.
 */
export class TorLog {
  private pos = 0;
  private rest = "";
  readonly events: TorEvent[] = [];
  /** events dropped from the front (the list is trimmed when it grows large) */
  private base = 0;
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(1 << 20);

  constructor(readonly file: string) {
    try {
      this.pos = statSync(file).size;
    } catch {
      this.pos = 0;
    }
  }

  /** read whatever was appended since the last call */
  poll(): void {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.file, "r");
      } catch {
        return;
      }
    }
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (n <= 0) break;
      this.pos += n;
      const text = this.rest + this.buf.subarray(0, n).toString("utf8");
      const lines = text.split("\n");
      this.rest = lines.pop() ?? "";
      for (const l of lines) {
        const e = parseLine(l);
        if (e) this.events.push(e);
      }
    }
    if (this.events.length > 200_000) {
      const drop = this.events.length - 100_000;
      this.events.splice(0, drop);
      this.base += drop;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** the position after every event logged so far */
  mark(): number {
    this.poll();
    return this.base + this.events.length;
  }

  /** events after `mark` (optionally only some kinds) */
  since(mark: number, kinds?: readonly TorEventKind[]): TorEvent[] {
    this.poll();
    const from = Math.max(0, mark - this.base);
    return this.events.slice(from).filter((e) => !kinds || kinds.includes(e.kind));
  }

  find(mark: number, kind: TorEventKind, key: string): TorEvent | undefined {
    const from = Math.max(0, mark - this.base);
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.kind === kind && e.key === key) return e;
    }
    return undefined;
  }

  /** the first `kind` event for `key` after `mark`; undefined after `timeoutMs` */
  async waitEvent(mark: number, kind: TorEventKind, key: string, timeoutMs: number): Promise<TorEvent | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.poll();
      const e = this.find(mark, kind, key);
      if (e) return e;
      if (performance.now() > deadline) return undefined;
      await sleep(4);
    }
  }
}
