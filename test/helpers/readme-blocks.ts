// README sections generated from the code: the manifest reference and the exit-code table.
// `npx tsx test/helpers/readme-blocks.ts --write` refreshes them; test/unit/readme.test.ts checks.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES } from "../../src/errors.js";
import { manifestReference } from "../../src/manifest/reference.js";

export const README = join(import.meta.dirname, "../../README.md");

export function generatedBlocks(): Record<string, string> {
  const codes = ["| exit | code | meaning |", "|---|---|---|", "| 0 | | success |"];
  for (const [k, v] of Object.entries(ERROR_CODES)) codes.push(`| ${v.exit} | \`${k}\` | ${v.summary} |`);
  return { "manifest-reference": manifestReference(), "exit-codes": `${codes.join("\n")}\n` };
}

export function blockIn(text: string, name: string): string | undefined {
  const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(text);
  return m?.[1];
}

if (process.argv.includes("--write")) {
  let text = readFileSync(README, "utf8");
  for (const [name, body] of Object.entries(generatedBlocks())) {
    text = text.replace(new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`), `$1${body}$2`);
  }
  writeFileSync(README, text);
}
