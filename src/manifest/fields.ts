// The manifest's field types, shared by every block of the schema: each a strict pattern with a
// description (schema.ts, schema-checks.ts).
import * as z from "zod";
import "../zod.js";
import { DURATION_PATTERN } from "./duration.js";
import * as P from "./patterns.js";

export const duration = (what: string) =>
  z.string().regex(DURATION_PATTERN, { error: 'expected a duration such as "500ms", "2s" or "1m"' }).describe(what);
export const name = (what: string) =>
  z
    .string()
    .regex(P.NAME, { error: "expected a lowercase name: a-z, 0-9 and '-', starting with a letter, at most 32 characters" })
    .describe(what);
export const absPath = (what: string) =>
  z
    .string()
    .regex(P.ABS_PATH, { error: "expected an absolute path of letters, digits and . _ / @ + - (no spaces, quotes or '..')" })
    .describe(what);
export const prefix = z
  .string()
  .regex(P.PREFIX_TEXT, { error: "expected an IPv4 or IPv6 prefix such as 192.0.2.53/32 or 2001:db8::53/128" })
  .describe("IPv4 or IPv6 prefix in ADDRESS/LENGTH form, without host bits");
export const address = z
  .string()
  .regex(P.ADDRESS_TEXT, { error: "expected an IPv4 or IPv6 address" })
  .describe("IPv4 or IPv6 address");
export const community = z
  .string()
  .regex(P.COMMUNITY, { error: 'expected a community "ASN:VALUE" (standard) or "GLOBAL:LOCAL1:LOCAL2" (large)' })
  .describe('BGP community: "65000:100" (standard, 16-bit halves) or "4200000000:1:2" (large, 32-bit parts)');
export const printable = (what: string, max = 4096) =>
  z
    .string()
    .max(max)
    .regex(P.PRINTABLE, { error: "control characters (newline, tab, NUL, ...) are not allowed here" })
    .describe(what);

export const AsnSchema = z
  .int()
  .min(1)
  .max(4294967294)
  .describe("an autonomous system number, 1..4294967294 (23456 and reserved ranges are refused)");
