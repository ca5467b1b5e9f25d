// Where a command writes its output: the process's streams in production, buffers in tests.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  // undefined, not false, when stdout is not a terminal
  isTTY: (process.stdout as { isTTY?: boolean }).isTTY === true,
  env: process.env,
};
