// `bird -p` as svcroute's judge of a BIRD config, fed what every BIRD version of the matrix really
// printed (test/fixtures/captured/bird/<version>.bird-p-*.txt, with the exit codes its README lists;
// BIRD 3 prefixes each message with a timestamp, the thread and the level).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateConfigText } from "../../../src/daemons/validate.js";
import type { Exec } from "../../../src/effects/exec.js";
import { capturedExit, capturedFile } from "../../helpers/captured-exec.js";
import { BIRD_VERSIONS } from "../../helpers/captures.js";

describe.each(BIRD_VERSIONS)("%s: bird -p as the judge", (version) => {
  /** bird -p answering as captured; the captured file name is replaced by the checked one */
  function birdP(file: string): Exec {
    return async (_cmd, args) => {
      const checked = args[args.indexOf("-c") + 1]!;
      const out = readFileSync(capturedFile("bird", file, version), "utf8").replace(/\/tmp\/svrl\/\S+?\.conf/g, checked);
      return { code: capturedExit("bird", file, version), stdout: "", stderr: out, durationMs: 1 } as never;
    };
  }

  it("a good config: accepted, nothing said", async () => {
    expect(capturedExit("bird", "bird-p-good.txt", version)).toBe(0);
    const v = await validateConfigText("bird", "router id 192.0.2.1;\n", { exec: birdP("bird-p-good.txt") });
    expect(v).toMatchObject({ ok: true, judges: ["bird -p"], diagnostics: [] });
  });

  it("a syntax error: refused at its line and column, with the line's text", async () => {
    const lines = Array.from({ length: 43 }, (_, i) => `# line ${i + 1}`);
    lines[42] = "  route 192.0.2.99/32 via;";
    const v = await validateConfigText("bird", `${lines.join("\n")}\n`, { exec: birdP("bird-p-bad.txt") });
    expect(v.ok).toBe(false);
    expect(v.diagnostics).toEqual([{ line: 43, message: "column 26: syntax error, unexpected ';', expecting IP4 or IP6 or CF_SYM_KNOWN or TEXT", text: "  route 192.0.2.99/32 via;" }]);
  });
});
