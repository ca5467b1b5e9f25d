// The lab harness: a fabric of network namespaces with FRR ToRs and FRR/BIRD hosts.
export { createLab, Lab, type LabOptions, type LabProcess } from "./lab.js";
export type { Topology, TorSpec, HostSpec, HostPlan, TorPlan, LinkPlan, FabricPlan, DaemonPaths, FrrPaths, BirdPaths, Family } from "./topology.js";
export { waitFor, type WaitOptions, type Waited } from "./wait.js";
export { waitEstablished, waitSession, waitRoute, waitEcmp, sessionsOf, type SessionRef } from "./conditions.js";
export { Observers, type BgpRoute, type BgpPath, type Session, type KernelRoute } from "./observe.js";
export { Faults, BLACKHOLE_MAC, type Side } from "./faults.js";
export { labDown, listRuns, type DownOptions, type RunSummary } from "./down.js";
export { installSignalHandlers } from "./cleanup.js";
export { LabError } from "./errors.js";
export { renderTorConfig } from "./tor-config.js";
export { LAB_PREFIX, STATE_ROOT } from "./naming.js";
