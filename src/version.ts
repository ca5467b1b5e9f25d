// The version string: injected by the production build, read from package.json in development.
import { readFileSync } from "node:fs";

declare const __SVCROUTE_VERSION__: string | undefined;

function fromPackageJson(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0-dev";
  } catch {
    return "0.0.0-dev";
  }
}

export const VERSION: string = typeof __SVCROUTE_VERSION__ === "string" ? __SVCROUTE_VERSION__ : fromPackageJson();
