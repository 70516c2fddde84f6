import { ClientIpResolver } from './client-ip';

describe('ClientIpResolver', () => {
  it('uses the socket address when the peer is not a trusted proxy (X-Forwarded-For cannot spoof)', () => {
    const r = new ClientIpResolver([]);
    expect(r.resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
    expect(r.resolve('::ffff:203.0.113.9', undefined)).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted X-Forwarded-For hop behind trusted proxies (addresses and CIDRs)', () => {
    const r = new ClientIpResolver(['10.0.0.0/8', '127.0.0.1']);
    expect(r.resolve('::ffff:127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(r.resolve('10.1.2.3', '1.1.1.1, 198.51.100.7, 10.9.9.9')).toBe('198.51.100.7');
    expect(r.resolve('10.1.2.3', undefined)).toBe('10.1.2.3');
    expect(r.resolve('192.0.2.1', '198.51.100.7')).toBe('192.0.2.1');
  });
});
