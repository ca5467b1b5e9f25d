// A persistent client for a daemon's Unix control socket, for protocols where a request is one
// write and its reply ends in a recognisable frame (BIRD's final "DDDD " line, FRR's vty trailer).
// Requests on one client are serialised; a connection found closed is opened again on the next
// request; a reply that does not come within the limit closes the connection (the daemon may be
// stopped), so a late answer can never be taken for the next request's.
import { connect, type Socket } from "node:net";
import { SvcrouteError } from "../errors.js";

export interface FramedSocketOptions {
  /** the daemon's name in messages, e.g. "BIRD" */
  name: string;
  /** what to check when it cannot be reached */
  hint: string;
  timeoutMs: number;
  /**
   * End of the first complete reply in `buf` (the index after it), or -1. `from`: the length of
   * `buf` already found to hold no complete reply, where the scan may resume (a reply of many
   * chunks is then scanned once, not once per chunk).
   */
  frameEnd(buf: string, from: number): number;
  /** runs on each new connection before any request (read a greeting, enter a mode) */
  opened(c: { read(): Promise<string>; send(data: string): Promise<string> }): Promise<void>;
}

export class FramedSocket {
  private sock: Socket | undefined;
  /**
   * What has arrived and is not yet a reply, as its chunks (a reply of megabytes comes in many:
   * appending each to one string and searching it would copy the whole reply once per chunk)
   * and as a short window at its end that the frame is searched for.
   */
  private chunks: string[] = [];
  private window = "";
  /** where the window starts in what has arrived */
  private windowAt = 0;
  /** how much of the window frameEnd found to hold no frame end */
  private checked = 0;
  private waiter: ((err: Error | undefined) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly o: FramedSocketOptions,
  ) {}

  private unavailable(msg: string): SvcrouteError {
    return new SvcrouteError("E_DAEMON_UNAVAILABLE", `${this.o.name} control socket ${this.path}: ${msg}`, { hint: this.o.hint });
  }

  /** connects unless connected; true when an open connection is reused */
  private async open(): Promise<boolean> {
    if (this.sock && !this.sock.destroyed) return true;
    const s = connect(this.path);
    s.setEncoding("utf8");
    this.chunks = [];
    this.window = "";
    this.windowAt = 0;
    this.checked = 0;
    // a socket given up on (timeout) may still report: only the current one speaks to the waiter
    s.on("data", (d: string) => {
      if (this.sock !== s) return;
      this.chunks.push(d);
      this.window += d;
      if (this.waiter && this.frameEnd() >= 0) this.waiter(undefined);
    });
    s.on("error", (e) => this.sock === s && this.waiter?.(e));
    s.on("close", () => this.sock === s && this.waiter?.(new Error("connection closed")));
    this.sock = s;
    try {
      await this.o.opened({ read: () => this.read(), send: (data) => this.exchange(data) });
    } catch (e) {
      this.close();
      throw e;
    }
    return false;
  }

  /**
   * The end of the first reply in what has arrived, or -1. The window is searched and then cut to
   * its last line (at least its last 3 characters), where a frame may still be completing.
   */
  private frameEnd(): number {
    const w = this.window;
    const end = this.o.frameEnd(w, this.checked);
    if (end >= 0) return this.windowAt + end;
    const keep = Math.max(0, Math.min(w.lastIndexOf("\n") + 1, w.length - 3));
    this.window = w.slice(keep);
    this.windowAt += keep;
    this.checked = this.window.length;
    return -1;
  }

  /** the first `end` characters that arrived, taken out as one reply */
  private take(end: number): string {
    const all = this.chunks.join("");
    const rest = all.slice(end);
    this.chunks = rest ? [rest] : [];
    this.window = rest;
    this.windowAt = 0;
    this.checked = 0;
    return all.slice(0, end);
  }

  private read(timeoutMs = this.o.timeoutMs): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.close();
        reject(new SvcrouteError("E_TIMEOUT", `${this.o.name} did not answer on ${this.path} within ${timeoutMs} ms`, { hint: `${this.o.name} may be stopped (SIGSTOP) or overloaded` }));
      }, timeoutMs);
      const finish = (err: Error | undefined) => {
        const end = this.frameEnd();
        if (!err && end < 0) return;
        clearTimeout(timer);
        this.waiter = undefined;
        if (err && end < 0) {
          this.close();
          reject(this.unavailable((err as NodeJS.ErrnoException).code ?? err.message));
          return;
        }
        resolve(this.take(end));
      };
      this.waiter = finish;
      finish(undefined);
    });
  }

  private exchange(data: string, timeoutMs?: number): Promise<string> {
    this.sock!.write(data);
    return this.read(timeoutMs);
  }

  /** Send one request and return its complete reply. `timeoutMs` overrides the limit for the reply (not for connecting). */
  request(data: string, timeoutMs?: number): Promise<string> {
    return this.session((send) => send(data), timeoutMs);
  }

  /**
   * Several requests in a row that no other request may interleave with (e.g. a configuration
   * session): `body` gets a send function and runs on the serialised queue. A kept connection the
   * daemon closed while idle (it restarted) shows only when used: if it fails before its first
   * reply, the session runs once more on a new connection.
   */
  session<T>(body: (send: (data: string) => Promise<string>) => Promise<T>, timeoutMs?: number): Promise<T> {
    const run = async () => {
      const reused = await this.open();
      let replies = 0;
      const send = async (data: string) => {
        const r = await this.exchange(data, timeoutMs);
        replies++;
        return r;
      };
      try {
        return await body(send);
      } catch (e) {
        if (!reused || replies > 0 || !(e instanceof SvcrouteError) || e.code !== "E_DAEMON_UNAVAILABLE") throw e;
        await this.open();
        return body(send);
      }
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
