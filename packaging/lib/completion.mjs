// Bash completion: completion.bash (fixed logic) plus _svcroute_node, the command tree read
// from --help by cli-help.mjs: each command's subcommands, options, options that take a value
// (and which kind of value), and the kind of its first positional argument.
import { readFileSync } from "node:fs";

// An option's or argument's value: choices listed in its help text, a service of the manifest,
// a directory, a file, or nothing to offer.
export const kindOf = (name = "", text = "") => {
  const choices = /\(choices: ([^)]*)\)/.exec(text)?.[1];
  if (choices) return `choices=${[...choices.matchAll(/"([^"]+)"/g)].map((m) => m[1]).join(",")}`;
  if (/^services?$/i.test(name)) return "service";
  return /dir/i.test(name) ? "dir" : /path|file|manifest|conf/i.test(name) ? "file" : "none";
};

function flatten(node, out = []) {
  out.push(node);
  for (const c of node.commands) flatten(c, out);
  return out;
}

const q = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

export function bashCompletion(tree) {
  const nodes = flatten(tree);
  const block = (variable, value) =>
    [
      '\tcase "$1" in',
      ...nodes.map((n) => ({ k: n.path.join(" "), v: value(n) })).filter((x) => x.v).map((x) => `\t${q(x.k)}) ${variable}=${q(x.v)} ;;`),
      "\tesac",
    ].join("\n");
  const firstPositional = (n) => {
    const arg = n.arguments[0];
    const name = arg?.term ?? /[<[]([^>\]]+)[>\]]/.exec(n.usage.replace(/\[options\]|\[command\]/g, ""))?.[1];
    return name ? kindOf(name, arg?.text) : "";
  };
  const node = [
    "_svcroute_node() {",
    '\tchildren="" opts="" argopts="" positional=""',
    block("children", (n) => n.commands.map((c) => c.name).join(" ")),
    block("opts", (n) => n.options.flatMap((o) => o.flags).join(" ")),
    block("argopts", (n) => n.options.filter((o) => o.arg).flatMap((o) => o.flags.map((f) => `${f}:${kindOf(o.arg, o.text)}`)).join(" ")),
    block("positional", firstPositional),
    "}",
  ].join("\n");
  const fixed = readFileSync(new URL("./completion.bash", import.meta.url), "utf8");
  return fixed.replace("\ncomplete -F _svcroute svcroute\n", `\n${node}\n\ncomplete -F _svcroute svcroute\n`);
}
