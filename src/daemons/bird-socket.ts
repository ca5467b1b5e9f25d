// A client for BIRD's control socket (what birdc speaks), without spawning birdc: the fast path
// toggles a static protocol in well under a millisecond instead of a process start. Replies are
// lines "CODE-text" (more follows), "CODE text" (last line) and " text" (continuation); codes
// 0xxx are success, 8xxx runtime errors, 9xxx syntax errors (BIRD's doc/prog "remote control").
import { SvcrouteError } from "../errors.js";
import { FramedSocket } from "./framed-socket.js";

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

/**
 * End of the first complete reply in `buf` (a line "DDDD ", code and space, ends it), or -1.
 * The scan resumes at the line that was incomplete at `from`. Exported for tests.
 */
export function birdFrameEnd(buf: string, from = 0): number {
  let start = from > 0 ? buf.lastIndexOf("\n", from - 1) + 1 : 0;
  for (;;) {
    const nl = buf.indexOf("\n", start);
    if (nl < 0) return -1;
    if (/^\d{4} /.test(buf.slice(start, start + 5))) return nl + 1;
    start = nl + 1;
  }
}

/** how long a BIRD control command may take to answer, unless the caller says otherwise */
export const BIRD_COMMAND_TIMEOUT_MS = 5000;

export class BirdSocket {
  private readonly sock: FramedSocket;

  constructor(
    readonly path: string,
    timeoutMs = BIRD_COMMAND_TIMEOUT_MS,
  ) {
    this.sock = new FramedSocket(path, {
      name: "BIRD",
      hint: "is bird running? (`birdc -s SOCKET show status`); svcroute needs to be root or in the bird group",
      timeoutMs,
      frameEnd: birdFrameEnd,
      // greeting: "0001 BIRD x.y.z ready."
      opened: async (c) => {
        await c.read();
      },
    });
  }

  /**
   * Run one command; commands on one client are serialised. `timeoutMs` overrides the client's
   * limit for the reply (not for connecting): `configure` of a large config takes seconds.
   */
  async command(cmd: string, timeoutMs?: number): Promise<BirdReply> {
    if (/[\n\r\0]/.test(cmd)) throw new SvcrouteError("E_INTERNAL", "a BIRD command must be one line");
    return parseBirdReply(await this.sock.request(`${cmd}\n`, timeoutMs));
  }

  close(): void {
    this.sock.close();
  }
}
