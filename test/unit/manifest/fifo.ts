import { execFileSync } from "node:child_process";

export function mkfifoSync(path: string): void {
  execFileSync("mkfifo", [path]);
}
