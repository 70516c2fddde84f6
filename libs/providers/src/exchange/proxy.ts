import { ProxyAgent, type Dispatcher } from 'undici';

/** Proxy URL schemes the upstream client can route through (undici's ProxyAgent handles each). */
export const PROXY_PROTOCOLS: readonly string[] = ['http:', 'https:', 'socks5:'];

/**
 * Why `value` cannot be used as an outbound proxy URL, or undefined when it can:
 * `http://[user:pass@]host:port` and `https://...` tunnel with HTTP CONNECT; `socks5://` goes
 * through undici's SOCKS5 agent.
 */
export function proxyUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'not a URL; expected http://host:port, https://host:port or socks5://host:port';
  }
  if (!PROXY_PROTOCOLS.includes(u.protocol)) return `unsupported proxy scheme "${u.protocol.replace(/:$/, '')}"; expected http, https or socks5`;
  if (!u.hostname) return 'the proxy URL has no host';
  return undefined;
}

/** Timeouts and pool settings shared by the direct agent and every proxy agent. */
export type AgentSettings = Pick<ProxyAgent.Options, 'connect' | 'headersTimeout' | 'bodyTimeout' | 'keepAliveTimeout' | 'keepAliveMaxTimeout' | 'pipelining'>;

/**
 * An undici dispatcher that sends every request through `proxyUrl`. Throws when the URL is not
 * a usable proxy (see `proxyUrlProblem`).
 */
export function createProxyAgent(proxyUrl: string, settings: AgentSettings = {}): Dispatcher {
  const problem = proxyUrlProblem(proxyUrl);
  if (problem) throw new Error(`invalid proxy URL: ${problem}`);
  // undici's SOCKS5 agent takes only the proxy URL; its pools use undici's default timeouts.
  return new ProxyAgent({ ...settings, uri: proxyUrl });
}

/**
 * Proxy agents by URL, created on first use and kept (a channel's proxy repeats on every
 * request); the few distinct proxies of a deployment make the cache small.
 */
export class ProxyAgents {
  private readonly agents = new Map<string, Dispatcher>();

  constructor(private readonly settings: AgentSettings = {}) {}

  get(proxyUrl: string): Dispatcher {
    let agent = this.agents.get(proxyUrl);
    if (!agent) {
      agent = createProxyAgent(proxyUrl, this.settings);
      this.agents.set(proxyUrl, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(all.map((a) => a.close()));
  }

  async destroy(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(all.map((a) => a.destroy()));
  }
}
