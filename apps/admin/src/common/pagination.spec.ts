import { ApiError } from './api-error';
import { intQuery, parseId, parsePagination } from './pagination';

describe('parsePagination', () => {
  it('defaults to page 0 of 10, caps page_size at 100 and reads negative p as 0 (One API)', () => {
    expect(parsePagination({})).toEqual({ page: 0, pageSize: 10, offset: 0, limit: 10 });
    expect(parsePagination({ p: '3', page_size: '20' })).toEqual({ page: 3, pageSize: 20, offset: 60, limit: 20 });
    expect(parsePagination({ p: '-2', page_size: '1000' })).toEqual({ page: 0, pageSize: 100, offset: 0, limit: 100 });
    expect(parsePagination({ p: '', page_size: '' })).toMatchObject({ page: 0, pageSize: 10 });
  });

  it('answers 400 naming the parameter for non-integers', () => {
    expect(() => parsePagination({ p: 'x' })).toThrow(new ApiError(ApiError.badRequest('').code, 'p must be an integer'));
    expect(() => parsePagination({ page_size: '0' })).toThrow(/page_size/);
    expect(() => parsePagination({ page_size: '1.5' })).toThrow(/page_size/);
  });
});

describe('intQuery / parseId', () => {
  it('parses in range, or throws naming the field', () => {
    expect(intQuery(undefined, 'type')).toBeUndefined();
    expect(intQuery(['4', '5'], 'type')).toBe(4);
    expect(() => intQuery('9', 'type', { max: 5 })).toThrow(/type must not be greater than 5/);
    expect(() => intQuery('99999999999999999999', 'channel')).toThrow(/channel is out of range/);
    expect(parseId('12')).toBe(12);
    expect(() => parseId('0')).toThrow(/id/);
    expect(() => parseId('abc')).toThrow(/id must be an integer/);
  });
});
