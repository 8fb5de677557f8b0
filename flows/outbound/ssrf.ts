/**
 * The SSRF guard of outgoing webhooks: where Atrium may be told to send a POST. A subscription's
 * URL is checked when it is made (`checkWebhookUrl`, pure) and its host resolved again at every
 * delivery, each resolved address checked (`guardedLookup`), and the connection made to the
 * address that was checked, so a name that resolves to a public address at creation and to an
 * internal one later (DNS rebinding) is refused at the moment it matters.
 *
 * Refused: anything but http and https; URLs over 2,048 characters; user info; and, outside demo
 * mode, loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10), unspecified,
 * CGNAT (100.64/10), multicast, broadcast and other special-use addresses, in IPv4, IPv6 and
 * IPv4-mapped (or NAT64) IPv6 form; unless the host name or the address is allow-listed
 * (`WEBHOOK_ALLOW_HOSTS`: host names and CIDRs). Demo mode allows loopback (the demo and the
 * tests receive on 127.0.0.1), nothing else more.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/** Longest subscription URL accepted. */
export const MAX_URL_LENGTH = 2048;

/** An allow-list entry: an exact host name (lower case) or an address range. */
export type AllowEntry = { host: string } | { cidr: { family: 4 | 6; bits: bigint; prefix: number }; text: string };

/** What the guard allows beyond public addresses. */
export interface GuardOptions {
  /** Demo mode: loopback targets are allowed. */
  demo: boolean;
  allow: readonly AllowEntry[];
}

/** The verdict on a URL or an address. */
export type UrlCheck = { ok: true; url: URL } | { ok: false; problem: string };

interface Range {
  net: string;
  prefix: number;
  what: string;
}

const V4_RANGES: Range[] = [
  { net: '0.0.0.0', prefix: 8, what: 'an unspecified ("this network") address' },
  { net: '10.0.0.0', prefix: 8, what: 'a private address' },
  { net: '100.64.0.0', prefix: 10, what: 'a shared (CGNAT) address' },
  { net: '127.0.0.0', prefix: 8, what: 'a loopback address' },
  { net: '169.254.0.0', prefix: 16, what: 'a link-local address' },
  { net: '172.16.0.0', prefix: 12, what: 'a private address' },
  { net: '192.0.0.0', prefix: 24, what: 'a special-purpose address' },
  { net: '192.0.2.0', prefix: 24, what: 'a documentation address' },
  { net: '192.168.0.0', prefix: 16, what: 'a private address' },
  { net: '198.18.0.0', prefix: 15, what: 'a benchmarking address' },
  { net: '198.51.100.0', prefix: 24, what: 'a documentation address' },
  { net: '203.0.113.0', prefix: 24, what: 'a documentation address' },
  { net: '224.0.0.0', prefix: 4, what: 'a multicast address' },
  { net: '240.0.0.0', prefix: 4, what: 'a reserved or broadcast address' },
];
const V6_RANGES: Range[] = [
  { net: '::', prefix: 128, what: 'an unspecified address' },
  { net: '::1', prefix: 128, what: 'a loopback address' },
  { net: '100::', prefix: 64, what: 'a discard address' },
  { net: '2001:db8::', prefix: 32, what: 'a documentation address' },
  { net: 'fc00::', prefix: 7, what: 'a private (unique local) address' },
  { net: 'fe80::', prefix: 10, what: 'a link-local address' },
  { net: 'fec0::', prefix: 10, what: 'a site-local address' },
  { net: 'ff00::', prefix: 8, what: 'a multicast address' },
  { net: '2001::', prefix: 32, what: 'a Teredo tunnel address' },
];

/** An IPv4 address as a number, or null. */
function v4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

