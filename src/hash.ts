// A 64-bit hash of a string for keys that must change with the text (the code cache, the socket
// record): two 32-bit multiplicative lanes over every UTF-16 unit. Not a cryptographic hash: where
// it is used no one else may write, so no adversary chooses the texts, and node:crypto costs a
// command's start-up more than the hashing does.
export function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
