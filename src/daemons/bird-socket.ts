// A client for BIRD's control socket (what birdc speaks), without spawning birdc: the fast path
// toggles a static protocol in well under a millisecond instead of a process start. Replies are
// lines "CODE-text" (more follows), "CODE text" (last line) and " text" (continuation); codes
// 0xxx are success, 8xxx runtime errors, 9xxx syntax errors (BIRD's doc/prog "remote control").
import { connect, type Socket } from "node:net";
import { SvcrouteError } from "../errors.js";

export interface BirdReplyLine {
  code: number;
  text: string;
}

export interface BirdReply {
  lines: BirdReplyLine[];
  /** code of the final line */
  code: number;
  ok: boolean;
  /** the reply as birdc would print it (codes stripped) */
  text: string;
}

/** Parse one complete reply (pure; exported for tests on captured output). */
export function parseBirdReply(raw: string): BirdReply {
  const lines: BirdReplyLine[] = [];
  let last = 0;
  for (const l of raw.split("\n")) {
    if (l === "") continue;
    const m = /^(\d{4})([ -])(.*)$/.exec(l);
    if (m) {
      last = Number(m[1]);
      lines.push({ code: last, text: m[3]! });
    } else lines.push({ code: last, text: l.startsWith(" ") ? l.slice(1) : l });
  }
  const code = lines.length ? lines[lines.length - 1]!.code : 0;
  return { lines, code, ok: code < 8000, text: lines.map((x) => x.text).join("\n").replace(/\s+$/, "") };
}

/** true when `buf` holds a complete reply: a line "DDDD " (code + space) ends it */
function complete(buf: string): number {
  let start = 0;
  for (;;) {
    const nl = buf.indexOf("\n", start);
    if (nl < 0) return -1;
    if (/^\d{4} /.test(buf.slice(start, start + 5))) return nl + 1;
    start = nl + 1;
  }
}

export class BirdSocket {
  private sock: Socket | undefined;
  private buf = "";
  private waiter: ((err: Error | undefined) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly timeoutMs = 5000,
  ) {}

  private unavailable(msg: string): SvcrouteError {
    return new SvcrouteError("E_DAEMON_UNAVAILABLE", `BIRD control socket ${this.path}: ${msg}`, {
      hint: "is bird running? (`birdc -s SOCKET show status`); svcroute needs to be root or in the bird group",
    });
  }

  private async open(): Promise<Socket> {
    if (this.sock && !this.sock.destroyed) return this.sock;
    const s = connect(this.path);
    s.setEncoding("utf8");
    this.buf = "";
    // a socket given up on (timeout) may still report: only the current one speaks to the waiter
    s.on("data", (d: string) => {
      if (this.sock !== s) return;
      this.buf += d;
      if (this.waiter && complete(this.buf) >= 0) this.waiter(undefined);
    });
    s.on("error", (e) => this.sock === s && this.waiter?.(e));
    s.on("close", () => this.sock === s && this.waiter?.(new Error("connection closed")));
    this.sock = s;
    try {
      await this.read(); // greeting: "0001 BIRD x.y.z ready."
    } catch (e) {
      this.close();
      throw e;
    }
    return s;
  }

  private read(timeoutMs = this.timeoutMs): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.close();
        reject(new SvcrouteError("E_TIMEOUT", `BIRD did not answer on ${this.path} within ${timeoutMs} ms`, { hint: "bird may be stopped (SIGSTOP) or overloaded" }));
      }, timeoutMs);
      const finish = (err: Error | undefined) => {
        const end = complete(this.buf);
        if (!err && end < 0) return;
        clearTimeout(timer);
        this.waiter = undefined;
        if (err && end < 0) {
          this.close();
          const code = (err as NodeJS.ErrnoException).code;
          reject(this.unavailable(code ?? err.message));
          return;
        }
        const reply = this.buf.slice(0, end);
        this.buf = this.buf.slice(end);
        resolve(reply);
      };
      this.waiter = finish;
      finish(undefined);
    });
  }

  /**
   * Run one command; commands on one client are serialised. `timeoutMs` overrides the client's
   * limit for the reply (not for connecting): `configure` of a large config takes seconds.
   */
  command(cmd: string, timeoutMs?: number): Promise<BirdReply> {
    if (/[\n\r\0]/.test(cmd)) throw new SvcrouteError("E_INTERNAL", "a BIRD command must be one line");
    const run = async () => {
      const s = await this.open();
      s.write(`${cmd}\n`);
      return parseBirdReply(await this.read(timeoutMs));
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.sock?.destroy();
    this.sock = undefined;
  }
}
