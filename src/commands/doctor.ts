// `svcroute doctor`: find what is wrong on this box, explain it, and say how to fix it.
// Exit code = worst result: 0 all PASS, 1 a WARN, 2 a FAIL.
import type { Io } from "../io.js";
import { diagnose } from "../doctor/checks.js";
import { doctorText } from "../doctor/format.js";
import { gatherFacts } from "../doctor/gather.js";
import { worst, type Result } from "../doctor/types.js";
import { exec } from "../effects/exec.js";
import { resolveManifestPath } from "../manifest/read.js";

const EXIT: Record<Result, number> = { PASS: 0, SKIP: 0, WARN: 1, FAIL: 2 };

export async function doctorCommand(io: Io, opts: { manifest?: string; socket?: string; json?: boolean }): Promise<number> {
  const facts = await gatherFacts({ manifestPath: resolveManifestPath(opts.manifest, io.env), socket: opts.socket, exec });
  const findings = diagnose(facts);
  const w = worst(findings);
  if (opts.json) io.out(JSON.stringify({ result: w, findings }, null, 2));
  else io.out(doctorText(findings));
  return EXIT[w];
}
