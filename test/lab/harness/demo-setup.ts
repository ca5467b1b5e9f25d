// What `npm run lab` needs before it can build a fabric: root, the routing daemons (installed with
// apt when missing and allowed), network namespaces that can be created, and a fresh bundle.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { LabError } from "./errors.js";
import { FRR_LIBEXEC } from "./frr.js";
import { BIRD_REQUIREMENTS, FRR_REQUIREMENTS, IP, findProgram, type Requirement } from "./preflight.js";
import { printed } from "../../helpers/printed.js";

export const ROOT = resolve(import.meta.dirname, "../../..");

/** programs the demo runs, by the Debian package that ships them */
export const DEMO_REQUIREMENTS: Requirement[] = [...FRR_REQUIREMENTS, ...BIRD_REQUIREMENTS, IP, { program: "sysctl", apt: "procps" }, { program: "setsid", apt: "util-linux" }];

export function requireRoot(uid = process.getuid?.() ?? -1): void {
  if (uid === 0) return;
  throw new LabError("npm run lab must run as root: it creates network namespaces (ip netns), virtual links between them and starts FRR and BIRD inside them", {
    hint: "run it as root, e.g. `sudo npm run lab`; besides installing frr and bird2 with apt when they are missing, it changes nothing outside those namespaces and /tmp/svrl",
  });
}

/** "program (package)" for every program the demo needs and cannot find */
export function missingPrograms(find = findProgram): string[] {
  return DEMO_REQUIREMENTS.filter((r) => find(r.program) === undefined).map((r) => `${r.program} (${r.apt})`);
}

/** the Debian packages whose programs are missing, in a stable order */
export function missingPackages(find = findProgram): string[] {
  return [...new Set(DEMO_REQUIREMENTS.filter((r) => find(r.program) === undefined).map((r) => r.apt))];
}

/**
 * apt-get install the packages. Throws a LabError with apt's last output when that fails, and when
 * there is no apt-get (not Debian/Ubuntu).
 */
export function aptInstall(pkgs: readonly string[]): void {
  const manual = `install them with your package manager (Debian/Ubuntu names: ${pkgs.join(" ")}), then run npm run lab again`;
  if (!findProgram("apt-get")) throw new LabError(`missing packages: ${pkgs.join(" ")} and there is no apt-get here`, { hint: manual });
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const steps: [string, string[]][] = [
    ["apt-get", ["update", "-qq"]],
    ["apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { env, encoding: "utf8", timeout: 600_000 });
    if (r.status !== 0) {
      const out = printed(r).trim().split("\n").slice(-15).join("\n");
      throw new LabError(`\`${cmd} ${args.join(" ")}\` failed (exit ${r.status ?? r.signal})`, { details: out, hint: manual });
    }
  }
}

/** systemd as PID 1: the Debian packages then start frr.service and bird.service on install */
export function systemdRunning(): boolean {
  try {
    return statSync("/run/systemd/system").isDirectory();
  } catch {
    return false;
  }
}

/** Creates and deletes a throwaway namespace, so a host that cannot make them fails early and clearly. */
export function probeNamespaces(): void {
  const ns = `svrlprobe${process.pid}`;
  const add = spawnSync("ip", ["netns", "add", ns], { encoding: "utf8" });
  if (add.status === 0) {
    spawnSync("ip", ["netns", "del", ns]);
    return;
  }
  spawnSync("ip", ["netns", "del", ns]);
  throw new LabError("cannot create network namespaces, which the demo's switches and hosts live in", {
    details: `ip netns add ${ns}: ${printed(add).trim() || `exit ${add.status}`}`,
    hint:
      "it needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN and a writable /run/netns; " +
      "in a container, start the container with --privileged",
  });
}

/** `npm run build`'s script; returns its one-line summary */
export function buildBundle(): string {
  const r = spawnSync(process.execPath, [join(ROOT, "packaging/build.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new LabError("building svcroute failed (node packaging/build.mjs)", { details: `${r.stdout}${r.stderr}`, hint: "run `npm ci` first" });
  return r.stdout.trim().split("\n").pop() ?? "";
}

/** version strings of the daemons, for the narration */
export function daemonVersions(): string {
  const v = (cmd: string, args: string[], re: RegExp): string => {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return re.exec(printed(r))?.[1] ?? "?";
  };
  const frr = v(join(FRR_LIBEXEC, "bgpd"), ["--version"], /bgpd version\s+([\d.]+)/i);
  const bird = v(findProgram("bird") ?? "bird", ["--version"], /BIRD version\s+([\d.]+)/i);
  return `FRR ${frr}, BIRD ${bird}`;
}
