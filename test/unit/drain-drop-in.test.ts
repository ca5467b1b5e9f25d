// The shipped drop-in that drains a protected service before it stops: the documentation quotes
// it as shipped, and it runs the drain with --wait before the stop and the undrain after the start.
// (systemd-analyze verify judges it in the packaging gates.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/doc-blocks.js";
import { runCli } from "../helpers/cli.js";

const dropIn = readFileSync(join(ROOT, "packaging/examples/drain-before-stop.conf"), "utf8");
const settings = dropIn.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describe("packaging/examples/drain-before-stop.conf", () => {
  it("drains with --wait when the service stops and undrains once it started, tolerating a stopped svcroute", () => {
    expect(settings).toEqual([
      "[Unit]",
      "After=svcroute.service",
      "[Service]",
      "ExecStartPost=-+/usr/bin/svcroute undrain web",
      "ExecStop=-+/usr/bin/svcroute drain --wait --timeout 60s web",
      "TimeoutStopSec=90s",
    ]);
  });

  it("is quoted in docs/supervisor.md as shipped", () => {
    const doc = readFileSync(join(ROOT, "docs/supervisor.md"), "utf8");
    const block = /```ini\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(block.split("\n").filter(Boolean)).toEqual(settings);
  });

  it("every option its command lines use is one the subcommand has", async () => {
    for (const line of settings.filter((l) => l.includes("/usr/bin/svcroute"))) {
      const [sub, ...args] = line.split("/usr/bin/svcroute ")[1]!.split(" ");
      const help = (await runCli([sub!, "--help"])).out;
      for (const opt of args.filter((a) => a.startsWith("--"))) expect(help, `${sub} ${opt}`).toMatch(new RegExp(`^\\s+${opt}\\b`, "m"));
    }
  });
});
