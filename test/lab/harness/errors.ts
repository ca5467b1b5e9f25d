// The harness's one error type: what failed, the evidence, and what to do about it. All three go
// into `message` too, because test runners print only the message.

export class LabError extends Error {
  readonly summary: string;
  readonly hint: string | undefined;
  /** evidence, e.g. a command's stderr or the last value observed */
  readonly details: string | undefined;

  constructor(summary: string, opts: { hint?: string; details?: string; cause?: unknown } = {}) {
    const parts = [summary];
    if (opts.details?.trim()) parts.push(opts.details.trimEnd());
    if (opts.hint) parts.push(`hint: ${opts.hint}`);
    super(parts.join("\n"), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "LabError";
    this.summary = summary;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}
