// What was announced last, kept in the state dir so a quick restart does not flap routes.
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import "../zod.js";
import { atomicWrite } from "../effects/fs.js";
import type { AnnouncedRecord } from "./engine-types.js";

const Schema = z.object({
  manifestHash: z.string(),
  services: z.record(z.string(), z.enum(["normal", "deprefer", "graceful-shutdown", "withdrawn"])),
});

const file = (stateDir: string) => join(stateDir, "announced.json");

export async function saveAnnounced(stateDir: string, r: AnnouncedRecord): Promise<void> {
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o750 });
  await atomicWrite(file(stateDir), `${JSON.stringify(r)}\n`, { mode: 0o640 });
}

export async function loadAnnounced(stateDir: string): Promise<AnnouncedRecord | undefined> {
  try {
    const r = Schema.safeParse(JSON.parse(await fsp.readFile(file(stateDir), "utf8")));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
