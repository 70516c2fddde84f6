import { isIPv4, isIPv6 } from 'node:net';

/** Splits and trims a comma-separated list, dropping empties. */
export function commaList(value: string | null | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** True for `a.b.c.d/n` (n 0..32) or an IPv6 `addr/n` (n 0..128), as Go's net.ParseCIDR accepts them. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (isIPv4(address)) return bits <= 32;
  if (isIPv6(address)) return bits <= 128;
  return false;
}
