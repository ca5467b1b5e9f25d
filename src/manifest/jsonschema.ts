// JSON Schema of the manifest, for editors (yaml-language-server) and CI pipelines.
import * as z from "zod";
import "../zod.js";
import { VERSION } from "../version.js";
import { ManifestSchema } from "./schema.js";

export function manifestJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(ManifestSchema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    $schema: s.$schema,
    title: `svcroute manifest (svcroute ${VERSION})`,
    ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== "$schema")),
  };
}