/** An IPv6 address (with an optional dotted IPv4 tail, without a zone) as a number, or null. */
function v6(text: string): bigint | null {
  let s = text.toLowerCase();
  if (s.includes('%')) s = s.slice(0, s.indexOf('%'));
  let tail: bigint | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = v4(s.slice(lastColon + 1));
    if (tail === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const inRange = (addr: bigint, net: bigint, prefix: number, width: number) =>
  prefix === 0 || addr >> BigInt(width - prefix) === net >> BigInt(width - prefix);

const V4_MAPPED = v6('::ffff:0:0') as bigint;
const V4_TRANSLATED = v6('::ffff:0:0:0') as bigint; // SIIT
const V4_COMPATIBLE = v6('::') as bigint; // deprecated ::a.b.c.d
const NAT64 = v6('64:ff9b::') as bigint;
const NAT64_LOCAL = v6('64:ff9b:1::') as bigint; // local-use NAT64, /48
const SIX_TO_FOUR = v6('2002::') as bigint; // 2002:AABB:CCDD::/48 carries AA.BB.CC.DD

/**
 * An address as its family and number: an IPv4 address carried inside IPv6 (mapped, translated,
 * compatible, NAT64 and local-use NAT64, 6to4) is judged as that IPv4 address.
 */
function parseAddress(text: string): { family: 4 | 6; bits: bigint } | null {
  const four = v4(text);
  if (four !== null) return { family: 4, bits: four };
  const six = v6(text.replace(/^\[|\]$/g, ''));
  if (six === null) return null;
  if (
    inRange(six, V4_MAPPED, 96, 128) ||
    inRange(six, V4_TRANSLATED, 96, 128) ||
    inRange(six, NAT64, 96, 128) ||
    (inRange(six, V4_COMPATIBLE, 96, 128) && six > 1n)
  )
    return { family: 4, bits: six & 0xffffffffn };
  // Local-use NAT64 may put the IPv4 address anywhere after the /48: the last 32 bits (a /96) is the common form.
  if (inRange(six, NAT64_LOCAL, 48, 128)) return { family: 4, bits: six & 0xffffffffn };
  if (inRange(six, SIX_TO_FOUR, 16, 128)) return { family: 4, bits: (six >> 80n) & 0xffffffffn };
  return { family: 6, bits: six };
}

/** What kind of non-public address `address` is, or null when it is a public one (or not an address). */
export function specialAddress(address: string): string | null {
  const a = parseAddress(address);
  if (!a) return null;
  const ranges = a.family === 4 ? V4_RANGES : V6_RANGES;
  const width = a.family === 4 ? 32 : 128;
  for (const r of ranges) {
    const net = (a.family === 4 ? v4(r.net) : v6(r.net)) as bigint;
    if (inRange(a.bits, net, r.prefix, width)) return r.what;
  }
  return null;
}

/** `WEBHOOK_ALLOW_HOSTS` entries (host names and CIDRs, comma- or space-separated); problems are pushed, not thrown. */
export function parseAllowList(text: string, problems: string[], name = 'WEBHOOK_ALLOW_HOSTS'): AllowEntry[] {
  const out: AllowEntry[] = [];
  for (const raw of text.split(/[\s,]+/).filter(Boolean)) {
    const entry = raw.toLowerCase();
    const slash = entry.indexOf('/');
    const addrText = slash < 0 ? entry : entry.slice(0, slash);
    const addr = parseAddress(addrText);
    if (addr) {
      // A v4 range may be written inside IPv6 (::ffff:10.0.0.0/104): its prefix counts the 96 bits before.
      const written = v4(addrText) === null ? 128 : 32;
      const prefix = slash < 0 ? written : Number(entry.slice(slash + 1));
      const bad = !/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > written || (addr.family === 4 && written === 128 && prefix < 96);
      if (slash >= 0 && bad) {
        problems.push(`${name}: "${raw}" has an invalid prefix length`);
        continue;
      }
      const p = addr.family === 4 && written === 128 ? prefix - 96 : prefix;
      out.push({ cidr: { family: addr.family, bits: addr.bits, prefix: p }, text: raw });
    } else if (
      slash < 0 &&
      /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/.test(entry)
    ) {
      out.push({ host: entry.replace(/\.$/, '') });
    } else problems.push(`${name}: "${raw}" is neither a host name nor an address range (CIDR)`);
  }
  return out;
}

const hostAllowed = (host: string, opts: GuardOptions) => {
  const h = host.toLowerCase().replace(/\.$/, '');
  return opts.allow.some((e) => 'host' in e && e.host === h);
};

/** Why Atrium may not connect to `address` (for a URL whose host is `host`), or null when it may. */
export function addressProblem(address: string, host: string, opts: GuardOptions): string | null {
  const what = specialAddress(address);
  if (!what) return null;
  if (hostAllowed(host, opts)) return null;
  const a = parseAddress(address);
  if (
    a &&
    opts.allow.some(
      (e) => 'cidr' in e && e.cidr.family === a.family && inRange(a.bits, e.cidr.bits, e.cidr.prefix, a.family === 4 ? 32 : 128),
    )
  )
    return null;
  if (opts.demo && what === 'a loopback address') return null;
  return `${what} is not allowed as a webhook target${opts.demo ? '' : ' outside demo mode'} (allow-list it in WEBHOOK_ALLOW_HOSTS if it is meant)`;
}

/** The host of a URL as an address, when it is one (`[::1]` → `::1`). */
const literal = (hostname: string) => {
  const h = hostname.replace(/^\[|\]$/g, '');
  return isIP(h) ? h : null;
};

/**
 * Whether a subscription URL may be used, without resolving it: scheme, length, user info, and
 * the address when the host is one (or a `localhost` name). Pure; never throws.
 */
export function checkWebhookUrl(raw: string, opts: GuardOptions): UrlCheck {
  if (typeof raw !== 'string' || raw.length === 0) return { ok: false, problem: 'the URL is empty' };
  if (raw.length > MAX_URL_LENGTH) return { ok: false, problem: `the URL must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'the URL is not a valid absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, problem: `the URL must be http or https (not ${url.protocol.replace(/:$/, '')})` };
  if (url.username || url.password) return { ok: false, problem: 'the URL must not carry a user name or password' };
  if (!url.hostname) return { ok: false, problem: 'the URL has no host' };
  // `localhost.` is `localhost`: the root's trailing dot names the same host.
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  const ip = literal(host);
  if (ip) {
    const problem = addressProblem(ip, host, opts);
    return problem ? { ok: false, problem: `the URL's host is ${problem}` } : { ok: true, url };
  }
  if ((host === 'localhost' || host.endsWith('.localhost')) && !opts.demo && !hostAllowed(host, opts))
    return { ok: false, problem: `the URL's host is a loopback address, not allowed as a webhook target outside demo mode` };
  return { ok: true, url };
}

/** A resolver of every address of a host (node's `dns.lookup` with `all`). */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) =>
  new Promise((res, rej) => dnsLookup(host, { all: true, verbatim: true }, (e, addresses) => (e ? rej(e) : res(addresses))));

/** A refused target: the host resolved to an address the guard refuses. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'EBLOCKED';
}

/**
 * Every address of `host`, each checked; rejects with BlockedAddressError when any one is
 * refused (a name with one internal address among public ones is refused whole).
 */
export async function resolveChecked(host: string, opts: GuardOptions, resolve: Resolve = systemResolve): Promise<LookupAddress[]> {
  const ip = literal(host);
  const addresses = ip ? [{ address: ip, family: isIP(ip) }] : await resolve(host);
  if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  for (const a of addresses) {
    const problem = addressProblem(a.address, host, opts);
    if (problem) throw new BlockedAddressError(`${host} resolves to ${problem}`);
  }
  return addresses;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node's net/http `request`: the connection goes to an address this guard checked
 * in the same resolution, never to one resolved separately.
 */
export function guardedLookup(
  opts: GuardOptions,
  resolve: Resolve = systemResolve,
): (host: string, options: { all?: boolean; family?: number | string }, cb: LookupCallback) => void {
  return (host, options, cb) => {
    resolveChecked(host, opts, resolve).then(
      (addresses) => {
        const fam = Number(options?.family) || 0;
        const usable = fam ? addresses.filter((a) => a.family === fam) : addresses;
        if (usable.length === 0) return cb(Object.assign(new Error(`${host} has no IPv${fam} address`), { code: 'ENOTFOUND' }), '', 0);
        if (options?.all) return cb(null, usable);
        const first = usable[0] as LookupAddress;
        cb(null, first.address, first.family);
      },
      (e: NodeJS.ErrnoException) => cb(e, '', 0),
    );
  };
}
