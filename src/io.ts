// Where a command writes its output: the process's file descriptors in production, buffers in tests.
import { writeSync } from "node:fs";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Write all of `text` to a descriptor, now. Not through process.stdout: making that stream costs a
 * command's start-up a few milliseconds (for a pipe it is a socket, and loads node:net). A
 * descriptor left non-blocking by whoever made the pipe is waited on, a millisecond at a time, as
 * Node's own stdout waits on a full pipe; a reader gone (EPIPE) gets nothing more.
 */
export function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text, "utf8");
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EPIPE") return;
      if (code !== "EAGAIN") throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const line = (t: string) => (t.endsWith("\n") ? t : `${t}\n`);

/** the short-lived commands' output: written at once, the command waits for it */
export const processIo: Io = {
  out: (t) => writeAll(1, line(t)),
  err: (t) => writeAll(2, line(t)),
  // asked only by the commands that format for a terminal; undefined, not false, when not one
  get isTTY() {
    return (process.stdout as { isTTY?: boolean }).isTTY === true;
  },
  env: process.env,
};

/**
 * The output of the commands that run on (`run`, the guard, `withdraw`): Node's buffered streams,
 * so a reader that stalls (journald under load) never stops the event loop, the checks and the
 * withdrawals with it; their start-up cost does not matter.
 */
export const streamIo: Io = {
  out: (t) => void process.stdout.write(line(t)),
  err: (t) => void process.stderr.write(line(t)),
  get isTTY() {
    return (process.stdout as { isTTY?: boolean }).isTTY === true;
  },
  env: process.env,
};

/** the Io a long-running command writes through: the process's buffered streams, or the one a test gives */
export const longRunning = (io: Io): Io => (io === processIo ? streamIo : io);
