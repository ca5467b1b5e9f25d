// The real password-file reader: a regular file, small, read once. Injected into loadSecrets.
import { promises as fsp, constants } from "node:fs";
import { SvcrouteError } from "../errors.js";
import type { SecretFile } from "../core/secrets.js";

const MAX_BYTES = 4096;

export async function readSecretFile(path: string): Promise<SecretFile> {
  const fh = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new SvcrouteError("E_SECRET", `${path}: is not a regular file`);
    if (st.size > MAX_BYTES) throw new SvcrouteError("E_SECRET", `${path}: is ${st.size} bytes; a password file holds one short line`);
    const buf = Buffer.alloc(MAX_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { text: buf.subarray(0, bytesRead).toString("utf8"), mode: st.mode };
  } finally {
    await fh.close().catch(() => undefined);
  }
}
