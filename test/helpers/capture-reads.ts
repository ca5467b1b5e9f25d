// Setup file of the run test/unit/captured-coverage.test.ts makes: every read of a file under
// test/fixtures/captured/ (fs.readFileSync, fs.promises.readFile) is noted, and each test file's
// reads are appended to $SVCROUTE_CAPTURE_READS when it ends.
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

const DIR = resolve(import.meta.dirname, "../fixtures/captured");
const out = process.env.SVCROUTE_CAPTURE_READS;
const state = globalThis as { svcrouteCaptureReads?: Set<string> };

function note(p: unknown): void {
  const path = typeof p === "string" ? p : p instanceof URL ? fileURLToPath(p) : undefined;
  if (path === undefined) return; // a descriptor or a buffer: not a fixture by name
  const abs = resolve(path);
  if (abs.startsWith(DIR + sep)) state.svcrouteCaptureReads!.add(relative(DIR, abs));
}

// once per worker process: the test files it runs share node:fs (isolation re-runs this file)
if (out && !state.svcrouteCaptureReads) {
  state.svcrouteCaptureReads = new Set();
  const readFileSync = fs.readFileSync;
  const readFile = fs.promises.readFile;
  fs.readFileSync = function (this: unknown, p: unknown, ...rest: unknown[]) {
    note(p);
    return (readFileSync as (...a: unknown[]) => unknown).call(this, p, ...rest);
  } as typeof fs.readFileSync;
  fs.promises.readFile = function (this: unknown, p: unknown, ...rest: unknown[]) {
    note(p);
    return (readFile as (...a: unknown[]) => unknown).call(this, p, ...rest);
  } as typeof fs.promises.readFile;
  syncBuiltinESMExports(); // named imports (`import { readFileSync } from "node:fs"`) see the wrappers too
}

afterAll(() => {
  const seen = state.svcrouteCaptureReads;
  if (!out || !seen || seen.size === 0) return;
  fs.appendFileSync(out, [...seen].map((f) => `${f}\n`).join(""));
  seen.clear();
});
