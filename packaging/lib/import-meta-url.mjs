// import.meta.url in the CommonJS bundle (esbuild inject; only files that read it get this).
export const importMetaUrl = require("node:url").pathToFileURL(__filename).href;
