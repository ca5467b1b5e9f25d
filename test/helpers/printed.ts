// What a spawnSync run printed, stdout then stderr. Node's types say strings, but both are null
// when the program could not be started (ENOENT).
export function printed(r: { stdout: string | null; stderr: string | null }): string {
  return `${r.stdout ?? ""}${r.stderr ?? ""}`;
}
