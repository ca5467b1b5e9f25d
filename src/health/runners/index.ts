// The real runners, by check type.
import type { CheckSpec } from "../../manifest/types.js";
import type { RunFn } from "../types.js";
import { effectiveUser, prepareExec } from "./exec.js";
import { prepareDns } from "./dns.js";
import { prepareFile } from "./file.js";
import { prepareHttp } from "./http.js";
import { prepareTcp } from "./tcp.js";

export function prepareCheck(spec: CheckSpec): RunFn {
  switch (spec.type) {
    case "exec":
      return prepareExec(spec);
    case "http":
      return prepareHttp(spec);
    case "tcp":
      return prepareTcp(spec);
    case "file":
      return prepareFile(spec);
    case "dns":
      return prepareDns(spec);
  }
}

/** One line saying what a check does, for probe output. */
export function describeCheck(spec: CheckSpec): string {
  switch (spec.type) {
    case "exec":
      return `exec ${spec.command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")} (as ${effectiveUser(spec)}${spec.group ? `:${spec.group}` : ""})`;
    case "http":
      return `${spec.method} ${spec.url} expect ${spec.expectStatus.join("/")}${spec.bodyRegex ? ` body /${spec.bodyRegex}/` : ""}${spec.hostHeader ? ` Host ${spec.hostHeader}` : ""}${spec.tlsVerify ? "" : " (TLS unverified)"}`;
    case "tcp":
      return `tcp ${spec.host.includes(":") ? `[${spec.host}]` : spec.host}:${spec.port}${spec.send !== undefined ? ` send ${JSON.stringify(spec.send)}` : ""}${spec.expect !== undefined ? ` expect ${JSON.stringify(spec.expect)}` : ""}`;
    case "file":
      return `file ${spec.path} healthy when ${spec.healthyWhen}`;
    case "dns":
      return `dns ${spec.record} ${spec.query} at ${spec.server.includes(":") ? `[${spec.server}]` : spec.server}:${spec.port}/${spec.transport} expect ${spec.expectRcodes.join("/")}${spec.answerRegex ? ` answer /${spec.answerRegex}/` : ""}`;
  }
}
