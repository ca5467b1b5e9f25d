// The naive baseline's FRR config edits (test/bench/lib/naive.ts) on a rendered config: the
// bench's baseline B must keep one export entry per service to edit, as per-service filters do.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { frrExactExport, frrWithoutExport } from "../bench/lib/naive.js";

const golden = readFileSync(join(import.meta.dirname, "../golden/__golden__/drain.frr.conf"), "utf8");
const exportLines = (t: string) => t.split("\n").filter((l) => /^ipv?6? prefix-list SVCR-EXPORT-/.test(l));

describe("naive baseline: FRR export prefix-list edits", () => {
  it("svcroute's aggregates become one exact entry per prefix, per family, where the list was", () => {
    expect(exportLines(golden)).toEqual(["ip prefix-list SVCR-EXPORT-V4 seq 10 permit 192.0.2.0/24 le 32", "ipv6 prefix-list SVCR-EXPORT-V6 seq 10 permit 2001:db8:100::/48 le 128"]);
    const exact = frrExactExport(golden, ["192.0.2.50/32", "192.0.2.51/32", "2001:db8:100::50/128"]);
    expect(exportLines(exact)).toEqual([
      "ip prefix-list SVCR-EXPORT-V4 seq 10 permit 192.0.2.50/32",
      "ip prefix-list SVCR-EXPORT-V4 seq 20 permit 192.0.2.51/32",
      "ipv6 prefix-list SVCR-EXPORT-V6 seq 10 permit 2001:db8:100::50/128",
    ]);
    expect(exact.split("\n").filter((l) => !/^ipv?6? prefix-list SVCR-EXPORT-/.test(l))).toEqual(golden.split("\n").filter((l) => !/^ipv?6? prefix-list SVCR-EXPORT-/.test(l)));
  });

  it("one service's entry is dropped; a prefix with no exact entry (svcroute's own aggregates) is refused", () => {
    const exact = frrExactExport(golden, ["192.0.2.50/32", "192.0.2.51/32"]);
    expect(exportLines(frrWithoutExport(exact, "192.0.2.50/32"))).toEqual(["ip prefix-list SVCR-EXPORT-V4 seq 20 permit 192.0.2.51/32"]);
    expect(() => frrWithoutExport(golden, "192.0.2.50/32")).toThrow(/no single entry/);
  });
});
