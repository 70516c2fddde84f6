import { request, type Dispatcher } from 'undici';
import { UnsupportedParameterError } from '../errors';
import { imageUrlOf, partsOf, type OpenAIChatMessage } from '../native/openai-chat.types';
import { createProxyAgent } from './proxy';

/** Settings of the client for URLs that callers put in requests (One API's USER_CONTENT_REQUEST_*). */
export interface UserContentOptions {
  /** USER_CONTENT_REQUEST_PROXY: every download goes through it. */
  proxy: string;
  /** USER_CONTENT_REQUEST_TIMEOUT in ms: the whole download. */
  timeoutMs: number;
  /** Largest body accepted (default 20 MiB, Gemini's inline request limit). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/**
 * Downloads URLs that callers put in requests (images a provider needs inline) through
 * USER_CONTENT_REQUEST_PROXY, as One API's UserContentRequestHTTPClient does. Only http(s) URLs,
 * only through the proxy: the relay never fetches a caller's URL from its own network.
 */
export class UserContentFetcher {
  private readonly dispatcher: Dispatcher;
  private readonly maxBytes: number;

  /** Throws when `opts.proxy` is not a usable proxy URL. */
  constructor(private readonly opts: UserContentOptions) {
    this.dispatcher = createProxyAgent(opts.proxy, { connect: { timeout: opts.timeoutMs }, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs });
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** `url` as a `data:<mime>;base64,...` URL; throws an Error saying why it could not be read. */
  async dataUrl(url: string): Promise<string> {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`only http and https URLs are fetched, not ${u.protocol}`);
    // Redirects are not followed (undici's request does not): a 3xx is refused below.
    const res = await request(u, { method: 'GET', dispatcher: this.dispatcher, signal: AbortSignal.timeout(this.opts.timeoutMs) });
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      throw new Error(`the URL answered HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      // Leaving the loop ends the body (the connection is dropped).
      if (size > this.maxBytes) break;
      chunks.push(buf);
    }
    if (size > this.maxBytes) throw new Error(`the file is larger than ${this.maxBytes} bytes`);
    const header = res.headers['content-type'];
    const mime = (Array.isArray(header) ? header[0] : header)?.split(';')[0].trim() || 'application/octet-stream';
    return `data:${mime};base64,${Buffer.concat(chunks, size).toString('base64')}`;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/**
 * The chat body with every http(s) `image_url` replaced by its bytes as a data URL (fetched in
 * parallel), or undefined when it has none. A URL that cannot be fetched is the caller's
 * problem: `UnsupportedParameterError` naming the part.
 */
export async function inlineImageUrls(json: Record<string, unknown>, fetcher: Pick<UserContentFetcher, 'dataUrl'>): Promise<Record<string, unknown> | undefined> {
  if (!Array.isArray(json.messages)) return undefined;
  const jobs: Promise<void>[] = [];
  const messages = (json.messages as OpenAIChatMessage[]).map((m, i) => {
    if (typeof m !== 'object' || m === null || !Array.isArray(m.content)) return m;
    const content = partsOf(m.content).map((part, j) => {
      const url = imageUrlOf(part);
      if (!url || !/^https?:\/\//i.test(url)) return part;
      const copy = { type: 'image_url', image_url: { url } };
      const param = `messages[${i}].content[${j}].image_url.url`;
      jobs.push(
        fetcher.dataUrl(url).then(
          (data) => {
            copy.image_url.url = data;
          },
          (error: Error) => {
            throw new UnsupportedParameterError(param, `${param}: the image could not be fetched (${error.message})`);
          },
        ),
      );
      return copy;
    });
    return { ...m, content };
  });
  if (jobs.length === 0) return undefined;
  await Promise.all(jobs);
  return { ...json, messages };
}
