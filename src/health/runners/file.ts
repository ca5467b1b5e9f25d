// file check: healthy while a path exists (or, for a maintenance switch, while it is absent).
// A dangling symlink counts as absent; any other stat error (EACCES, ...) is a failure.
import { stat } from "node:fs/promises";
import type { CheckSpec } from "../../manifest/types.js";
import type { Outcome, RunFn } from "../types.js";
import { errnoOf } from "./text.js";

type FileSpec = Extract<CheckSpec, { type: "file" }>;

export function prepareFile(spec: FileSpec): RunFn {
  return async (ctx): Promise<Outcome> => {
    ctx.phase = `stat ${spec.path}`;
    let exists: boolean;
    try {
      await stat(spec.path);
      exists = true;
    } catch (e) {
      const code = errnoOf(e);
      if (code !== "ENOENT" && code !== "ENOTDIR") return { ok: false, reason: `cannot stat ${spec.path}: ${code ?? (e as Error).message}`, error: code ?? "ESTAT" };
      exists = false;
    }
    const ok = exists === (spec.healthyWhen === "exists");
    return { ok, reason: `${spec.path} ${exists ? "exists" : "is absent"}${ok ? "" : ` (healthy when ${spec.healthyWhen})`}`, ...(ok ? {} : { error: exists ? "EEXIST" : "ENOENT" }) };
  };
}
