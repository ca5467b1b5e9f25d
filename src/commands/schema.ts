// `svcroute schema`: the manifest's JSON Schema (or its markdown reference), from the zod schema.
import type { Io } from "../io.js";
import { manifestJsonSchema } from "../manifest/jsonschema.js";
import { manifestReference } from "../manifest/reference.js";

export async function schemaCommand(io: Io, opts: { markdown?: boolean } = {}): Promise<number> {
  io.out(opts.markdown ? manifestReference() : JSON.stringify(manifestJsonSchema(), null, 2));
  return 0;
}
