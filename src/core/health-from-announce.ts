// The HealthInput that reproduces given per-service announce states (from the supervisor's
// status): lets `diff` render exactly what the supervisor wants. Pure.
import type { Manifest } from "../manifest/types.js";
import type { Announce, HealthInput, HealthState } from "./desired.js";

export function healthFromAnnounce(m: Manifest, announce: Record<string, Announce>): HealthInput {
  const services: Record<string, HealthState> = {};
  const drained: string[] = [];
  for (const s of m.services) {
    const a = announce[s.name] ?? "normal";
    if (a === "normal") services[s.name] = "up";
    else if (a === "deprefer") services[s.name] = "down";
    else if (a === "graceful-shutdown") {
      services[s.name] = "up";
      drained.push(s.name);
    } else services[s.name] = "unknown";
  }
  return { services, drained };
}
