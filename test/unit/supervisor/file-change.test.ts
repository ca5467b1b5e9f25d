// What the supervisor does with a change its file watch or the rescan reports (the reports
// themselves: test/unit/effects/watch.test.ts).
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../../../src/supervisor/log.js";
import type { Trigger } from "../../../src/supervisor/loop.js";
import { onFilesChanged } from "../../../src/supervisor/manifest-watch.js";

describe("a reported file change", () => {
  it("found by the rescan: a warning that names the file; the manifest is read again", () => {
    const log = memoryLogger();
    const triggers: Trigger[] = [];
    onFilesChanged(log, "/run/svcroute/drain", (t) => triggers.push(t))(["/etc/svcroute/services.d/web.yaml"], "rescan");
    expect(log.lines).toEqual([{ level: "warn", msg: "file change found by the rescan (the file watch missed it): /etc/svcroute/services.d/web.yaml", fields: { op: "manifest" } }]);
    expect(triggers).toEqual(["manifest"]);
  });

  it("seen by the watch: an info line; the drain file alone asks for a drain reconcile, not a reload", () => {
    const log = memoryLogger();
    const triggers: Trigger[] = [];
    onFilesChanged(log, "/run/svcroute/drain", (t) => triggers.push(t))(["/run/svcroute/drain"], "watch");
    expect(log.lines.map((l) => [l.level, l.msg])).toEqual([["info", "file change seen: /run/svcroute/drain"]]);
    expect(triggers).toEqual(["drain"]);
  });
});
