// `svcroute schema`: the manifest's JSON Schema, generated from the zod schema.
import type { Io } from "../cli.js";
import { manifestJsonSchema } from "../manifest/jsonschema.js";

export async function schemaCommand(io: Io): Promise<number> {
  io.out(JSON.stringify(manifestJsonSchema(), null, 2));
  return 0;
}
