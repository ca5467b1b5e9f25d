// doctor's findings on what a running service's checks and hook report: a failing on_change hook
// (its last run failed or was killed at its timeout) and a failing DNS check, told apart by what
// went wrong (no answer from the server, an unexpected rcode, an answer that does not match). Pure.
import type { Service } from "../manifest/types.js";
import type { ServiceStatus } from "../supervisor/status-types.js";
import type { Finding, FindingCode } from "./types.js";

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** the last on_change run of a service, when it failed */
export function hookFindings(s: ServiceStatus, svc: Service | undefined): Finding[] {
  const h = s.hook;
  if (!h || h.ok) return [];
  const command = svc?.onChange?.command.join(" ") ?? "its on_change command";
  const how = h.timed_out ? `timed out after ${h.timeout_ms} ms and was killed` : h.exit_code !== null ? `exited ${h.exit_code}` : "did not run";
  return [
    {
      area: "supervisor",
      code: "HOOK_FAILED",
      result: "WARN",
      finding: `${s.name}: its on_change hook ${how} at ${clock(h.at)} (for ${h.from} → ${h.to}); announcements are not affected, whatever the hook does`,
      evidence: h.reason,
      fix: [
        `its output and exit status are in the supervisor's log: journalctl -u svcroute -g 'on_change hook' (code HOOK_FAILED, service ${s.name});`,
        `run \`${command}\` by hand as the hook's user with SVCROUTE_SERVICE=${s.name} SVCROUTE_OLD_STATE=${h.from} SVCROUTE_NEW_STATE=${h.to} set`,
        h.timed_out ? `and make it finish sooner or raise services[${s.name}].on_change.timeout` : "and make it exit 0",
      ].join(" "),
    },
  ];
}

type DnsSpec = Extract<Service["checks"][number], { type: "dns" }>;

/** each failing DNS check of a service: why it fails and what to do */
export function dnsFindings(s: ServiceStatus, svc: Service | undefined): Finding[] {
  return s.checks.flatMap((c): Finding[] => {
    if (c.ok || c.type !== "dns") return [];
    const spec = svc?.checks.find((x): x is DnsSpec => x.type === "dns" && x.name === c.name);
    const at = spec ? `${spec.server} port ${spec.port} over ${spec.transport.toUpperCase()}` : "its server";
    const q = spec ? `${spec.record} ${spec.query}` : "its query";
    const rcode = /: ([A-Z]+), .*\(expected ([A-Z]+(?: or [A-Z]+)*)\)$/.exec(c.reason);
    const mismatch = /: ([A-Z]+), but no \S+ answer matches /.test(c.reason);
    const [code, finding, fix]: [FindingCode, string, string] = rcode
      ? [
          "DNS_CHECK_RCODE",
          `${s.name}: DNS check ${c.name}: ${at} answers ${q} with ${rcode[1]}, not ${rcode[2]}`,
          `the server works but does not serve that name as expected: fix its zone or configuration for ${spec?.query ?? "the name"}, or, if ${rcode[1]} is healthy, add it to the check's expect_rcode`,
        ]
      : mismatch
        ? [
            "DNS_CHECK_ANSWER",
            `${s.name}: DNS check ${c.name}: ${at} answers ${q}, but no answer matches the check's answer_regex`,
            `the server answers with other data: correct the record in its zone, or the check's answer_regex (/${spec?.answerRegex ?? "…"}/) if the data is right`,
          ]
        : [
            "DNS_CHECK_NO_ANSWER",
            `${s.name}: DNS check ${c.name}: no answer from ${at} for ${q}`,
            `the DNS server is not running, not listening on ${at}, or the query is dropped: start it, or check that it listens there (ss -lnup / ss -lntp; dig @${spec?.server ?? "SERVER"} -p ${spec?.port ?? 53}${spec?.transport === "tcp" ? " +tcp" : ""} ${spec?.query ?? "NAME"} ${spec?.record ?? "A"}), or correct the check's server, port and transport`,
          ];
    return [{ area: "supervisor", code, result: "WARN", finding, evidence: c.reason, fix }];
  });
}
