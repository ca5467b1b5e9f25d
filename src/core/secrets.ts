// Peer passwords. Read through an injected reader (the only I/O here), checked, and wrapped so a
// logged or JSON-dumped model shows "<secret>" instead of the password.
import { inspect } from "node:util";
import { SvcrouteError } from "../errors.js";
import { PASSWORD } from "../manifest/patterns.js";
import type { Manifest } from "../manifest/types.js";

export const SECRET_PLACEHOLDER = "<secret>";

export class Secret {
  readonly #value: string | undefined;
  /** the file the password came from (never the password itself) */
  readonly file: string;

  private constructor(file: string, value: string | undefined) {
    this.file = file;
    this.#value = value;
  }

  static of(file: string, value: string): Secret {
    return new Secret(file, value);
  }

  /** a password that was not read (e.g. a model built without secrets): masks fine, cannot reveal */
  static unread(file: string): Secret {
    return new Secret(file, undefined);
  }

  get available(): boolean {
    return this.#value !== undefined;
  }

  reveal(): string {
    if (this.#value === undefined) {
      throw new SvcrouteError("E_SECRET", `${this.file}: the password was not read, so the real config cannot be rendered`, {
        hint: "load secrets before rendering a config that will be written",
      });
    }
    return this.#value;
  }

  toString(): string {
    return SECRET_PLACEHOLDER;
  }

  toJSON(): string {
    return SECRET_PLACEHOLDER;
  }

  [inspect.custom](): string {
    return `Secret(${this.file})`;
  }
}

/** password file path → Secret */
export type SecretStore = ReadonlyMap<string, Secret>;

export const NO_SECRETS: SecretStore = new Map();

export interface SecretFile {
  text: string;
  /** st_mode permission bits, when known */
  mode?: number;
}

export type SecretReader = (path: string) => Promise<SecretFile>;

/** Check one password file's content; the message never contains the password. */
export function parseSecret(file: string, f: SecretFile): Secret {
  const bad = (what: string, hint?: string): never => {
    throw new SvcrouteError("E_SECRET", `${file}: ${what}`, hint ? { hint } : {});
  };
  if (f.mode !== undefined && (f.mode & 0o007) !== 0) {
    bad(`is accessible by other users (mode ${(f.mode & 0o777).toString(8).padStart(4, "0")})`, `chmod 0640 ${file}`);
  }
  // One line: a single trailing newline (as editors write it) is allowed, nothing else.
  const body = f.text.endsWith("\r\n") ? f.text.slice(0, -2) : f.text.endsWith("\n") ? f.text.slice(0, -1) : f.text;
  if (body.length === 0) bad("is empty");
  if (/[\r\n]/.test(body)) bad("has more than one line", "put the password alone on the first line");
  if (body.length > 80) bad(`the password is ${body.length} characters; at most 80 are allowed (TCP-MD5 key limit)`);
  if (!PASSWORD.test(body)) {
    bad("the password contains characters that cannot be written safely into a daemon config (spaces, quotes, ! # ; { } \\ or control characters)",
      "use letters, digits and . _ ~ % ^ & * ( ) + = : , @ / ? [ ] < > | $ -");
  }
  return Secret.of(file, body);
}

/** Read every password file the manifest names (each once). */
export async function loadSecrets(m: Manifest, read: SecretReader): Promise<SecretStore> {
  const files = [...new Set(m.peers.flatMap((p) => (p.passwordFile ? [p.passwordFile] : [])))].sort();
  const out = new Map<string, Secret>();
  for (const file of files) {
    let f: SecretFile;
    try {
      f = await read(file);
    } catch (e) {
      if (e instanceof SvcrouteError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "file not found" : code === "EACCES" ? "permission denied" : `cannot read: ${(e as Error).message}`;
      throw new SvcrouteError("E_SECRET", `${file}: ${why}`, { hint: "password_file must name a readable file (run as root or the svcroute user)" });
    }
    out.set(file, parseSecret(file, f));
  }
  return out;
}
