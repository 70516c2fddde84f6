import { commaList, isCidr } from './subnet';

describe('isCidr', () => {
  it.each(['10.0.0.0/8', '192.168.1.0/24', '0.0.0.0/0', '1.2.3.4/32', '::1/128', 'fd00::/8'])('accepts %s', (v) => expect(isCidr(v)).toBe(true));
  it.each(['10.0.0.1', '10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'abc/8', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8'])('rejects %s', (v) => expect(isCidr(v)).toBe(false));
});

describe('commaList', () => {
  it('trims and drops empties', () => {
    expect(commaList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(commaList(null)).toEqual([]);
  });
});
