// A stand-in for bgpd's vty socket that answers with what a real bgpd answered: the sessions the
// capture script recorded (test/fixtures/captured/frr/<version>.vty.*.json), replayed byte for
// byte in order. A command other than the next recorded one ends the connection, so the client
// under test sees it.
import { createServer } from "node:net";
import { onTestFinished } from "vitest";
import { captured } from "./captures.js";

export interface VtyExchange {
  command: string;
  /** the reply's bytes as latin1 (output, three NULs, return code) */
  reply: string;
}

export const vtySession = (version: string, file: string): VtyExchange[] => JSON.parse(captured("frr", version, file)) as VtyExchange[];

export interface VtyReplay {
  /** every command received, over every connection */
  received: string[];
  connections: number;
}

/**
 * Listens on `path` and answers `script` in order across connections; `chunk` writes each reply
 * this many bytes at a time, `silent` never answers (a stopped daemon).
 */
export async function vtyReplay(path: string, script: VtyExchange[], opts: { chunk?: number; silent?: boolean; closeAfter?: number } = {}): Promise<VtyReplay> {
  const queue = [...script];
  const state: VtyReplay = { received: [], connections: 0 };
  const server = createServer((sock) => {
    state.connections++;
    sock.on("error", () => undefined);
    let buf = "";
    let ended = false;
    sock.on("data", (d: Buffer) => {
      // what comes on a connection this end has closed is never read (as a daemon that went away)
      if (ended) return;
      buf += d.toString("latin1");
      for (let i = buf.indexOf("\0"); i >= 0; i = buf.indexOf("\0")) {
        const command = buf.slice(0, i);
        buf = buf.slice(i + 1);
        state.received.push(command);
        if (opts.silent) continue;
        const next = queue[0];
        if (next?.command !== command) {
          sock.destroy();
          return;
        }
        queue.shift();
        const bytes = Buffer.from(next.reply, "latin1");
        const step = opts.chunk ?? bytes.length;
        for (let k = 0; k < bytes.length; k += step) sock.write(bytes.subarray(k, k + step));
        if (opts.closeAfter !== undefined && state.received.length === opts.closeAfter) {
          ended = true;
          sock.end();
          return;
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  onTestFinished(() => void server.close());
  return state;
}
