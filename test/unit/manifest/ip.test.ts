import { describe, expect, it } from "vitest";
import { canonicalIP, parsePrefix, prefixContains, mustParsePrefix, formatIPv6, parseIPv6 } from "../../../src/manifest/ip.js";
import { formatDuration, parseDuration } from "../../../src/manifest/duration.js";

describe("parsePrefix", () => {
  it.each([
    ["192.0.2.53/32", "192.0.2.53/32"],
    ["192.0.2.0/24", "192.0.2.0/24"],
    ["2001:db8::53/128", "2001:db8::53/128"],
    ["2001:DB8:0:0:0:0:0:53/128", "2001:db8::53/128"],
    ["2001:db8:100::/48", "2001:db8:100::/48"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["::/0", "::/0"],
  ])("accepts %s as %s", (input, canonical) => {
    const r = parsePrefix(input);
    expect(r.ok && r.prefix.text).toBe(canonical);
  });

  it.each([
    ["192.0.2.53/24", "host bits are set", "192.0.2.0/24"],
    ["2001:db8::1/64", "host bits are set", "2001:db8::/64"],
    ["192.0.2.53", "not a prefix", undefined],
    ["192.0.2.256/32", "is not an IPv4 or IPv6 address", undefined],
    ["192.0.2.053/32", "is not an IPv4 or IPv6 address", undefined],
    ["192.0.2.1/33", "out of range", undefined],
    ["192.0.2.1/032", "out of range", undefined],
    ["2001:db8::1::2/128", "is not an IPv4 or IPv6 address", undefined],
    ["fe80::1%eth0/128", "is not an IPv4 or IPv6 address", undefined],
    ["::ffff:192.0.2.1/128", "is not an IPv4 or IPv6 address", undefined],
    ["2001:db8::/129", "out of range", undefined],
  ])("rejects %s (%s)", (input, reason, suggestion) => {
    const r = parsePrefix(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(reason);
      expect(r.suggestion).toBe(suggestion);
    }
  });
});

describe("prefixContains", () => {
  it.each([
    ["192.0.2.0/24", "192.0.2.53/32", true],
    ["192.0.2.0/24", "192.0.2.0/24", true],
    ["192.0.2.0/25", "192.0.2.200/32", false],
    ["192.0.2.0/24", "192.0.0.0/16", false],
    ["2001:db8:100::/48", "2001:db8:100::53/128", true],
    ["2001:db8:100::/48", "2001:db8:101::53/128", false],
    ["192.0.2.0/24", "2001:db8::/32", false],
  ])("%s ⊇ %s is %s", (outer, inner, want) => {
    expect(prefixContains(mustParsePrefix(outer), mustParsePrefix(inner))).toBe(want);
  });
});

describe("IPv6 text", () => {
  it.each([
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["fd00:0:0:0:0:0:0:0", "fd00::"],
  ])("canonical form of %s is %s (RFC 5952)", (input, want) => {
    expect(formatIPv6(parseIPv6(input)!)).toBe(want);
    expect(canonicalIP(input)).toBe(want);
  });
});

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2000],
    ["1m", 60_000],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
    ["0s", 0],
  ])("%s = %d ms", (s, ms) => expect(parseDuration(s)).toBe(ms));

  it.each(["", "2", "2 s", "-1s", "1.5s", "2sec", "1d", "s"])("rejects %j", (s) => expect(parseDuration(s)).toBeNull());

  it.each([
    [1000, "1s"],
    [1500, "1500ms"],
    [120_000, "2m"],
    [0, "0s"],
  ])("formats %d as %s", (ms, s) => expect(formatDuration(ms)).toBe(s));
});
