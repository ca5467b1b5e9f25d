// check and status in their plain forms skip commander (src/cli-direct.ts): they must read argv as
// commander does and print and exit exactly as the CLI does, and leave every other form to it.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { directCommand, main as directMain } from "../../src/cli-direct.js";
import { main, type Io } from "../../src/cli.js";
import { tmpTree } from "../helpers/tmp.js";

const root = join(import.meta.dirname, "../..");
const example = join(root, "packaging/examples/svcroute.yaml");
const full = join(root, "packaging/examples/full.yaml");
const typos = join(root, "test/fixtures/manifests/invalid/typos/svcroute.yaml");

async function capture(run: (argv: string[], io: Io) => Promise<number>, argv: string[], env: NodeJS.ProcessEnv) {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), isTTY: false, env };
  return { code: await run(argv, io), out, err };
}

describe("cli-direct", () => {
  it("reads the plain forms as commander passes them to the command", () => {
    expect(directCommand(["check", "--manifest", "a.yaml", "--json"])).toEqual({ command: "check", opts: { manifest: "a.yaml", json: true } });
    expect(directCommand(["check", "a.yaml", "--drop-ins", "none"])).toEqual({ command: "check", opts: { manifest: "a.yaml", dropIns: "none" } });
    expect(directCommand(["check", "-m", "b.yaml", "a.yaml"])).toEqual({ command: "check", opts: { manifest: "b.yaml" } });
    expect(directCommand(["check"])).toEqual({ command: "check", opts: { manifest: undefined } });
    expect(directCommand(["status", "-m", "a.yaml", "--socket", "/run/s.sock", "--nagios"])).toEqual({
      command: "status",
      opts: { manifest: "a.yaml", socket: "/run/s.sock", nagios: true },
    });
  });

  it("leaves every other form to the CLI", () => {
    for (const argv of [
      [],
      ["render"],
      ["check", "--help"],
      ["check", "--run-checks"],
      ["check", "--with-daemon", "a.yaml"],
      ["check", "a.yaml", "b.yaml"],
      ["check", "--manifest=a.yaml"],
      ["check", "--manifest"],
      ["check", "--manifest", "-x"],
      ["check", "--json", "--json"],
      ["check", "-m", "a.yaml", "--manifest", "b.yaml"],
      ["check", "--", "a.yaml"],
      ["status", "a.yaml"],
      ["status", "--watch"],
      ["status", "--drop-ins", "d"],
      ["status", "-mx.yaml"],
    ])
      expect(directCommand(argv), argv.join(" ")).toBeUndefined();
  });

  it("prints and exits as the CLI does, for valid and invalid manifests and an absent supervisor", async () => {
    const dir = tmpTree({ "m.yaml": "version: 1\n" });
    const cases: [string[], NodeJS.ProcessEnv][] = [
      [["check", "--manifest", example], {}],
      [["check", full, "--json"], {}],
      [["check"], { SVCROUTE_MANIFEST: example }],
      [["check", "-m", typos], {}],
      [["check", "--json", "-m", typos], {}],
      [["check", "-m", join(dir, "m.yaml"), "--drop-ins", "none"], {}],
      [["check", "-m", join(dir, "missing.yaml")], {}],
      [["status", "--socket", join(dir, "no.sock")], {}],
      [["status", "--socket", join(dir, "no.sock"), "--json"], {}],
      [["status", "--socket", join(dir, "no.sock"), "--nagios"], {}],
      [["status", "-m", example], { SVCROUTE_MANIFEST: "/nonexistent" }],
    ];
    for (const [argv, env] of cases) {
      expect(directCommand(argv), argv.join(" ")).toBeDefined();
      const viaCli = await capture(main, argv, env);
      expect(await capture(directMain, argv, env), argv.join(" ")).toEqual(viaCli);
    }
  });

  it("hands the rest to the CLI, usage errors and help included", async () => {
    for (const argv of [["check", "--bogus"], ["status", "extra"], ["check", "--help"]]) expect(await capture(directMain, argv, {})).toEqual(await capture(main, argv, {}));
  });
});
