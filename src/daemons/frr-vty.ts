// A client for bgpd's vty socket (what vtysh speaks), without spawning vtysh: a command is sent
// NUL-terminated and its output comes back followed by three NUL bytes and the command's return
// code (lib/vty.c, vtysh_read; the same on FRR 8.4 and 10.3). A vtysh start costs tens of
// milliseconds, most of FRR's withdrawal pipeline; a command on an open session costs well under one.
import { SvcrouteError } from "../errors.js";
import { FramedSocket } from "./framed-socket.js";

/** FRR's CMD_SUCCESS and CMD_WARNING: vtysh goes on after either, and stops after any other code */
const GOES_ON = new Set([0, 1]);

/** end of the first reply in `buf` (index after its 4-byte trailer), or -1; the scan resumes near `from` */
export function vtyFrameEnd(buf: string, from = 0): number {
  const i = buf.indexOf("\0\0\0", Math.max(0, from - 3));
  return i >= 0 && buf.length >= i + 4 ? i + 4 : -1;
}

/** one complete reply → its output and return code */
export function parseVtyReply(raw: string): { output: string; code: number } {
  return { output: raw.slice(0, -4), code: raw.charCodeAt(raw.length - 1) };
}

export interface VtyResult {
  /** every command's output, in order, as vtysh prints them */
  output: string;
  /** each command's output on its own (a JSON document per `show … json`), in order */
  outputs: string[];
  /** 0 when every command ran; else the return code of the command that stopped the run */
  code: number;
  /** the command that stopped the run */
  failed?: string;
}

/** how long a command to bgpd (on its vty socket, or through vtysh) may take, unless the caller says otherwise */
export const FRR_COMMAND_TIMEOUT_MS = 10_000;

export class FrrVty {
  private readonly sock: FramedSocket;

  constructor(
    readonly path: string,
    timeoutMs = FRR_COMMAND_TIMEOUT_MS,
  ) {
    this.sock = new FramedSocket(path, {
      name: "bgpd",
      hint: "is bgpd running? svcroute needs to be root or in the frrvty group",
      timeoutMs,
      frameEnd: vtyFrameEnd,
      // vtysh enters the enable node on every daemon it connects to; so does this client
      opened: async (c) => {
        const r = parseVtyReply(await c.send("enable\0"));
        if (r.code !== 0) throw new SvcrouteError("E_DAEMON_UNAVAILABLE", `bgpd refused \`enable\` on ${path}: ${r.output.trim()}`);
      },
    });
  }

  /**
   * Runs the commands in one session, as `vtysh -c C1 -c C2 …` does: it stops at the first
   * command that fails (other than with a warning), unless `goOn` accepts its output; a session
   * left inside `configure terminal` by a stop is ended, so the next run starts from the enable node.
   */
  run(cmds: readonly string[], goOn?: (output: string) => boolean): Promise<VtyResult> {
    for (const c of cmds) if (/[\n\r\0]/.test(c)) throw new SvcrouteError("E_INTERNAL", "a vty command must be one line");
    return this.sock.session(async (send) => {
      const out: string[] = [];
      for (const c of cmds) {
        const r = parseVtyReply(await send(`${c}\0`));
        out.push(r.output);
        if (!GOES_ON.has(r.code) && !goOn?.(r.output)) {
          if (cmds.includes("configure terminal")) await send("end\0");
          return { output: out.join(""), outputs: out, code: r.code, failed: c };
        }
      }
      return { output: out.join(""), outputs: out, code: 0 };
    });
  }

  close(): void {
    this.sock.close();
  }
}
