// The fabric `lab up` builds when no topology file is given: two ToRs, a dual-homed FRR host and a
// dual-homed BIRD host that share an anycast address.
import { birdHostConfig, frrHostConfig } from "./host-configs.js";
import type { Topology } from "./topology.js";

export const demoTopology: Topology = {
  tors: [
    { name: "tor1", asn: 65001, bfd: true },
    { name: "tor2", asn: 65002, bfd: true },
  ],
  hosts: [
    {
      name: "h1",
      daemon: "frr",
      links: ["tor1", "tor2"],
      addresses: ["192.0.2.11/32", "2001:db8::11/128", "192.0.2.100/32"],
      config: (h) => frrHostConfig(h, { bfd: true }),
    },
    {
      name: "h2",
      daemon: "bird",
      links: ["tor1", "tor2"],
      addresses: ["192.0.2.12/32", "2001:db8::12/128", "192.0.2.100/32"],
      config: (h) => birdHostConfig(h, { bfd: true }),
    },
  ],
};
