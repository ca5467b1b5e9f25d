// A routing daemon stand-in for engine tests. It "runs" an FRR-style config: the prefixes it
// advertises are the `network` lines of the last loaded file, changed by toggles; like a real
// daemon it can be told to reject, fail, restart or drift.
import { SvcrouteError } from "../../src/errors.js";
import type { RoutingModel } from "../../src/core/model.js";
import type { AppliedConfig, Driver, Observed, ObservedPeer, PrefixesObserved, StaleRoutes, ToggleOp } from "../../src/daemons/driver.js";
import { frrFastKey } from "../../src/daemons/frr.js";
import { BASELINE } from "../../src/core/capabilities.js";
import type { Manifest } from "../../src/manifest/types.js";

export class FakeDaemon {
  files = new Map<string, string>();
  running = new Set<string>();
  instance = "pid-1";
  calls: string[] = [];
  /** what each reload was told the daemon had been given (undefined: load the whole file) */
  reloadsFrom: (AppliedConfig | undefined)[] = [];
  /** a reload told what the daemon was given answers "incremental" and changes nothing (a base that was not what it ran) */
  incrementalGoesWrong = false;
  rejectNext = false;
  failReloads = 0;
  down = false;
  /** stopped (SIGSTOP): every command runs into its time limit */
  frozen = false;
  /** every peer's session state */
  sessionState = "Established";
  /** how many times the sessions have been established (a reset makes it one more) */
  sessions = 1;
  /** prefixes the daemon advertises on its own (drift) */
  extra = new Set<string>();
  /** prefixes it advertises whatever it is told, reloads included (a daemon that takes a config but does not do what it says) */
  pinned = new Set<string>();
  /** prefixes still sent to the peers through reloads and toggles until the peers are sent everything again (a stale adj-RIB-out) */
  staleOut = new Set<string>();
  /** toggles that fail before they reach the daemon (each failure uses one) */
  failToggles = 0;
  /** a toggle whose ops this says yes to fails before it reaches the daemon */
  refuseToggle: ((ops: ToggleOp[]) => boolean) | undefined;
  /** it offers the narrow read of a few prefixes (observePrefixes), as FRR's driver does; false: as BIRD's, which has none */
  narrow = true;
  /** called when the engine asks the capabilities, i.e. as it builds the next config */
  onCapabilities: (() => void) | undefined;

  constructor(readonly manifest: () => Manifest) {}

  networksOf(text: string): Set<string> {
    return new Set([...text.matchAll(/^\s+network (\S+)/gm)].map((m) => m[1]!));
  }

  /** what every peer is sent */
  advertised(): string[] {
    return [...new Set([...this.running, ...this.extra, ...this.pinned, ...this.staleOut])].sort();
  }

  peer(name: string, sent: number, advertised: ObservedPeer["advertised"]): ObservedPeer {
    return { name, state: this.sessionState, uptimeMs: 1000, establishedTotal: this.sessions, droppedTotal: this.sessions - 1, sent, received: 1, lastError: null, advertised };
  }

  driver(): Driver {
    const check = () => {
      if (this.down) throw new SvcrouteError("E_DAEMON_UNAVAILABLE", "fake daemon is down");
      if (this.frozen) throw new SvcrouteError("E_TIMEOUT", "fake daemon did not answer within 10000 ms");
    };
    return {
      type: "frr",
      validate: async () => {
        this.calls.push("validate");
        if (this.rejectNext) throw new SvcrouteError("E_DAEMON_REJECTED", "line 3: % Unknown command");
      },
      reload: async (from?: AppliedConfig) => {
        this.calls.push("reload");
        this.reloadsFrom.push(from);
        check();
        if (this.failReloads > 0) {
          this.failReloads--;
          throw new SvcrouteError("E_APPLY", "reload failed");
        }
        if (from && this.incrementalGoesWrong) return { output: "incremental: 2 command(s) in one vtysh call", sessionsRestarted: false, durationMs: 1, how: "incremental" as const };
        this.running = this.networksOf(this.files.get(this.manifest().daemon.configFile) ?? "");
        this.extra.clear(); // a reload replaces whatever was added at run time
        return { output: "", sessionsRestarted: false, durationMs: 1 };
      },
      confirm: async () => void this.calls.push("confirm"),
      resend: async (_m: RoutingModel, stale: StaleRoutes[]) => {
        this.calls.push(`resend ${stale.map((x) => `${x.peer}:${x.prefixes.join(" ")}`).join(",")}`);
        check();
        this.staleOut.clear();
      },
      fastKey: frrFastKey,
      toggle: async (_m: RoutingModel, ops: ToggleOp[]) => {
        this.calls.push(`toggle ${ops.map((o) => `${o.prefix}:${o.to}`).join(",")}`);
        check();
        if (this.failToggles > 0 || this.refuseToggle?.(ops)) {
          this.failToggles = Math.max(0, this.failToggles - 1);
          throw new SvcrouteError("E_APPLY", "toggle refused");
        }
        for (const o of ops) {
          if (o.to === "withdrawn") this.running.delete(o.prefix);
          else this.running.add(o.prefix);
        }
        return { durationMs: 1 };
      },
      ...(this.narrow
        ? {
            observePrefixes: async (_m: RoutingModel, asked: readonly { prefix: string }[]): Promise<PrefixesObserved> => {
              this.calls.push(`observePrefixes ${asked.map((a) => a.prefix).join(" ")}`);
              check();
              const peers = this.manifest().peers.map((p) => this.peer(p.name, this.advertised().length, null));
              const to = this.sessionState === "Established" ? this.manifest().peers.map((p) => p.name) : [];
              // as FRR names them: only a prefix with a path in the daemon's table; a stale
              // outgoing route (staleOut) shows only in the count of routes sent
              const withPath = new Set([...this.running, ...this.extra, ...this.pinned]);
              return { instance: this.instance, durationMs: 1, via: "socket", peers, sentTo: new Map(asked.map((a) => [a.prefix, new Set(withPath.has(a.prefix) ? to : [])])) };
            },
          }
        : {}),
      observe: async (): Promise<Observed> => {
        this.calls.push("observe");
        check();
        const adv = this.advertised();
        return {
          instance: this.instance,
          durationMs: 1,
          via: "socket",
          peers: this.manifest().peers.map((p) =>
            this.peer(p.name, adv.length, this.sessionState === "Established" ? { "4": adv.filter((x) => !x.includes(":")), "6": adv.filter((x) => x.includes(":")) } : null),
          ),
        };
      },
      sessions: async () => {
        this.calls.push("sessions");
        check();
        return this.manifest().peers.map((p) => ({ name: p.name, state: this.sessionState }));
      },
      instance: async () => {
        check();
        return this.instance;
      },
      capabilities: async () => {
        this.onCapabilities?.();
        return BASELINE;
      },
      withdrawAllNow: async () => {
        this.calls.push("withdrawAllNow");
        this.running.clear();
      },
      // inspection: nothing in the engine asks; doctor and diff are tested on the real daemons
      version: async () => null,
      running: async () => ({ loadedAtMs: null, protocols: null }),
      diffAgainst: async () => null,
      bfdPeers: async () => [],
      close: () => undefined,
    };
  }
}
