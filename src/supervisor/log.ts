// Structured log lines: one JSON object per line for journald/collectors, or one readable line on
// a TTY. Fields are fixed names (op, service, prefix, peer, code, duration_ms) so they can be
// queried; secrets never reach a log call.
export type Level = "debug" | "info" | "warn" | "error";

export interface LogFields {
  op: string;
  service?: string;
  prefix?: string;
  peer?: string;
  code?: string;
  duration_ms?: number;
  [k: string]: unknown;
}

export interface Logger {
  log(level: Level, msg: string, fields: LogFields): void;
  debug(msg: string, f: LogFields): void;
  info(msg: string, f: LogFields): void;
  warn(msg: string, f: LogFields): void;
  error(msg: string, f: LogFields): void;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(o: { write: (line: string) => void; tty: boolean; level?: Level; now?: () => number }): Logger {
  const min = ORDER[o.level ?? "info"];
  const now = o.now ?? Date.now;
  const log = (level: Level, msg: string, fields: LogFields) => {
    if (ORDER[level] < min) return;
    const ts = new Date(now()).toISOString();
    if (o.tty) {
      const { op, ...rest } = fields;
      const extra = Object.entries(rest)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
        .join(" ");
      o.write(`${ts.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${op}: ${msg}${extra ? `  ${extra}` : ""}\n`);
    } else {
      o.write(`${JSON.stringify({ ts, level, msg, ...fields })}\n`);
    }
  };
  return {
    log,
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: { level: Level; msg: string; fields: LogFields }[] } {
  const lines: { level: Level; msg: string; fields: LogFields }[] = [];
  const log = (level: Level, msg: string, fields: LogFields) => void lines.push({ level, msg, fields });
  return {
    lines,
    log,
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
  };
}
