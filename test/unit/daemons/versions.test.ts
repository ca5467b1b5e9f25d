// Version parsing and what each version needs, on outputs captured from every daemon version of the
// matrix (test/fixtures/captured/{frr,bird}/<version>.*), and BIRD's parser messages of each.
import { describe, expect, it } from "vitest";
import { parseBirdReply } from "../../../src/daemons/bird-socket.js";
import { parseBirdOutput } from "../../../src/daemons/validate.js";
import { parseBirdVersion, parseFrrVersion } from "../../../src/daemons/versions.js";
import { BASELINE, atLeast, capabilitiesOf, describeVersion, versionOf } from "../../../src/core/capabilities.js";
import { BIRD_VERSIONS, FRR_VERSIONS, captured } from "../../helpers/captures.js";

/** "frr-10.3" → "10.3": what the version starts with */
const numberOf = (v: string) => v.slice(v.indexOf("-") + 1);

describe.each(FRR_VERSIONS)("%s", (v) => {
  it("bgpd --version and vtysh's show version name it", () => {
    for (const f of ["bgpd-version.txt", "host1.show-version.txt"]) {
      const parsed = parseFrrVersion(captured("frr", v, f));
      expect(parsed, f).not.toBeNull();
      expect(`${parsed!.major}.${parsed!.minor}`).toBe(numberOf(v));
      expect(parsed!.daemon).toBe("frr");
    }
  });

  it("needs nothing of BIRD's; FRR 10 has the global first-AS knob (its vtysh -C accepts it: the golden matrix)", () => {
    const caps = capabilitiesOf(parseFrrVersion(captured("frr", v, "bgpd-version.txt")));
    expect([caps.birdAuthenticationOption, caps.birdAsyncReconfigure]).toEqual([false, false]);
    expect(caps.frrGlobalEnforceFirstAs).toBe(Number(numberOf(v).split(".")[0]) >= 10);
  });
});

describe.each(BIRD_VERSIONS)("%s", (v) => {
  const cap = (f: string) => captured("bird", v, f);
  const version = () => parseBirdVersion(cap("bird-version.txt"))!;

  it("bird --version, the control socket's greeting and show status name it", () => {
    for (const text of [cap("bird-version.txt"), parseBirdReply(cap("raw.greeting.txt")).text, parseBirdReply(cap("raw.show-status.txt")).text]) {
      const parsed = parseBirdVersion(text);
      expect(parsed, text).not.toBeNull();
      expect(parsed!.text.startsWith(numberOf(v))).toBe(true);
    }
  });

  it("`authentication md5;` is rendered exactly for the versions whose parser knows it", () => {
    const knows = cap("bird-p-password-md5.txt").trim() === "";
    expect(capabilitiesOf(version()).birdAuthenticationOption).toBe(knows);
    // and those versions warn when it is missing
    expect(/Missing authentication option/.test(cap("bird-p-password.txt"))).toBe(knows);
  });

  it("`configure` says \"in progress\" for an unchanged config exactly where it says nothing about sessions", () => {
    const unchanged = parseBirdReply(cap("raw.configure-timeout.txt")).text;
    expect(/Reconfiguration in progress$/.test(unchanged)).toBe(capabilitiesOf(version()).birdAsyncReconfigure);
  });

  it("bird -p's error names the file, line and column whatever the message prefix", () => {
    const out = cap("bird-p-bad.txt");
    const file = /(\/\S+\/bad-bird\.conf)/.exec(out)![1]!;
    const [d] = parseBirdOutput(out, file, []);
    expect(d).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/^column \d+: syntax error/) });
  });

  it("a warning is located too", () => {
    const out = cap("bird-p-password.txt");
    const file = /(\/\S+\/password\.conf)/.exec(out)?.[1];
    const ds = parseBirdOutput(out, file ?? "", []);
    if (capabilitiesOf(version()).birdAuthenticationOption) {
      // one per BGP protocol with a password
      expect(ds.length).toBeGreaterThan(0);
      for (const d of ds) expect(d).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/Missing authentication option/) });
    } else expect(ds).toEqual([]);
  });
});

describe("versions", () => {
  it("compare by major, minor, patch", () => {
    const v = versionOf("bird", "2.17.6")!;
    expect([atLeast(v, 2, 17), atLeast(v, 2, 17, 6), atLeast(v, 2, 17, 7), atLeast(v, 3), atLeast(v, 2, 0, 12)]).toEqual([true, true, false, false, true]);
    expect(versionOf("frr", "10.3-3+deb13u1")).toMatchObject({ major: 10, minor: 3, patch: 0 });
    expect(versionOf("frr", "git")).toBeNull();
  });

  it("BIRD 3.0 (the 2.16 line) has no TCP-AO; 2.17 and 3.1 have", () => {
    const auth = (t: string) => capabilitiesOf(versionOf("bird", t)).birdAuthenticationOption;
    expect(["2.0.12", "2.16.2", "2.17.0", "3.0.1", "3.1.0", "3.2.0"].map(auth)).toEqual([false, false, true, false, true, true]);
  });

  it("nothing learnt: the oldest behaviour, which every version accepts", () => {
    expect(capabilitiesOf(null)).toBe(BASELINE);
    expect(BASELINE.birdAuthenticationOption).toBe(false);
    expect(parseBirdVersion("bird: command not found")).toBeNull();
    expect(parseFrrVersion("vtysh: unrecognized option '--version'")).toBeNull();
  });

  it("reads as people say it", () => {
    expect(describeVersion("frr", versionOf("frr", "10.3"))).toBe("FRR 10.3");
    expect(describeVersion("bird", null)).toBe("BIRD");
  });
});
