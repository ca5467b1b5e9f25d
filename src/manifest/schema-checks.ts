// The manifest schema of health checks and on_change hooks (part of schema.ts's ManifestSchema).
import * as z from "zod";
import "../zod.js";
import { DEFAULTS as D, showDuration as dur } from "./defaults.js";
import { absPath, address, duration, name, printable } from "./fields.js";
import * as P from "./patterns.js";

const checkCommon = {
  name: name("a name for this check, shown in status and logs (default: its type and position)").optional(),
  timeout: duration("how long one run may take before it counts as a failure (default: the service's timeout)").optional(),
};

/** what runs a program, for an exec check and an on_change hook alike (`what`: "check", "hook") */
const programFields = (what: string) => ({
  command: z
    .array(printable("an argv element"))
    .min(1)
    .max(64)
    .describe(`argv of the ${what} program (never run through a shell); the first element is an absolute path`),
  user: z
    .string()
    .regex(P.USER, { error: "expected a user name" })
    .describe(`the user the ${what} runs as (default: "nobody" when svcroute runs as root, else svcroute's own user; "root" only when written here)`)
    .optional(),
  group: z
    .string()
    .regex(P.USER, { error: "expected a group name" })
    .describe(`the group the ${what} runs as (default: the user's primary group)`)
    .optional(),
  env: z
    .record(z.string().regex(P.ENV_KEY, { error: "expected an environment variable name" }), printable("value", 1024))
    .describe(`environment variables for the ${what} (the environment is otherwise minimal: PATH, LANG=C)`)
    .optional(),
});

const ExecCheckSchema = z
  .strictObject({
    type: z.literal("exec"),
    ...checkCommon,
    ...programFields("check"),
    cwd: absPath(`working directory (default ${D.check.cwd})`).optional(),
  })
  .describe("run a program: exit status 0 is healthy, anything else (or a timeout) is not");

const HEALTH_STATES = ["INIT", "RISING", "UP", "FALLING", "DEGRADED", "DOWN", "DISABLED"] as const;

export const HookSchema = z
  .strictObject({
    ...programFields("hook"),
    timeout: duration(`the hook is killed (its whole process group) after this long (default ${dur(D.hook.timeoutMs)})`).optional(),
    when: z
      .array(z.enum(HEALTH_STATES))
      .min(1)
      .max(HEALTH_STATES.length)
      .describe(`the health states whose arrival runs the hook (default [${D.hook.when.join(", ")}])`)
      .optional(),
  })
  .describe(
    "a program run when a service's health state changes, with SVCROUTE_SERVICE, SVCROUTE_OLD_STATE, SVCROUTE_NEW_STATE, SVCROUTE_REASON, SVCROUTE_CAUSE, SVCROUTE_ANNOUNCED and SVCROUTE_TIME in its environment; it never delays or blocks an announcement or withdrawal; its exit status and output are logged",
  );

const HttpCheckSchema = z
  .strictObject({
    type: z.literal("http"),
    ...checkCommon,
    url: z
      .string()
      .regex(P.HTTP_URL, { error: "expected an http:// or https:// URL without spaces or quotes" })
      .describe("URL to request, normally on loopback or the service address"),
    method: z.enum(["GET", "HEAD", "POST"]).describe(`HTTP method (default ${D.check.method})`).optional(),
    expect_status: z
      .array(z.int().min(100).max(599))
      .min(1)
      .max(32)
      .describe(`status codes that count as healthy (default [${D.check.expectStatus.join(", ")}])`)
      .optional(),
    body_regex: printable("a regular expression the response body must match", 512).optional(),
    host_header: z
      .string()
      .regex(P.HOSTNAME, { error: "expected a host name" })
      .describe("Host header to send (default: from the URL)")
      .optional(),
    tls_verify: z
      .boolean()
      .describe(`verify the server's TLS certificate (default ${D.check.tlsVerify}; false for self-signed)`)
      .optional(),
  })
  .describe("an HTTP(S) request whose status (and optionally body) decides health");

const TcpCheckSchema = z
  .strictObject({
    type: z.literal("tcp"),
    ...checkCommon,
    host: address.describe("IP address to connect to (no DNS: checks must not depend on it)"),
    port: z.int().min(1).max(65535).describe("TCP port"),
    send: z
      .string()
      .max(1024)
      .regex(P.WIRE_TEXT, { error: "only printable text, tab, CR and LF may be sent" })
      .describe("bytes to send after connecting")
      .optional(),
    expect: z
      .string()
      .max(1024)
      .regex(P.WIRE_TEXT, { error: "only printable text, tab, CR and LF may be expected" })
      .describe("the reply must start with these bytes")
      .optional(),
  })
  .describe("a TCP connect (optionally send bytes and expect a reply prefix)");

const FileCheckSchema = z
  .strictObject({
    type: z.literal("file"),
    ...checkCommon,
    path: absPath("the file to look at"),
    healthy_when: z
      .enum(["exists", "absent"])
      .describe('healthy while the path "exists" (default) or is "absent" (a maintenance switch)')
      .optional(),
  })
  .describe("healthy while a path exists (or is absent)");

export const DNS_RECORDS = ["A", "AAAA", "SOA", "NS", "MX", "TXT", "CNAME", "PTR", "SRV", "CAA"] as const;
export const DNS_RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"] as const;

const DnsCheckSchema = z
  .strictObject({
    type: z.literal("dns"),
    ...checkCommon,
    query: z
      .string()
      .regex(P.DNS_NAME, { error: "expected a DNS name such as www.example.org (letters, digits, '-', '_' and dots)" })
      .describe("the name to ask for"),
    record: z.enum(DNS_RECORDS).describe(`the record type asked for (default ${D.check.dnsRecord})`).optional(),
    server: address.describe("the DNS server's address (default: the service's `address`, else the address of its first /32 or /128 prefix)").optional(),
    port: z.int().min(1).max(65535).describe(`the server's port (default ${D.check.dnsPort})`).optional(),
    transport: z.enum(["udp", "tcp"]).describe(`UDP or TCP (default ${D.check.dnsTransport})`).optional(),
    expect_rcode: z
      .array(z.enum(DNS_RCODES))
      .min(1)
      .max(DNS_RCODES.length)
      .describe(`response codes that count as healthy (default [${D.check.dnsRcodes.join(", ")}])`)
      .optional(),
    answer_regex: printable("a regular expression one answer of the asked type must match, e.g. ^192\\.0\\.2\\.53$ (default: any answer, or none)", 512).optional(),
    recursion: z.boolean().describe(`ask for recursion (the RD flag; default ${D.check.dnsRecursion})`).optional(),
  })
  .describe("a DNS query to a server: healthy on an expected response code (and, optionally, an answer that matches)");

export const CheckSchema = z
  .discriminatedUnion("type", [ExecCheckSchema, HttpCheckSchema, TcpCheckSchema, FileCheckSchema, DnsCheckSchema])
  .describe("one health check; `type` is exec, http, tcp, file or dns");
