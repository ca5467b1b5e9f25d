// Doctor rules for the manifest: loadable, valid, and its files and secrets safe to read.
import { formatProblem } from "../../errors.js";
import type { Check, Finding } from "../types.js";
import { ok, octal, excerpt } from "./common.js";

export const manifestChecks: Check = (f) => {
  const out: Finding[] = [];
  if (!f.load.manifest) {
    out.push({
      area: "manifest",
      code: f.load.stage === "io" ? "MANIFEST_UNREADABLE" : "MANIFEST_INVALID",
      result: "FAIL",
      finding: `${f.manifestPath}: ${f.load.problems.length} problem(s); the supervisor keeps running the last good manifest`,
      evidence: excerpt(f.load.problems.map(formatProblem), 10),
      fix: "fix the lines above (`svcroute check` shows the same list), then `systemctl reload svcroute`",
    });
  } else {
    out.push(ok("manifest", `${f.load.files.length} file(s) valid: ${f.load.manifest.services.length} service(s), ${f.load.manifest.peers.length} peer(s)`));
    // valid, but something in it cannot do what it says (a field with no effect, a prefix never announced)
    for (const w of f.load.warnings) {
      out.push({ area: "manifest", code: "MANIFEST_WARNING", result: "WARN", finding: `${w.file}:${w.line}:${w.col}  ${w.path}  ${w.message}`, ...(w.hint ? { fix: w.hint } : {}) });
    }
  }
  for (const file of [f.files.manifest, f.files.dropInDir]) {
    if (file.exists && file.mode !== undefined && (file.mode & 0o002) !== 0) {
      out.push({
        area: "manifest",
        code: "MANIFEST_UNSAFE_PERMISSIONS",
        result: "FAIL",
        finding: `${file.path} is world-writable (mode ${octal(file.mode)}): anyone on this host could change what it announces`,
        fix: `chmod o-w ${file.path}`,
      });
    }
  }
  for (const s of f.files.secrets) {
    if (!s.exists) {
      out.push({ area: "manifest", code: "SECRET_MISSING", result: "FAIL", finding: `password file ${s.path} is missing${s.error ? ` (${s.error})` : ""}`, fix: `create it with the session password on one line, mode 0640: install -m 0640 /dev/null ${s.path}` });
    } else if (s.mode !== undefined && (s.mode & 0o007) !== 0) {
      out.push({ area: "manifest", code: "SECRET_UNSAFE_PERMISSIONS", result: "FAIL", finding: `password file ${s.path} is readable by other users (mode ${octal(s.mode)})`, fix: `chmod 0640 ${s.path}` });
    }
  }
  return out;
};
