import { createHmac } from 'node:crypto';
import type { ConversionContext } from '../adapter.types';
import { newStreamState } from '../native/openai-chunks';
import { convertSparkStreamEvent, signSparkUrl, sparkApiVersion, sparkCredentials, sparkDomain, sparkErrorStatus, sparkPath, toSparkRequest } from './spark-chat';

const ctx = (key = 'app|secret|apikey'): ConversionContext => ({ requestModel: 'Spark-Max', upstreamModel: 'Spark-Max', channel: { id: 1, type: 18, key, config: {} } });

describe('Spark v1 conversions', () => {
  it.each([
    ['Spark-Lite', undefined, 'v1.1', 'lite', '/v1.1/chat'],
    ['Spark-Pro-128K', undefined, 'v3.1-128K', 'pro-128k', '/chat/pro-128k'],
    ['Spark-Max-32K', undefined, 'v3.5-32K', 'max-32k', '/chat/max-32k'],
    ['Spark-4.0-Ultra', undefined, 'v4.0', '4.0Ultra', '/v4.0/chat'],
    ['SparkDesk-v2.1', 'v3.5', 'v2.1', 'generalv2', '/v2.1/chat'],
    ['SparkDesk', 'v3.5', 'v3.5', 'generalv3.5', '/v3.5/chat'],
    ['SparkDesk', undefined, 'v1.1', 'lite', '/v1.1/chat'],
  ])('%s (api_version %s): version %s, domain %s, path %s', (model, configured, version, domain, path) => {
    expect(sparkApiVersion(model, configured)).toBe(version);
    expect(sparkDomain(version)).toBe(domain);
    expect(sparkPath(version)).toBe(path);
  });

  it('signs host, date and request line with the APISecret; the authorization names the APIKey', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const u = new URL(signSparkUrl('wss://spark-api.xf-yun.com/v3.5/chat', { appId: 'app', apiSecret: 'secret', apiKey: 'apikey' }, now));
    expect(u.searchParams.get('date')).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(u.searchParams.get('host')).toBe('spark-api.xf-yun.com');
    const signature = createHmac('sha256', 'secret').update('host: spark-api.xf-yun.com\ndate: Fri, 02 Jan 2026 03:04:05 GMT\nGET /v3.5/chat HTTP/1.1').digest('base64');
    expect(Buffer.from(u.searchParams.get('authorization') ?? '', 'base64').toString()).toBe(`api_key="apikey", algorithm="hmac-sha256", headers="host date request-line", signature="${signature}"`);
  });

  it('a key without three parts is the channel’s configuration', () => {
    expect(() => sparkCredentials(7, 'app|secret')).toThrow(/APPID\|APISecret\|APIKey/);
  });

  it('answers 400 naming what Spark cannot express: several choices, image parts', () => {
    expect(() => toSparkRequest({ model: 'Spark-Max', n: 2, messages: [{ role: 'user', content: 'x' }] }, ctx(), 'v3.5')).toThrow(expect.objectContaining({ param: 'n' }) as unknown as Error);
    const image = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] };
    expect(() => toSparkRequest({ model: 'Spark-Max', messages: [image] }, ctx(), 'v3.5')).toThrow(expect.objectContaining({ param: 'messages[0].content' }) as unknown as Error);
  });

  it('maps error codes: credentials 401, limits 429, request errors 400, engine failures 502', () => {
    expect([10313, 11200, 11201, 11202, 10163, 10907, 10222, 500].map(sparkErrorStatus)).toEqual([401, 401, 429, 429, 400, 400, 502, 502]);
  });

  it('an error frame mid-stream is an error chunk that ends the stream', () => {
    const state = newStreamState(ctx());
    const c = convertSparkStreamEvent({ data: JSON.stringify({ header: { code: 10013, message: 'input contains sensitive content', status: 2 } }) }, state);
    expect(c).toEqual({ chunks: [{ error: { message: 'input contains sensitive content', type: 'upstream_error', param: null, code: '10013' } }], done: true });
  });
});
