import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import { loadSecrets, parseSecret, Secret } from "../../../src/core/secrets.js";
import { fakeSecretReader, loadFixture } from "../../golden/support.js";

const PW = "s3cret.Pass";

describe("password files", () => {
  it("accepts one line with or without a trailing newline", () => {
    expect(parseSecret("/k", { text: `${PW}\n` }).reveal()).toBe(PW);
    expect(parseSecret("/k", { text: `${PW}\r\n`, mode: 0o100600 }).reveal()).toBe(PW);
    expect(parseSecret("/k", { text: PW }).reveal()).toBe(PW);
  });

  it.each([
    ["", "is empty"],
    ["\n", "is empty"],
    [`${PW}\nsecond`, "more than one line"],
    ["with space", "cannot be written safely"],
    ['quo"te', "cannot be written safely"],
    ["semi;colon", "cannot be written safely"],
    ["x".repeat(81), "at most 80"],
  ])("refuses %j with E_SECRET, never echoing it", (text, why) => {
    let e: unknown;
    try {
      parseSecret("/etc/svcroute/k", { text });
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: "E_SECRET" });
    const msg = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ""}`;
    expect(msg).toContain("/etc/svcroute/k");
    expect(msg).toContain(why);
    if (text.trim() !== "") expect(msg).not.toContain(text.trim().slice(0, 10));
  });

  it("refuses a file other users can read", () => {
    expect(() => parseSecret("/k", { text: PW, mode: 0o100644 })).toThrow(/accessible by other users \(mode 0644\)/);
  });

  it("reports a missing file as E_SECRET naming it", async () => {
    const { manifest } = loadFixture("passwords-gtsm");
    const e = await loadSecrets(manifest, async () => {
      throw Object.assign(new Error("nope"), { code: "ENOENT" });
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "E_SECRET", message: "/etc/svcroute/secrets/shared.key: file not found" });
  });

  it("reads each file once and keeps the password out of logs and JSON", async () => {
    const { manifest } = loadFixture("passwords-gtsm");
    const seen: string[] = [];
    const store = await loadSecrets(manifest, async (p) => {
      seen.push(p);
      return fakeSecretReader(p);
    });
    expect(seen).toEqual(["/etc/svcroute/secrets/shared.key", "/etc/svcroute/secrets/tor1.key"]);
    const model = buildModel(manifest, undefined, store);
    const dump = `${JSON.stringify(model)} ${inspect(model, { depth: 20 })} ${String(store.get(seen[0]!))}`;
    expect(dump).not.toContain("Tor1-md5");
    expect(dump).not.toContain("shared:K3y");
    expect(JSON.stringify(model)).toContain('"password":"<secret>"');
  });

  it("an unread secret masks but cannot be revealed", () => {
    expect(() => Secret.unread("/k").reveal()).toThrow(/was not read/);
    expect(String(Secret.unread("/k"))).toBe("<secret>");
  });
});
