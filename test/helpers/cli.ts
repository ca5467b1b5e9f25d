// Drive the CLI in-process with raw argv and capture what it prints.
import { main, type Io } from "../../src/cli.js";

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    out: (t) => void (out += t.endsWith("\n") ? t : `${t}\n`),
    err: (t) => void (err += t.endsWith("\n") ? t : `${t}\n`),
    isTTY: false,
    env,
  };
  const code = await main(argv, io);
  return { code, out, err };
}
