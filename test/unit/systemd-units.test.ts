// The packaged units as docs/install.md ("The systemd unit") describes them: both run as the
// unprivileged svcroute user with no capability at all, under the hardening the page lists, and
// the supervisor's unit is a notify service that fails closed. (systemd-analyze verify and
// security judge the units in the packaging gates.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/doc-blocks.js";

/** every value each key is given in a unit file, in order */
function unit(name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(join(ROOT, "packaging/systemd", name), "utf8").split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

const UNITS = ["svcroute.service", "svcroute-withdraw.service"];

/** the identity and hardening the page lists, as each unit must set it */
const HARDENING: [string, string[]][] = [
  ["User", ["svcroute"]],
  ["Group", ["svcroute"]],
  // no capability at all: empty bounding and ambient sets
  ["CapabilityBoundingSet", [""]],
  ["AmbientCapabilities", [""]],
  ["NoNewPrivileges", ["yes"]],
  // only the daemon config directories writable (besides its own state and runtime directories)
  ["ProtectSystem", ["strict"]],
  ["ReadWritePaths", ["-/etc/frr -/etc/bird"]],
  ["ProtectHome", ["yes"]],
  ["PrivateTmp", ["yes"]],
  ["PrivateDevices", ["yes"]],
  ["SystemCallFilter", ["@system-service", "~@privileged @resources"]],
];

describe("packaging/systemd units", () => {
  it.each(UNITS)("%s: the svcroute user, no capability, the hardening docs/install.md lists", (name) => {
    const u = unit(name);
    for (const [key, want] of HARDENING) expect(u.get(key), key).toEqual(want);
    expect(u.get("RestrictAddressFamilies")?.[0], "RestrictAddressFamilies").toMatch(/^AF_UNIX( AF_[A-Z0-9]+)*$/);
  });

  it("docs/install.md lists that hardening", () => {
    const page = readFileSync(join(ROOT, "docs/install.md"), "utf8").replace(/\s+/g, " ");
    expect(page).toContain("Both units run as the unprivileged `svcroute` user with no capability at all.");
    for (const s of ["`ProtectSystem=strict` with only the daemon config directories writable", "`ProtectHome`", "`PrivateTmp`", "`PrivateDevices`", "`NoNewPrivileges`", "empty capability sets", "`RestrictAddressFamilies`", "the `@system-service` system-call filter without `@privileged` and `@resources`"]) {
      expect(page).toContain(s);
    }
  });

  it("svcroute.service: notify with a watchdog, restarted always, reloaded by SIGHUP after a check, svcroute-withdraw.service on failure", () => {
    const u = unit("svcroute.service");
    expect([u.get("Type"), u.get("NotifyAccess"), u.get("Restart"), u.get("OnFailure")]).toEqual([["notify"], ["all"], ["always"], ["svcroute-withdraw.service"]]);
    expect(u.get("ExecReload")).toEqual(["/usr/bin/svcroute check", "/bin/kill -HUP $MAINPID"]);
    expect(unit("svcroute-withdraw.service").get("ExecStart")).toEqual(["/usr/bin/svcroute withdraw --all"]);
  });
});
