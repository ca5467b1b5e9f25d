// Bounded, single-line text for reasons: output tails, response snippets, error messages.

/** Keeps the last `max` bytes written to it. */
export class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    if (chunk.length >= this.max) {
      this.chunks = [chunk.subarray(chunk.length - this.max)];
      this.size = this.max;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.max) this.size -= this.chunks.shift()!.length;
  }

  /** The last `max` bytes as one line of text. */
  text(): string {
    const buf = Buffer.concat(this.chunks, this.size);
    return oneLine(buf.subarray(Math.max(0, buf.length - this.max)).toString("utf8").replace(/^\uFFFD+/, ""));
  }
}

/** Collapse newlines to " | ", replace other control characters, trim. */
export function oneLine(s: string): string {
  return s
    .replace(/\s*[\r\n]+\s*/g, " | ")
    .replace(/[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]/g, "?")
    .replace(/^[\s|]+|[\s|]+$/g, "");
}

/** A value shown inside a reason: one line, at most `max` characters, quoted. */
export function quote(s: string, max = 64): string {
  const t = oneLine(s);
  return JSON.stringify(t.length > max ? `${t.slice(0, max)}…` : t);
}

export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
