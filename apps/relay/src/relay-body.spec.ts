import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { readRelayBody } from './relay.routes';
import { RelayErrorCode, RelayException } from './errors/relay.exception';

function fakeRequest(headers: Record<string, string>, chunks: Buffer[]): FastifyRequest {
  const raw = new PassThrough();
  for (const c of chunks) raw.write(c);
  raw.end();
  return { headers, raw } as unknown as FastifyRequest;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (error) {
    return error instanceof RelayException ? error.code : `other:${(error as Error).message}`;
  }
}

describe('readRelayBody (the /v1 POST body without Fastify’s content-type parser)', () => {
  it('returns the bytes as sent, joined from chunks', async () => {
    const body = await readRelayBody(fakeRequest({ 'content-type': 'application/json', 'content-length': '7' }, [Buffer.from('{"a"'), Buffer.from(':1}')]), 100);
    expect(body?.toString()).toBe('{"a":1}');
  });

  it('gives undefined for a body-less request without a content type, an empty buffer with one', async () => {
    expect(await readRelayBody(fakeRequest({}, []), 100)).toBeUndefined();
    expect((await readRelayBody(fakeRequest({ 'content-type': 'application/json', 'content-length': '0' }, []), 100))?.length).toBe(0);
  });

  it('decompresses, with the cap applied after decompression', async () => {
    const zipped = gzipSync('hello');
    const body = await readRelayBody(fakeRequest({ 'content-type': 'text/plain', 'content-encoding': 'gzip' }, [zipped]), 100);
    expect(body?.toString()).toBe('hello');
    const bomb = gzipSync(Buffer.alloc(1000, 0x20));
    expect(await codeOf(readRelayBody(fakeRequest({ 'content-type': 'text/plain', 'content-encoding': 'gzip' }, [bomb]), 100))).toBe(RelayErrorCode.BodyTooLarge);
    expect(await codeOf(readRelayBody(fakeRequest({ 'content-type': 'text/plain', 'content-encoding': 'gzip' }, [Buffer.from('not gzip')]), 100))).toBe(
      RelayErrorCode.InvalidRequest,
    );
    expect(await codeOf(readRelayBody(fakeRequest({ 'content-type': 'text/plain', 'content-encoding': 'zstd2' }, [Buffer.from('x')]), 100))).toBe(
      RelayErrorCode.UnsupportedMediaType,
    );
  });

  it('refuses bodies over the limit (declared or streamed), length mismatches and malformed content types', async () => {
    expect(await codeOf(readRelayBody(fakeRequest({ 'content-type': 'application/json', 'content-length': '101' }, []), 100))).toBe(RelayErrorCode.BodyTooLarge);
    expect(await codeOf(readRelayBody(fakeRequest({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, [Buffer.alloc(101)]), 100))).toBe(
      RelayErrorCode.BodyTooLarge,
    );
    expect(await codeOf(readRelayBody(fakeRequest({ 'content-type': 'application/json', 'content-length': '5' }, [Buffer.from('abc')]), 100))).toBe(
      RelayErrorCode.InvalidRequest,
    );
    expect(await codeOf(readRelayBody(fakeRequest({ 'content-type': 'json' }, [Buffer.from('{}')]), 100))).toBe(RelayErrorCode.UnsupportedMediaType);
  });
});
