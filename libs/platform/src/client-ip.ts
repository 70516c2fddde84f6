import { BlockList, isIP } from 'node:net';

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function normalize(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** Parses comma-separated addresses/CIDRs into a BlockList; invalid entries are ignored. */
export function parseCidrList(list: string | readonly string[]): BlockList | null {
  const items = (typeof list === 'string' ? list.split(',') : list).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return null;
  const bl = new BlockList();
  let added = 0;
  for (const item of items) {
    const [raw, bits] = item.split('/');
    const addr = bits === undefined ? normalize(raw) : raw;
    const family = isIP(addr);
    if (family === 0) continue;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) bl.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) continue;
      bl.addSubnet(addr, prefix, type);
    }
    added++;
  }
  return added > 0 ? bl : null;
}

/** Whether `ip` is in the list (IPv4-mapped IPv6 addresses are compared as IPv4). */
export function ipInList(list: BlockList, ip: string): boolean {
  const addr = normalize(ip);
  const family = isIP(addr);
  if (family === 0) return false;
  return list.check(addr, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client address: the socket peer, unless the peer is a trusted proxy, in which case the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy (the left part of the
 * header is client-controlled and cannot be believed).
 */
export function clientIp(socketIp: string | undefined, forwardedFor: string | string[] | undefined, trusted: BlockList | null): string {
  const peer = normalize(socketIp ?? '');
  if (!trusted || !forwardedFor || !ipInList(trusted, peer)) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => normalize(s.trim()))
    .filter((s) => isIP(s) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!ipInList(trusted, hops[i])) return hops[i];
  return hops[0] ?? peer;
}

/** TRUSTED_PROXIES parsed once, for callers that ask both "is this peer a proxy?" and "who is the client?". */
export class TrustedProxies {
  private readonly list: BlockList | null;

  constructor(entries: string | readonly string[]) {
    this.list = parseCidrList(entries);
  }

  isTrusted(ip: string): boolean {
    return this.list !== null && ipInList(this.list, ip);
  }

  resolve(socketIp: string | undefined, forwardedFor: string | string[] | undefined): string {
    return clientIp(socketIp, forwardedFor, this.list);
  }
}
