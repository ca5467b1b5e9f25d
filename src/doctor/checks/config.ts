// Doctor rules for the config file: present, svcroute's own, current, not hand-edited, the one running.
import type { Check, Finding } from "../types.js";
import { ok, excerpt } from "./common.js";

export const configChecks: Check = (f) => {
  const m = f.manifest;
  if (!m) return [];
  const c = f.config;
  const out: Finding[] = [];
  if (!c.file.exists) {
    return [{ area: "config", code: "CONFIG_MISSING", result: "FAIL", finding: `${c.file.path} does not exist: svcroute has not written a config yet`, fix: "start the supervisor: systemctl start svcroute" }];
  }
  if (c.file.text === undefined) {
    return [
      {
        area: "config",
        code: "CONFIG_SKIPPED",
        result: "SKIP",
        finding: `${c.file.path} could not be read by this user (${c.file.readError ?? "unreadable"}): it was not checked`,
        fix: "run svcroute doctor as root",
      },
    ];
  }
  const supervised = f.supervisor.status !== null;
  if (c.checksum === "foreign") {
    out.push({
      area: "config",
      code: "CONFIG_NOT_SVCROUTE",
      result: "FAIL",
      finding: `${c.file.path} was not written by svcroute (no svcroute header)`,
      evidence: excerpt((c.file.text ?? "").split("\n"), 3),
      fix: "let svcroute own it: move any hand-written config away and restart svcroute, which writes the file",
    });
  } else if (c.checksum === "edited") {
    out.push({
      area: "config",
      code: "CONFIG_HAND_EDITED",
      result: "FAIL",
      finding: `${c.file.path} was edited after svcroute wrote it (checksum mismatch); ${supervised ? "the supervisor replaces it on its next verification" : "the supervisor replaces it when it starts"}`,
      fix: "put the change in the manifest instead; `svcroute diff` shows what differs; `systemctl reload svcroute` rewrites the file",
    });
  }
  const marker = /svcroute-managed manifest=([0-9a-f]{12})/.exec(c.file.text ?? "")?.[1];
  if (c.checksum === "intact" && marker && marker !== m.hash.slice(0, 12)) {
    out.push({
      area: "config",
      code: "CONFIG_STALE",
      result: "FAIL",
      finding: `${c.file.path} was rendered from another manifest (${marker}, the manifest on disk is ${m.hash.slice(0, 12)}): the last change was not applied`,
      ...(c.parserCheck && !c.parserCheck.ok ? { evidence: `${c.parserCheck.judges.join(" + ")} rejects what the manifest on disk renders:\n${c.parserCheck.evidence}` } : {}),
      fix:
        c.parserCheck && !c.parserCheck.ok
          ? "the daemon refuses the new config: change the manifest back (or fix what the evidence names), then `systemctl reload svcroute`; `svcroute diff` shows the change"
          : "see the supervisor findings below for why (a rejected config or a failed reload); `svcroute diff` shows the change; `systemctl reload svcroute` retries",
    });
  }
  if (c.runningDiff && (c.runningDiff.toAdd.length || c.runningDiff.toDelete.length)) {
    out.push({
      area: "config",
      code: "CONFIG_NOT_RUNNING",
      result: "FAIL",
      finding: `the running ${m.daemon.type} config differs from ${c.file.path}`,
      evidence: excerpt([...c.runningDiff.toDelete.map((l) => `- ${l}`), ...c.runningDiff.toAdd.map((l) => `+ ${l}`)], 12),
      fix: `${supervised ? "the supervisor re-applies it on its next verification" : "the supervisor is not running to re-apply it"}; by hand: svcroute diff, then systemctl reload svcroute`,
    });
  }
  if (m.daemon.type === "bird" && c.birdProtocols && c.protocolsInFile) {
    // BIRD cannot print its running config. svcroute's fast path switches service statics with
    // `birdc enable|disable` and then rewrites the file without a reconfiguration, so a file newer
    // than the last reconfiguration proves nothing: compare the protocols instead.
    const running = new Map(c.birdProtocols.map((x) => [x.name, x]));
    const inFile = c.protocolsInFile;
    const fileNames = new Set(inFile.map((x) => x.name));
    const diffs: string[] = [];
    for (const p of inFile) {
      const r = running.get(p.name);
      if (!r) diffs.push(`+ protocol ${p.proto} ${p.name}: in the file, not running`);
      else if (p.proto === "static" && p.disabled !== (r.state === "down")) diffs.push(`~ protocol static ${p.name}: ${p.disabled ? "disabled" : "enabled"} in the file, ${r.state} in BIRD`);
    }
    // only svcroute's own names: BIRD names unnamed protocols itself (device1, …)
    for (const r of c.birdProtocols) if (/^(peer_|svc[46]_)/.test(r.name) && !fileNames.has(r.name)) diffs.push(`- protocol ${r.proto.toLowerCase()} ${r.name}: running, not in the file`);
    const newer = c.lastReconfigMs !== null && c.file.mtimeMs !== undefined && c.file.mtimeMs > c.lastReconfigMs + 1000;
    if (diffs.length) {
      out.push({
        area: "config",
        code: "CONFIG_NOT_RUNNING",
        result: "FAIL",
        finding: `the running BIRD differs from ${c.file.path}${newer ? " (the file changed after BIRD last loaded a config)" : ""}`,
        evidence: excerpt(diffs, 12),
        fix: `${supervised ? "the supervisor re-applies it on its next verification" : "the supervisor is not running to re-apply it"}; by hand: birdc configure (then check \`svcroute diff\`)`,
      });
    }
  }
  const equal = c.runningDiff ? ", and equals the running config" : m.daemon.type === "bird" && c.birdProtocols ? ", and BIRD runs its protocols as the file says" : "";
  if (!out.length) out.push(ok("config", `${c.file.path} is svcroute's, unchanged${equal}`));
  return out;
};

/** ADDRESS is on the subnet of the interface address IFADDR/LEN (a /32 or /128 has no neighbours) */
