import { TrustedProxies } from './client-ip';

describe('TrustedProxies', () => {
  it('uses the socket address when the peer is not a trusted proxy (X-Forwarded-For cannot spoof)', () => {
    const r = new TrustedProxies([]);
    expect(r.resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
    expect(r.resolve('::ffff:203.0.113.9', undefined)).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted X-Forwarded-For hop behind trusted proxies (addresses and CIDRs)', () => {
    const r = new TrustedProxies(['10.0.0.0/8', '127.0.0.1']);
    expect(r.resolve('::ffff:127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(r.resolve('10.1.2.3', '1.1.1.1, 198.51.100.7, 10.9.9.9')).toBe('198.51.100.7');
    expect(r.resolve('10.1.2.3', undefined)).toBe('10.1.2.3');
    expect(r.resolve('192.0.2.1', '198.51.100.7')).toBe('192.0.2.1');
  });

  it('treats an IPv4-mapped trusted entry as its IPv4 address and ignores invalid entries', () => {
    const r = new TrustedProxies(['::ffff:127.0.0.1', 'not-an-ip', '10.0.0.0/99']);
    expect(r.isTrusted('127.0.0.1')).toBe(true);
    expect(r.isTrusted('10.0.0.1')).toBe(false);
    expect(r.resolve('127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
  });
});
