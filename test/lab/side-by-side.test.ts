// Two fabrics with the same node names and addresses run at once without noticing each other.
import { describe, expect, it } from "vitest";
import { waitEstablished, waitRoute } from "./harness/conditions.js";
import { birdHostConfig, frrHostConfig } from "./harness/host-configs.js";
import { createLab } from "./harness/lab.js";
import type { Topology } from "./harness/topology.js";

const topology: Topology = {
  tors: [{ name: "tor1", asn: 65001 }],
  hosts: [
    { name: "h1", daemon: "frr", links: ["tor1"], addresses: ["192.0.2.41"], config: (h) => frrHostConfig(h) },
    { name: "h2", daemon: "bird", links: ["tor1"], addresses: ["192.0.2.42"], config: (h) => birdHostConfig(h) },
  ],
};

describe("two harness instances", () => {
  it("run side by side and tear down independently", async () => {
    const [a, b] = await Promise.all([createLab(topology), createLab(topology)]);
    try {
      expect(a.id).not.toBe(b.id);
      expect(a.ns("tor1")).not.toBe(b.ns("tor1"));
      await Promise.all([waitEstablished(a), waitEstablished(b)]);
      for (const lab of [a, b]) {
        await waitRoute(lab, "tor1", "192.0.2.41/32", "present");
        await waitRoute(lab, "tor1", "192.0.2.42/32", "present");
      }
      // a fault in one fabric does not reach the other
      await a.faults.kill("h1");
      await waitRoute(a, "tor1", "192.0.2.41/32", "absent", 5000);
      expect(await b.observe.hasRoute("tor1", "192.0.2.41/32")).toBe(true);

      const bSession = await b.observe.session("tor1", "h2");
      await a.down();
      const after = await b.observe.session("tor1", "h2");
      expect(after?.state).toBe("Established");
      expect(after?.connectionsDropped).toBe(bSession?.connectionsDropped);
      expect(await b.observe.hasRoute("tor1", "192.0.2.41/32")).toBe(true);
    } finally {
      await Promise.all([a.down(), b.down()]);
    }
  });
});
