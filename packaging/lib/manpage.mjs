// svcroute(8): help2man renders the top-level --help (synopsis, description, global options);
// an include file generated from every `<command> --help` adds COMMANDS and EXIT STATUS, and a
// hand-written part adds FILES, ENVIRONMENT and SEE ALSO.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { helpText, sections } from "./cli-help.mjs";

const esc = (s) => s.replace(/\\/g, "\\e").replace(/-/g, "\\-").replace(/^([.'])/gm, "\\&$1");
const optTerm = (term) =>
  term
    .split(/(<[^>]+>|\[[^\]]+\])/)
    .map((part) => (/^[<[]/.test(part) ? `\\fI${esc(part.slice(1, -1))}\\fR` : part.replace(/(-{1,2}[\w-]+)/g, (f) => `\\fB${esc(f)}\\fR`)))
    .join("");

function commandSection(node, out) {
  for (const c of node.commands) {
    out.push(`.SS "${esc(c.usage)}"`, esc(c.description || c.summary));
    const items = [
      ...c.arguments.map((a) => [`\\fI${esc(a.term)}\\fR`, a.text]),
      ...c.options.filter((o) => !o.flags.includes("--help")).map((o) => [optTerm(o.term), o.text]),
    ];
    for (const [term, text] of items) out.push(".TP", term, esc(text));
    for (const x of c.extra) out.push(".PP", `${esc(x.title)}:`, ".nf", ...x.lines.map((l) => esc(l.trim())), ".fi");
    commandSection(c, out);
  }
}

function exitStatus(tree) {
  const block = tree.extra.find((x) => /^exit codes?$/i.test(x.title));
  if (!block) return [];
  const out = ["[EXIT STATUS]"];
  for (const line of block.lines) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m) out.push(".TP", `.B ${m[1]}`, esc(m[2]));
  }
  return out;
}

/** Returns the uncompressed roff text of svcroute.8. */
export function manPage({ bundle, tree, staticInclude, name, sourceDateEpoch }) {
  const dir = mkdtempSync(join(tmpdir(), "svcroute-man-"));
  try {
    // help2man names the page after the program it runs: give it `svcroute`, printing the
    // top-level help without the blocks that become their own sections.
    const shim = join(dir, "svcroute");
    writeFileSync(
      shim,
      `#!${process.execPath}\n` +
        `import { execFileSync } from "node:child_process";\n` +
        `const args = process.argv.slice(2);\n` +
        `if (args[0] === "--help") process.stdout.write(${JSON.stringify(filteredRootHelp(bundle))});\n` +
        `else process.stdout.write(execFileSync(process.execPath, [${JSON.stringify(bundle)}, ...args]));\n`,
    );
    chmodSync(shim, 0o755);
    const include = join(dir, "svcroute.h2m");
    const cmds = ["[COMMANDS]"];
    commandSection(tree, cmds);
    writeFileSync(include, [...cmds, ...exitStatus(tree), readFileSync(staticInclude, "utf8")].join("\n") + "\n");
    return execFileSync(
      "help2man",
      ["--no-info", "--section=8", `--name=${name}`, "--manual=System Administration", `--include=${include}`, shim],
      { encoding: "utf8", env: { ...process.env, SOURCE_DATE_EPOCH: String(sourceDateEpoch), LC_ALL: "C", COLUMNS: "80", SVCROUTE_CODE_CACHE: "none" } },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function filteredRootHelp(bundle) {
  const text = helpText(bundle, []);
  const s = sections(text);
  const keep = [`Usage: ${s.usage}`, "", s.description, ""];
  for (const [title, lines] of s.blocks) {
    if (title === "Options") keep.push(`${title}:`, ...lines, "");
  }
  return keep.join("\n");
}
