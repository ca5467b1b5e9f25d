// The end of a suite that runs supervisors on a lab: registered once per suite file.
import { afterAll, afterEach } from "vitest";
import type { Lab } from "./lab.js";
import { plannedStop, reportEvidence, type Supervised } from "./supervised.js";

/**
 * After every test that failed, the supervisors' logs; after the suite, a planned stop of every
 * supervisor started (their guards leave with them) and the lab taken down. `lab` is read late:
 * unset when beforeAll failed.
 */
export function endSupervisedSuite(lab: () => Lab | undefined, sup: Partial<Record<string, Supervised>>): void {
  const started = () => Object.values(sup).filter((s): s is Supervised => s !== undefined);
  afterAll(async () => {
    const l = lab();
    if (!l) return;
    await plannedStop(l, started().map((s) => s.pid)).catch(() => undefined);
    await l.down();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail" && lab()) await reportEvidence(ctx.task.name, started(), 30, lab());
  });
}
