import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../../common/config.ts';

/**
 * The addresses whose X-Forwarded-* headers the gateway believes: the reverse
 * proxies in front of it, as a list of CIDR ranges or single addresses.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  constructor(ranges: string[]) {
    for (const range of ranges) addRange(this.#list, range);
    this.size = ranges.length;
  }

  /** Parses a comma-separated list such as `10.0.0.0/8, 127.0.0.1, ::1`; throws a ConfigError naming `variable`. */
  static parse(raw: string | undefined, variable: string): TrustedProxies {
    const ranges = (raw ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
    try {
      return new TrustedProxies(ranges);
    } catch (error) {
      throw new ConfigError(variable, `invalid value "${raw}": ${(error as Error).message}; expected CIDR ranges or addresses such as 10.0.0.0/8, ::1`);
    }
  }

  /** A list that trusts every address, for TRUST_FORWARDED_HEADERS=true. */
  static everyone(): TrustedProxies {
    return new TrustedProxies(['0.0.0.0/0', '::/0']);
  }

  trusts(address: string): boolean {
    if (this.size === 0) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.#list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function addRange(list: BlockList, range: string): void {
  const [address, prefixText, extra] = range.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) throw new Error(`"${range}" is not an address or a CIDR range`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) throw new Error(`"${range}" has an invalid prefix length`);
  list.addSubnet(address, prefix, type);
}

/** The client as the gateway resolved it, after deciding which forwarded headers to believe. */
export interface ClientInfo {
  /** The client's address: the peer, or the nearest untrusted address in X-Forwarded-For behind trusted proxies. */
  address: string;
  /** The one X-Forwarded-For value sent upstream: from the client through the trusted proxies, ending with the peer. */
  forwardedFor: string;
  proto: 'http' | 'https';
  /** The host the client asked for, for X-Forwarded-Host. */
  host: string | undefined;
}

/** Writes an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it carries. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1] : address;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

const HOST_PATTERN = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * Works out the client's address, scheme and host. The headers of a peer
 * that is not a trusted proxy are ignored. Behind trusted proxies the
 * X-Forwarded-For list is read from the right: every trusted address is a
 * proxy hop, and the first untrusted one is the client. Entries to its left
 * were written by the client itself, so they are dropped from the value
 * passed on. An entry that is not an IP address ends the walk.
 */
export function resolveClient(peerAddress: string | undefined, encrypted: boolean, headers: IncomingHttpHeaders, proxies: TrustedProxies): ClientInfo {
  const peer = normalizeAddress(peerAddress);
  const socketProto = encrypted ? 'https' : 'http';
  if (!proxies.trusts(peer)) return { address: peer, forwardedFor: peer, proto: socketProto, host: headers.host };

  const chain = (headerText(headers['x-forwarded-for']) ?? '')
    .split(',')
    .map((entry) => normalizeAddress(entry.trim()))
    .filter((entry) => entry !== '');
  const hops = [peer];
  let client = peer;
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const entry = chain[index];
    if (isIP(entry) === 0) break;
    client = entry;
    hops.unshift(entry);
    if (!proxies.trusts(entry)) break;
  }

  const forwardedProto = headerText(headers['x-forwarded-proto'])?.split(',')[0].trim().toLowerCase();
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : socketProto;
  const forwardedHost = headerText(headers['x-forwarded-host'])?.split(',')[0].trim();
  const host = forwardedHost && HOST_PATTERN.test(forwardedHost) ? forwardedHost : headers.host;
  return { address: client, forwardedFor: hops.join(', '), proto, host };
}

/**
 * Returns the key under which rate limits count a client. An IPv6 client usually
 * controls a whole /64, so IPv6 addresses count by their first 64 bits.
 */
export function rateLimitAddressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** Expands an IPv6 address into its eight 16-bit groups, or returns null when it cannot be read. */
function expandIpv6(address: string): string[] | null {
  let text = address.split('%')[0];
  const embedded = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (embedded) {
    const [a, b, c, d] = embedded.slice(1).map(Number);
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...left, ...Array<string>(text.includes('::') ? missing : 0).fill('0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
