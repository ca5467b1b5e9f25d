// The one error type. Every failure a user can see carries a stable code; the CLI turns codes
// into exit codes and messages in exactly one place (src/cli.ts via formatError/exitCodeFor).

export const ERROR_CODES = {
  E_UNHEALTHY: { exit: 1, summary: "a health check failed (check --run-checks, probe): a result, not an error" },
  E_USAGE: { exit: 2, summary: "bad command line" },
  E_MANIFEST_IO: { exit: 3, summary: "a manifest file cannot be read" },
  E_MANIFEST_PARSE: { exit: 3, summary: "a manifest file is not valid YAML/JSON" },
  E_MANIFEST_INVALID: { exit: 3, summary: "the manifest breaks the schema or a rule" },
  E_HEALTH_FILE: { exit: 3, summary: "a health state file cannot be used" },
  E_SECRET: { exit: 3, summary: "a password file is missing, unsafe or malformed" },
  E_RENDER: { exit: 4, summary: "the config could not be rendered" },
  E_DAEMON_REJECTED: { exit: 5, summary: "the routing daemon's parser rejected the config" },
  E_DAEMON_MISSING: { exit: 6, summary: "the routing daemon's tools are not installed" },
  E_DAEMON_UNAVAILABLE: { exit: 6, summary: "the routing daemon is not reachable" },
  E_APPLY: { exit: 7, summary: "applying the config failed (rolled back)" },
  E_VERIFY: { exit: 7, summary: "the running state does not match the desired state" },
  E_WRITE: { exit: 7, summary: "a file could not be written atomically" },
  E_LOCKED: { exit: 8, summary: "another supervisor holds the lock" },
  E_SUPERVISOR_DOWN: { exit: 9, summary: "the supervisor is not running or not reachable" },
  E_PERMISSION: { exit: 10, summary: "insufficient privileges" },
  E_TIMEOUT: { exit: 11, summary: "an operation timed out" },
  E_INTERNAL: { exit: 70, summary: "internal error (a bug: please report it)" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem inside a manifest, located as precisely as the input allows. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** dotted path inside that file, e.g. `services.0.checks.1.timeout` ("" for the whole file) */
  path: string;
  message: string;
  hint?: string;
}

// The CLI (dist/cli.cjs) and each command (dist/commands/*.cjs) are bundled apart, each with its
// own copy of this class: `instanceof` asks for this mark, not for one prototype.
const MARK = Symbol.for("svcroute.SvcrouteError");

export class SvcrouteError extends Error {
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === "object" && x !== null && (x as { [MARK]?: true })[MARK] === true;
  }

  readonly [MARK] = true as const;
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly problems: Problem[];
  /** extra lines of evidence (e.g. a daemon parser's output) */
  readonly details: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; problems?: Problem[]; details?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "SvcrouteError";
    this.code = code;
    this.hint = opts.hint;
    this.problems = opts.problems ?? [];
    this.details = opts.details;
  }
}

export function isSvcrouteError(e: unknown): e is SvcrouteError {
  return e instanceof SvcrouteError;
}

/** Any thrown value as a SvcrouteError (unknown ones become E_INTERNAL). */
export function toSvcrouteError(e: unknown): SvcrouteError {
  if (isSvcrouteError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SvcrouteError("E_INTERNAL", message, { cause: e });
}

export function exitCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code].exit;
}

export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  const path = p.path === "" ? "(file)" : p.path;
  return `${where}  ${path}  ${p.message}${p.hint ? `\n    hint: ${p.hint}` : ""}`;
}

/** located before a run of like problems is summarised */
const SHOW_LIKE = 3;

/**
 * What makes two problems alike: the same field in another list item, and the same message but
 * for the item's own values (numbers, addresses, quoted names, file positions).
 */
function likeness(p: Problem): string {
  const mask = (t: string) =>
    t
      .replace(/\S+:\d+:\d+/g, "@")
      .replace(/"[^"]*"/g, '"~"')
      .replace(/\b[0-9a-fA-F]*[:.][0-9a-fA-F:.]*[0-9a-fA-F](\/\d+)?\b/g, "~")
      .replace(/\d+/g, "#");
  return `${p.path.replace(/\.\d+(?=\.|$)/g, ".*")}\0${mask(p.message)}\0${mask(p.hint ?? "")}`;
}

/**
 * Problems as lines, each located, except that a run of more than a few alike (1,000 services
 * with the same mistake) shows its first ones and then one line counting the rest, per file.
 */
export function formatProblems(ps: readonly Problem[], prefix = ""): string[] {
  const groups = new Map<string, Problem[]>();
  for (const p of ps) {
    const k = likeness(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  const lines: string[] = [];
  for (const g of groups.values()) {
    const show = g.length > SHOW_LIKE + 2 ? g.slice(0, SHOW_LIKE) : g;
    for (const p of show) lines.push(`${prefix}${formatProblem(p)}`);
    const rest = g.slice(show.length);
    if (rest.length === 0) continue;
    const files = new Map<string, number>();
    for (const p of rest) files.set(p.file, (files.get(p.file) ?? 0) + 1);
    const where = [...files].map(([f, n]) => `${f} (${n})`).join(", ");
    lines.push(`${prefix}    ... and ${rest.length} more like these (${g[0]!.path.replace(/\.\d+(?=\.|$)/g, ".*")}) in ${where} (every one: svcroute check --json)`);
  }
  return lines;
}

export function formatError(e: SvcrouteError): string {
  const lines = [`error ${e.code}: ${e.message}`];
  lines.push(...formatProblems(e.problems));
  if (e.details) lines.push(e.details.trimEnd());
  if (e.hint) lines.push(`hint: ${e.hint}`);
  return lines.join("\n");
}

export function errorToJson(e: SvcrouteError): Record<string, unknown> {
  return {
    ok: false,
    code: e.code,
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
    ...(e.problems.length ? { problems: e.problems } : {}),
    ...(e.details ? { details: e.details } : {}),
  };
}
