// 6. Soak: the tcp1000 scenario (1,000 services, each its own TCP check every 1 s) for many
// minutes, RSS read every 10 s. Flat means no growth: the slope of a least-squares line through
// the samples after the first two minutes, with its 95% interval, in MB per hour (lib/soak-fit.ts).
import type { Lab } from "../lab/harness/lab.js";
import { sleep } from "./lib/clock.js";
import { soakSlope } from "./lib/soak-fit.js";
import { manifestYaml } from "./lib/manifest.js";
import { startSupervisor } from "./lib/sup.js";
import { FOOTPRINT_HOST, peakKB, sample, startListeners, tcpServices } from "./footprint.js";

export interface SoakRow {
  minutes: number;
  /** [seconds since the start, RSS MB] */
  samples: [number, number][];
  slopeMBPerHour: number;
  /** half-width of the slope's 95% interval */
  slopeCI: number;
  peakRssMB: number;
  notUp: number;
}

export async function soak(lab: Lab, minutes: number, log: (m: string) => void): Promise<SoakRow> {
  const listeners = startListeners(lab);
  try {
    const manifest = manifestYaml(lab, FOOTPRINT_HOST, { services: tcpServices(1000, "1s", "500ms"), families: ["ipv6"], tors: ["tor2"] });
    log(`soak: 1,000 services, TCP check every 1 s, ${minutes} min, RSS every 10 s`);
    const sup = await startSupervisor(lab, FOOTPRINT_HOST, manifest, { logName: "svcroute-soak.log", timeoutMs: 120_000 });
    try {
      const t0 = performance.now();
      const samples: [number, number][] = [];
      while (performance.now() - t0 < minutes * 60_000) {
        samples.push([(performance.now() - t0) / 1000, sample(sup.pid).rssKB / 1024]);
        await sleep(10_000);
      }
      const st = await sup.status();
      return { minutes, samples, ...soakSlope(samples, minutes), peakRssMB: peakKB(sup.pid) / 1024, notUp: st.services.filter((s) => s.state !== "UP").length };
    } finally {
      await sup.stop();
    }
  } finally {
    listeners.stop();
  }
}
