// The package's copyright file (Debian DEP-5, also shipped as the rpm's %license): svcroute
// itself plus every npm package that esbuild put into the bundle. The build's list of the bundle's
// source files (dist/inputs.json, from esbuild's metafile) says which packages those are.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** the npm packages among `inputs` (source paths relative to the repository) */
/** the package directories (node_modules/NAME, node_modules/@SCOPE/NAME, nested ones) esbuild's inputs come from */
export function packageDirs(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const m = /(?:^|\/)(node_modules\/(?:[^/]+\/node_modules\/)*(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].sort();
}

export function bundledPackages(inputs, root) {
  return packageDirs(inputs).map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    const file = readdirSync(join(root, dir)).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? readFileSync(join(root, dir, file), "utf8") : "";
    // "Copyright (c) 2011 Someone" lines; not the word inside license prose or a template line
    const holders = [...text.matchAll(/^[ \t]*Copyright\b[ \t]*(?:\([cC]\)|©)?[ \t]*(.+)$/gm)]
      .map((x) => x[1].trim())
      .filter((x) => x && !/^(notice|and permission|holders?|owner|license)\b/i.test(x) && !/\[yyyy\]|\{yyyy\}/.test(x));
    const author = typeof pkg.author === "string" ? pkg.author : pkg.author?.name;
    return { name: pkg.name, version: pkg.version, license: pkg.license, holders: holders.length ? [...new Set(holders)] : [author ?? `${pkg.name} authors`] };
  });
}

// The BSD licences share their first two clauses and their disclaimer.
const BSD_CLAUSES = `Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
.
1. Redistributions of source code must retain the above copyright notice,
   this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
`;
const BSD_CLAUSE_3 = `3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.
`;
const BSD_DISCLAIMER = `THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE
LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
POSSIBILITY OF SUCH DAMAGE.`;

const LICENSE_TEXT = {
  MIT: `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:
.
The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.
.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.`,
  ISC: `Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.
.
THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.`,
  "BSD-2-Clause": `${BSD_CLAUSES}.\n${BSD_DISCLAIMER}`,
  "BSD-3-Clause": `${BSD_CLAUSES}${BSD_CLAUSE_3}.\n${BSD_DISCLAIMER}`,
};

const indent = (text) => text.split("\n").map((l) => ` ${l}`).join("\n");

/** DEP-5 text. `projectLicense` is an SPDX id (package.json "license"). */
export function copyrightFile({ bundled, projectLicense, holder, year }) {
  const licenses = [...new Set(bundled.map((p) => p.license))].sort();
  const unknown = licenses.filter((l) => l !== "Apache-2.0" && !LICENSE_TEXT[l]);
  if (unknown.length) throw new Error(`copyright: no license text for ${unknown.join(", ")} (bundled: ${bundled.filter((p) => unknown.includes(p.license)).map((p) => p.name).join(", ")}); add it to packaging/lib/copyright.mjs`);
  const paras = [
    [
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
      "Upstream-Name: svcroute",
    ].join("\n"),
    ["Files: *", `Copyright: ${year} ${holder}`, `License: ${projectLicense}`].join("\n"),
    [
      "Files: usr/lib/svcroute/*.cjs usr/lib/svcroute/commands/*",
      `Copyright: ${year} ${holder}`,
      ...[...new Set(bundled.flatMap((p) => p.holders))].map((h) => ` ${h}`),
      `License: ${[projectLicense, ...licenses.filter((l) => l !== projectLicense)].join(" and ")}`,
      "Comment: The CLI's files bundle these npm packages:",
      ...bundled.map((p) => ` ${p.name} ${p.version} (${p.license})`),
    ].join("\n"),
  ];
  const all = [...new Set([projectLicense, ...licenses])];
  for (const l of all) {
    if (l === "Apache-2.0") {
      paras.push(
        [
          "License: Apache-2.0",
          indent(
            [
              'Licensed under the Apache License, Version 2.0 (the "License"); you may not',
              "use this file except in compliance with the License. You may obtain a copy of",
              "the License at https://www.apache.org/licenses/LICENSE-2.0",
              ".",
              "Unless required by applicable law or agreed to in writing, software",
              'distributed under the License is distributed on an "AS IS" BASIS, WITHOUT',
              "WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the",
              "License for the specific language governing permissions and limitations under",
              "the License.",
              ".",
              "On Debian systems, the complete text of the Apache License, Version 2.0 can",
              'be found in "/usr/share/common-licenses/Apache-2.0".',
            ].join("\n"),
          ),
        ].join("\n"),
      );
    } else paras.push(`License: ${l}\n${indent(LICENSE_TEXT[l])}`);
  }
  return paras.join("\n\n") + "\n";
}

export function apacheText() {
  for (const p of [new URL("../LICENSE", import.meta.url).pathname, "/usr/share/common-licenses/Apache-2.0"]) if (existsSync(p)) return readFileSync(p, "utf8");
  return null;
}
