// Reads the CLI's own --help output (commander format) into a tree of commands and options, so the
// man page and the shell completion follow the CLI as commands are added. No CLI internals are
// imported: what the user sees in --help is what gets documented.
import { execFileSync } from "node:child_process";

/** Run `node <bundle> ...args --help` with a fixed width so the text is the same on every machine. */
export function helpText(bundle, args) {
  return execFileSync(process.execPath, [bundle, ...args, "--help"], {
    encoding: "utf8",
    // no code cache: the build leaves nothing on the machine that builds it
    env: { ...process.env, COLUMNS: "80", NO_COLOR: "1", LC_ALL: "C", SVCROUTE_CODE_CACHE: "none" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Split commander help into its sections: "Usage", "Description" and each "Name:" block. */
export function sections(text) {
  const out = { usage: "", description: "", blocks: new Map() };
  const lines = text.replace(/\r/g, "").split("\n");
  let i = 0;
  const usage = /^Usage: (.*)$/.exec(lines[0] ?? "");
  if (usage) {
    out.usage = usage[1].trim();
    i = 1;
  }
  const desc = [];
  while (i < lines.length && !/^[A-Z][A-Za-z ]*:\s*$/.test(lines[i])) desc.push(lines[i++]);
  out.description = desc.join("\n").trim();
  let current = null;
  for (; i < lines.length; i++) {
    const head = /^([A-Z][A-Za-z ]*):\s*$/.exec(lines[i]);
    if (head) {
      current = [];
      out.blocks.set(head[1], current);
    } else if (current) current.push(lines[i]);
  }
  for (const [k, v] of out.blocks) {
    while (v.length && v[v.length - 1].trim() === "") v.pop();
    out.blocks.set(k, v);
  }
  return out;
}

/** Entries of an "Options:" or "Commands:" block: a term at indent 2, its text, continuation lines. */
export function entries(block = []) {
  const list = [];
  for (const line of block) {
    const m = /^ {2}(\S.*?)(?: {2,}(.*))?$/.exec(line);
    if (m && !/^ {3,}/.test(line)) list.push({ term: m[1].trim(), text: (m[2] ?? "").trim() });
    else if (list.length && line.trim()) list[list.length - 1].text += ` ${line.trim()}`;
  }
  return list;
}

/** "-m, --manifest <path>" → { flags: ["-m", "--manifest"], arg: "path" } */
export function parseOption(term) {
  const arg = /[<[]([^>\]]+)[>\]]/.exec(term)?.[1] ?? null;
  const flags = term.replace(/[<[][^>\]]*[>\]]/g, "").split(/[ ,]+/).filter((f) => f.startsWith("-"));
  return { flags, arg };
}

/** The whole command tree: { name, path, usage, description, options, commands[] } */
export function readTree(bundle, path = []) {
  const s = sections(helpText(bundle, path));
  const options = entries(s.blocks.get("Options")).map((e) => ({ ...parseOption(e.term), term: e.term, text: e.text }));
  const commands = [];
  for (const e of entries(s.blocks.get("Commands"))) {
    const name = e.term.split(/\s+/)[0];
    if (name === "help") continue; // commander's built-in; same as --help
    commands.push({ ...readTree(bundle, [...path, name]), summary: e.text, term: e.term });
  }
  const extra = [...s.blocks.entries()]
    .filter(([k]) => !["Options", "Commands", "Arguments"].includes(k))
    .map(([title, lines]) => ({ title, lines }));
  return {
    name: path[path.length - 1] ?? "svcroute",
    path,
    usage: s.usage,
    description: s.description,
    arguments: entries(s.blocks.get("Arguments")),
    options,
    commands,
    extra,
  };
}
