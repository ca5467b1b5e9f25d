// packaging/deb/changelog (Debian format) is the package changelog's one source: shipped as
// changelog.Debian.gz and converted into the rpm's %changelog. A version without an entry (the
// package.json version was bumped) gets a generated one, dated SOURCE_DATE_EPOCH.

const ENTRY = /^(\S+) \(([^)]+)\) ([^;]+); urgency=\w+\n\n([\s\S]*?)\n\n -- (.+?)  (.+)$/gm;

export function parseChangelog(text) {
  return [...text.matchAll(ENTRY)].map((m) => ({ name: m[1], version: m[2], dist: m[3], body: m[4], who: m[5], date: m[6] }));
}

const rfc2822 = (sde) => new Date(sde * 1000).toUTCString().replace("GMT", "+0000").replace(/^(\w+), (\d) /, "$1, 0$2 ");

export function debianChangelog(text, { version, maintainer, sde }) {
  const entries = parseChangelog(text);
  if (entries.length === 0) throw new Error("packaging/deb/changelog: no entry found");
  if (entries[0].version === version) return text.endsWith("\n") ? text : `${text}\n`;
  const upstream = version.replace(/-[^-]+$/, "");
  const entry = `svcroute (${version}) unstable; urgency=medium\n\n  * New upstream release ${upstream}.\n\n -- ${maintainer}  ${rfc2822(sde)}\n\n`;
  return entry + text;
}

export function rpmChangelog(debText) {
  return parseChangelog(debText)
    .map((e) => {
      const d = new Date(e.date);
      const day = d.toUTCString().slice(0, 3);
      const month = d.toUTCString().slice(8, 11);
      const head = `* ${day} ${month} ${String(d.getUTCDate()).padStart(2, "0")} ${d.getUTCFullYear()} ${e.who} - ${e.version}`;
      // "  * text\n    more" → "- text more"
      const items = e.body
        .split(/\n(?=\s{2}\*)/)
        .map((item) => `- ${item.replace(/^\s*\*\s*/, "").replace(/\s*\n\s*/g, " ").trim()}`);
      return [head, ...items].join("\n");
    })
    .join("\n\n");
}
