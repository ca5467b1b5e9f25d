// BIRD parsers on outputs captured from every BIRD version of the matrix (test/fixtures/captured/bird/).
import { describe, expect, it } from "vitest";
import { bootIdentity, normaliseBgpState, parseBfdSessions, parseInterfaces, parseProtocolsAll, parseRoutePrefixes, parseStatus, uptimeMs } from "../../../src/daemons/bird-parse.js";
import { birdFrameEnd, parseBirdReply } from "../../../src/daemons/bird-socket.js";
import { BIRD_VERSIONS, captured } from "../../helpers/captures.js";

/** a BIRD time text moved by `ms` (BIRD prints local time without a zone) */
function later(t: string, ms: number): string {
  const d = new Date(Date.parse(t.replace(" ", "T")) + ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

describe.each(BIRD_VERSIONS)("%s", (version) => {
  const cap = (f: string) => captured("bird", version, f);
  describe("show protocols all", () => {
    it("an Established session", () => {
      const [p] = parseProtocolsAll(cap("host2.show-protocols-all-established.txt"));
      expect(p).toMatchObject({ name: "tor1_v4", proto: "BGP", state: "up", info: "Established", bgpState: "Established", lastError: null });
      expect(p!.neighborAddress).toMatch(/^169\.254\.\d+\.2$/);
      expect(p!.channels).toEqual([{ name: "ipv4", state: "UP", imported: 1, exported: 2 }]);
      expect(normaliseBgpState(p!)).toBe("Established");
    });

    it("a session failing with Bad peer AS", () => {
      const [p] = parseProtocolsAll(cap("badbird.show-protocols-all-not-established.txt"));
      expect(p).toMatchObject({ state: "start", bgpState: "Idle", lastError: "BGP Error: Bad peer AS" });
      expect(p!.info).toContain("Idle");
      expect(p!.channels[0]).toMatchObject({ state: "DOWN", imported: null, exported: null });
      expect(normaliseBgpState(p!)).toBe("Idle");
    });

    it("the protocol table of a whole daemon", () => {
      const ps = parseProtocolsAll(cap("host2.show-protocols.txt"));
      expect(ps.map((p) => p.proto)).toEqual(expect.arrayContaining(["Device", "Direct", "Kernel", "BFD", "BGP"]));
      expect(ps.filter((p) => p.proto === "BGP").every((p) => normaliseBgpState(p) === "Established")).toBe(true);
      const bad = parseProtocolsAll(cap("badbird.show-protocols.txt")).find((p) => p.proto === "BGP")!;
      expect(normaliseBgpState(bad)).not.toBe("Established");
    });
  });

  describe("routes and status", () => {
    it("exported prefixes, IPv4 and IPv6", () => {
      expect(parseRoutePrefixes(cap("host2.show-route-export-v4.txt")).sort()).toEqual(["192.0.2.100/32", "192.0.2.12/32"]);
      expect(parseRoutePrefixes(cap("host2.show-route-export-v6.txt")).sort()).toEqual(["2001:db8::100/128", "2001:db8::12/128"]);
    });

    it("show status gives the instance identity and server time", () => {
      const s = parseStatus(parseBirdReply(cap("raw.show-status.txt")).text);
      expect(s.lastReboot).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      expect(s.serverTime).toMatch(/^\d{4}-\d\d-\d\d /);
      expect(uptimeMs(s.lastReboot!.split(" ")[1]!, s.serverTime)).toBeGreaterThanOrEqual(0);
    });

    it("the instance identity of a running daemon stays put while its reboot time moves by milliseconds", () => {
      const s = parseStatus(parseBirdReply(cap("raw.show-status.txt")).text);
      const first = bootIdentity(undefined, s);
      expect(first.id).toBe(s.lastReboot);
      const moved = { serverTime: later(s.serverTime!, 1000), lastReboot: later(s.lastReboot!, 3) };
      const again = bootIdentity(first.memo, moved);
      expect(again.id).toBe(s.lastReboot);
      // a restart: booted after the last reading of the old instance
      const restarted = { serverTime: later(s.serverTime!, 9000), lastReboot: later(s.serverTime!, 5000) };
      const r = bootIdentity(again.memo, restarted);
      expect(r.id).toBe(restarted.lastReboot);
      expect(bootIdentity(r.memo, { ...restarted, serverTime: later(restarted.serverTime, 500) }).id).toBe(restarted.lastReboot);
      // the clock stepped back across a restart: a boot time far from the remembered one is new
      const stepped = { serverTime: later(s.serverTime!, -3_600_000), lastReboot: later(s.serverTime!, -3_700_000) };
      expect(bootIdentity(r.memo, stepped).id).toBe(stepped.lastReboot);
    });

  });

  describe("control socket replies", () => {
    it.each([
      ["raw.greeting.txt", 1, true, new RegExp(`^BIRD ${version.slice("bird-".length).replace(/\./g, "\\.")}[.\\d]* ready\\.$`)],
      ["raw.disable.txt", 0, true, /^svc: disabled$/],
      ["raw.disable-again.txt", 0, true, /already disabled/],
      ["raw.enable.txt", 0, true, /^svc: enabled$/],
      // BIRD 3 reconfigures in the background: "Reconfiguration in progress" (code 4) even when nothing changed
      ["raw.configure-timeout.txt", version.startsWith("bird-3") ? 4 : 3, true, /Undo scheduled in 30 s\nReconfigur(ed|ation in progress)$/],
      ["raw.configure-confirm.txt", 18, true, /^Reconfiguration confirmed$/],
      ["raw.unknown-command.txt", 9001, false, /syntax error/],
      ["raw.unknown-protocol.txt", 9001, false, /syntax error/],
    ])("%s", (file, code, ok, text) => {
      const r = parseBirdReply(cap(file));
      expect([r.code, r.ok]).toEqual([code, ok]);
      expect(r.text).toMatch(text);
    });

    it("a reply's end is found as its chunks arrive, the scan resuming where the last one stopped: at every split, as a scan of the whole", () => {
      for (const file of ["raw.show-route-export.txt", "raw.show-protocols-all.txt", "raw.greeting.txt", "raw.unknown-command.txt"]) {
        const reply = cap(file);
        expect(birdFrameEnd(reply), file).toBe(reply.length);
        // the next reply already behind it does not move the end
        expect(birdFrameEnd(reply + reply), file).toBe(reply.length);
        for (const size of [1, 2, 3, 5, 7, 16, 64]) {
          let checked = 0;
          let end = -1;
          for (let n = size; end < 0 && n < reply.length + size; n += size) {
            const buf = reply.slice(0, Math.min(n, reply.length));
            end = birdFrameEnd(buf, checked);
            if (end < 0) checked = buf.length;
          }
          expect(end, `${file} in chunks of ${size}`).toBe(reply.length);
        }
      }
    });

    it("multi-line replies keep continuation lines", () => {
      const r = parseBirdReply(cap("raw.show-route-export.txt"));
      expect(parseRoutePrefixes(r.text).sort()).toEqual(["192.0.2.100/32", "192.0.2.12/32"]);
      const p = parseProtocolsAll(parseBirdReply(cap("raw.show-protocols-all.txt")).text);
      expect(p[0]).toMatchObject({ bgpState: "Established" });
    });

    it("show bfd sessions: each session's address and state, the header and greeting skipped", () => {
      // (in BIRD's own order, which varies)
      expect(parseBfdSessions(cap("host2.show-bfd-sessions.txt")).sort((a, b) => a.address.localeCompare(b.address))).toEqual([
        { address: "169.254.3.2", state: "Up" },
        { address: "169.254.4.2", state: "Up" },
        { address: "fd00:3::2", state: "Up" },
        { address: "fd00:4::2", state: "Up" },
      ]);
      // badbird's BFD may be up or coming up, whatever its BGP does
      const [bad, ...more] = parseBfdSessions(cap("badbird.show-bfd-sessions.txt"));
      expect(more).toEqual([]);
      expect(bad!.address).toBe("169.254.7.2");
      expect(["Up", "Init", "Down", "AdminDown"]).toContain(bad!.state);
    });

    it("show interfaces names every interface BIRD knows", () => {
      expect(parseInterfaces(parseBirdReply(cap("raw.show-interfaces.txt")).text).sort()).toEqual(["eth0", "eth1", "lo", "svc0"]);
    });
  });
});

describe("uptime", () => {
  it.each([
    ["10:00:00.000", "2026-11-25 10:00:05.500", 5500],
    ["23:59:59.000", "2026-11-25 00:00:01.000", 2000],
    ["2026-11-20 10:00:00", "2026-11-25 10:00:00.000", 5 * 86_400_000],
  ])("uptime from %s at %s", (since, now, ms) => expect(uptimeMs(since, now)).toBe(ms));
});

