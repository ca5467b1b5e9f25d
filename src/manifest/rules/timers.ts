// Cross-field rules about timers: intervals, timeouts and BGP timers that work together.
import { DEFAULTS as D } from "../defaults.js";
import { derivedServiceTimeout } from "../timing.js";
import { isObj, arr, str, dur, services, peers, type RuleIssue, type Obj } from "./raw.js";

const wholeSeconds = (v: number | undefined) => v === undefined || v % 1000 === 0;

export function timersSane(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (isObj(m.daemon)) {
    const d = dur(m.daemon.route_map_delay);
    if (d !== undefined && (d < 1000 || d > 600_000 || !wholeSeconds(d))) {
      out.push({
        path: ["daemon", "route_map_delay"],
        message: "route_map_delay must be whole seconds between 1s and 600s (0 would stop FRR applying policy changes)",
      });
    }
  }
  for (const [p, i] of peers(m)) {
    const t = isObj(p.timers) ? p.timers : {};
    const ka = dur(t.keepalive);
    const hold = dur(t.hold);
    const cr = dur(t.connect_retry);
    const inRange = { keepalive: ka === undefined || (ka >= 1000 && ka <= 65_535_000), connect_retry: cr === undefined || (cr >= 1000 && cr <= 65_535_000), hold: hold === undefined || hold === 0 || (hold >= 3000 && hold <= 65_535_000) };
    if (!inRange.keepalive) out.push({ path: ["peers", i, "timers", "keepalive"], message: "keepalive must be 1s..65535s" });
    if (!inRange.connect_retry) out.push({ path: ["peers", i, "timers", "connect_retry"], message: "connect_retry must be 1s..65535s" });
    if (!inRange.hold) out.push({ path: ["peers", i, "timers", "hold"], message: "hold must be 0s (no keepalives) or 3s..65535s" });
    for (const [k, v] of [["keepalive", ka], ["hold", hold], ["connect_retry", cr]] as const) {
      if (inRange[k] && !wholeSeconds(v)) out.push({ path: ["peers", i, "timers", k], message: `BGP timers are whole seconds; ${String(t[k])} is not` });
    }
    const effKa = ka ?? 3000;
    const effHold = hold ?? 9000;
    if (effHold !== 0 && effKa * 3 > effHold) {
      out.push({
        path: ["peers", i, "timers", hold !== undefined ? "hold" : "keepalive"],
        message: `hold (${effHold / 1000}s) must be at least 3 × keepalive (${effKa / 1000}s)`,
      });
    }
    if (isObj(p.bfd)) {
      const iv = dur(p.bfd.interval);
      if (iv !== undefined && (iv < 10 || iv > 60_000)) out.push({ path: ["peers", i, "bfd", "interval"], message: "BFD interval must be 10ms..60s" });
    }
  }
  for (const [s, i] of services(m)) {
    const interval = dur(s.interval) ?? D.service.intervalMs;
    const checkTimeouts = arr(s.checks).map((c) => (isObj(c) ? dur(c.timeout) : undefined));
    const timeout = dur(s.timeout) ?? derivedServiceTimeout(interval, checkTimeouts).ms;
    const fast = dur(s.fast_interval);
    if (s.interval !== undefined && interval < 10) out.push({ path: ["services", i, "interval"], message: "interval must be at least 10ms" });
    if (fast !== undefined && (fast < 10 || fast > interval)) {
      out.push({ path: ["services", i, "fast_interval"], message: `fast_interval must be between 10ms and interval (${str(s.interval) ?? "2s"})` });
    }
    // an unset timeout is derived below the interval (timing.ts): only a written one can be too long
    if (s.timeout !== undefined && timeout >= interval) {
      out.push({
        path: ["services", i, "timeout"],
        message: `timeout (${str(s.timeout) ?? "?"}) must be shorter than interval (${str(s.interval) ?? "2s"}) so runs never overlap`,
        hint: "leave timeout out and svcroute derives one below the interval",
      });
    }
    if (timeout < 1) out.push({ path: ["services", i, "timeout"], message: "timeout must be above 0" });
    const longest = Math.max(s.timeout !== undefined || !arr(s.checks).length ? timeout : 0, ...checkTimeouts.map((t) => t ?? timeout));
    if (fast !== undefined && fast >= 10 && fast <= interval && fast < longest) {
      out.push({
        path: ["services", i, "fast_interval"],
        message: `fast_interval (${String(s.fast_interval)}) must be at least the longest check timeout (${longest} ms): a hung check holds its round that long`,
        hint: "raise fast_interval or lower the timeout",
      });
    }
    arr(s.checks).forEach((c, j) => {
      if (!isObj(c)) return;
      const ct = dur(c.timeout);
      if (ct !== undefined && (ct >= interval || ct < 1)) {
        out.push({ path: ["services", i, "checks", j, "timeout"], message: `a check's timeout must be above 0 and below the service's interval (${str(s.interval) ?? "2s"})` });
      }
    });
    if (isObj(s.flap)) {
      const w = dur(s.flap.window);
      const h = dur(s.flap.hold);
      if (w !== undefined && w < interval) out.push({ path: ["services", i, "flap", "window"], message: "the flap window must be at least one interval" });
      if (h !== undefined && h < 1000) out.push({ path: ["services", i, "flap", "hold"], message: "the flap hold must be at least 1s" });
    }
  }
  if (isObj(m.supervisor)) {
    const rv = dur(m.supervisor.reverify_interval);
    if (rv !== undefined && rv < 1000) out.push({ path: ["supervisor", "reverify_interval"], message: "reverify_interval must be at least 1s" });
    const gg = dur(m.supervisor.guard_grace);
    if (gg !== undefined && gg < 1000) out.push({ path: ["supervisor", "guard_grace"], message: "guard_grace must be at least 1s so a quick restart does not flap routes" });
  }
  return out;
}
