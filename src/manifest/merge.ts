// Main manifest + drop-in fragments → one raw object, remembering where every part came from so a
// problem found in the merged object is reported at its own file:line. Pure.
import type { Problem } from "../errors.js";
import { locate, type ParsedSource } from "./parse.js";

export type Path = (string | number)[];

/** Keys whose lists concatenate across files; every other key may be defined in one file only. */
const LIST_KEYS = new Set(["services", "peers"]);

export interface Origin {
  src: ParsedSource;
  path: Path;
}

export interface Merged {
  data: Record<string, unknown>;
  /** map a path in the merged object to its file and path there */
  origin(path: Path): Origin;
  /** services[i] came from this file */
  serviceSources: string[];
  problems: Problem[];
}

export function mergeSources(main: ParsedSource, fragments: ParsedSource[]): Merged {
  const data: Record<string, unknown> = {};
  const owner = new Map<string, ParsedSource>();
  const listOrigins = new Map<string, { src: ParsedSource; index: number }[]>();
  const problems: Problem[] = [];

  for (const src of [main, ...fragments]) {
    const obj = src.data as Record<string, unknown>;
    for (const [key, value] of Object.entries(obj)) {
      if (LIST_KEYS.has(key) && Array.isArray(value)) {
        const list = (data[key] as unknown[] | undefined) ?? [];
        const origins = listOrigins.get(key) ?? [];
        value.forEach((item, index) => {
          list.push(item);
          origins.push({ src, index });
        });
        data[key] = list;
        listOrigins.set(key, origins);
        if (!owner.has(key)) owner.set(key, src);
        continue;
      }
      const first = owner.get(key);
      if (first && src !== main && key === "version") {
        if (value !== data.version) {
          const here = locate(src, [key]);
          problems.push({ file: src.file, ...here, path: key, message: `version ${JSON.stringify(value)} differs from ${first.file} (${JSON.stringify(data.version)})` });
        }
        continue;
      }
      if (first) {
        const here = locate(src, [key], { key });
        const there = locate(first, [key], { key });
        problems.push({
          file: src.file,
          ...here,
          path: key,
          message: `a second \`${key}\` block: \`${key}\` is already defined in ${first.file}:${there.line}`,
          hint: `define \`${key}\` in one file only (drop-ins usually hold just services:)`,
        });
        continue;
      }
      owner.set(key, src);
      data[key] = value;
    }
  }

  const origin = (path: Path): Origin => {
    if (path.length === 0) return { src: main, path: [] };
    const key = String(path[0]);
    const list = listOrigins.get(key);
    if (list && path.length >= 2 && typeof path[1] === "number") {
      const o = list[path[1]];
      if (o) return { src: o.src, path: [key, o.index, ...path.slice(2)] };
    }
    return { src: owner.get(key) ?? main, path };
  };

  const serviceSources = (listOrigins.get("services") ?? []).map((o) => o.src.file);
  return { data, origin, serviceSources, problems };
}
