import { Agent, request, type Dispatcher } from 'undici';
import type { AppConfig } from '@oneapi/config';

export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Aborts on client disconnect or the total timeout. */
  signal: AbortSignal;
}

/**
 * The relay's single HTTP client: one undici Agent (a keep-alive pool per upstream origin)
 * with the connect, first-byte (headers) and idle-between-chunks (body) timeouts from config.
 * The total timeout (RELAY_TIMEOUT) is applied per request through its AbortSignal.
 */
export class UpstreamClient {
  private readonly agent: Agent;
  readonly totalTimeoutMs: number;

  constructor(env: AppConfig['env']) {
    this.agent = new Agent({
      connect: { timeout: env.RELAY_CONNECT_TIMEOUT * 1000 },
      headersTimeout: env.RELAY_FIRST_BYTE_TIMEOUT * 1000,
      bodyTimeout: env.RELAY_IDLE_TIMEOUT * 1000,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      pipelining: 1,
    });
    this.totalTimeoutMs = env.RELAY_TIMEOUT * 1000;
  }

  send(req: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    return request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      dispatcher: this.agent,
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
