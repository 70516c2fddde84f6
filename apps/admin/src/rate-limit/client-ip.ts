import { BlockList, isIP } from 'node:net';

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function normalize(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/**
 * Resolves a request's client address: the socket peer, unless that peer is a trusted proxy
 * (TRUSTED_PROXIES: addresses or CIDRs), in which case the right-most X-Forwarded-For entry that
 * is not itself a trusted proxy. Untrusted peers cannot spoof their address with the header.
 */
export class ClientIpResolver {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  constructor(trustedProxies: string[]) {
    for (const entry of trustedProxies) {
      const [addr = '', prefix] = entry.split('/');
      const ip = normalize(addr.trim());
      const family = isIP(ip);
      if (!family) continue;
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (prefix !== undefined) this.trusted.addSubnet(ip, Number(prefix), type);
      else this.trusted.addAddress(ip, type);
    }
    this.any = trustedProxies.some((e) => isIP(normalize((e.split('/')[0] ?? '').trim())) > 0);
  }

  isTrusted(ip: string): boolean {
    if (!this.any) return false;
    const n = normalize(ip);
    const family = isIP(n);
    return family > 0 && this.trusted.check(n, family === 6 ? 'ipv6' : 'ipv4');
  }

  resolve(socketIp: string | undefined, forwardedFor: string | string[] | undefined): string {
    const peer = normalize(socketIp ?? '');
    if (!this.isTrusted(peer) || !forwardedFor) return peer;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((h) => normalize(h.trim()))
      .filter((h) => isIP(h) > 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (!this.isTrusted(hop)) return hop;
    }
    return hops[0] ?? peer;
  }
}
