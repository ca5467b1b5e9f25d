// Strict text patterns for every manifest string. Anything that can reach a routing config is
// limited to characters that cannot end a statement, open a block, start a comment or quote in
// FRR or BIRD syntax (no whitespace, ; { } ! # " ' \ or control characters).

/** service and peer names: lowercase slug, no underscores so derived daemon names never collide */
export const NAME = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Linux interface name (IFNAMSIZ 16 incl. NUL) without wildcards */
export const IFNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
/** absolute path without spaces, quotes, shell or config metacharacters, or `..` segments */
export const ABS_PATH = /^(?!.*\/\.\.(?:\/|$))\/[A-Za-z0-9._/@+-]{0,4095}$/;
/** POSIX user name */
export const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** a single argv element / env value / header value: printable, no control characters */
export const PRINTABLE = /^[^\x00-\x1f\x7f\u2028\u2029]*$/;
/** bytes to send or expect on a TCP check: printable plus tab, CR, LF */
export const WIRE_TEXT = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]*$/;
export const HTTP_URL = /^https?:\/\/[^\s"'\\<>\x00-\x1f\x7f]{1,2048}$/;
/** a DNS name to query: labels of letters, digits, '-' and '_' (SRV names), an optional final dot */
export const DNS_NAME = /^(?=.{1,254}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$/;
export const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?$/;
/** a prefix as text; the strict check (ranges, host bits) is in ip.ts */
export const PREFIX_TEXT = /^[0-9A-Fa-f.:]{2,45}\/\d{1,3}$/;
export const ADDRESS_TEXT = /^[0-9A-Fa-f.:]{2,45}$/;
export const IPV4_TEXT = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** standard community ASN:VALUE or large community GLOBAL:LOCAL1:LOCAL2 */
export const COMMUNITY = /^\d{1,10}:\d{1,10}(?::\d{1,10})?$/;
/** TCP MD5 key as FRR and BIRD both accept it unquoted/quoted: no spaces, quotes, ! # ; { } \ */
export const PASSWORD = /^[A-Za-z0-9._~%^&*()+=:,@/?[\]<>|$-]{1,80}$/;
/** host:port for a metrics listener */
export const LISTEN = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:]{2,39}\]):\d{1,5}$/;
