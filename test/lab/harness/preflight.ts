// Refuse early, and say how to fix it, when the lab cannot run here.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { LabError } from "./errors.js";
import { FRR_LIBEXEC } from "./frr.js";

export interface Requirement {
  /** absolute path, or a program name looked up on PATH */
  program: string;
  apt: string;
}

export const IP: Requirement = { program: "ip", apt: "iproute2" };
export const FRR_REQUIREMENTS: Requirement[] = [
  ...["zebra", "bgpd", "staticd", "bfdd"].map((d) => ({ program: join(FRR_LIBEXEC, d), apt: "frr" })),
  { program: "vtysh", apt: "frr" },
  { program: join(FRR_LIBEXEC, "frr-reload.py"), apt: "frr-pythontools" },
];
export const BIRD_REQUIREMENTS: Requirement[] = [
  { program: "bird", apt: "bird2" },
  { program: "birdc", apt: "bird2" },
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findProgram(program: string, path = process.env.PATH ?? ""): string | undefined {
  if (program.includes("/")) return executable(program) ? program : undefined;
  // sbin is not on every PATH, but bird lives there
  const dirs = [...path.split(delimiter), "/usr/sbin", "/sbin"].filter(Boolean);
  return dirs.map((d) => join(d, program)).find(executable);
}

/** Throws one error naming every missing program and the apt packages that provide them. */
export function checkPrograms(reqs: readonly Requirement[], find = findProgram): void {
  const missing = reqs.filter((r) => find(r.program) === undefined);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((r) => r.apt))];
  throw new LabError(`missing programs: ${missing.map((r) => r.program).join(", ")}`, {
    hint: `apt-get install -y ${pkgs.join(" ")}`,
  });
}

export function checkRoot(uid = process.getuid?.() ?? -1): void {
  if (uid !== 0) {
    throw new LabError("the lab must run as root (it creates network namespaces and starts routing daemons)", {
      hint: "run it with sudo, e.g. `sudo npx vitest run --project lab`",
    });
  }
}

export function preflight(needs: { frr: boolean; bird: boolean }): void {
  checkRoot();
  checkPrograms([IP, ...(needs.frr ? FRR_REQUIREMENTS : []), ...(needs.bird ? BIRD_REQUIREMENTS : [])]);
}
