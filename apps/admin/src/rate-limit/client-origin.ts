import { Inject, Injectable } from '@nestjs/common';
import { RUNTIME, TrustedProxies, type ServiceRuntime } from '@oneapi/platform';
import { CONSOLE_FORWARDED_HEADER, consoleForwardedKey, verifyConsoleForwarded, writeConsoleForwardedKey } from './console-forwarded';

/** Where a request came from, as far as it can be believed. */
export interface ClientOrigin {
  /** The client's address: the key of the per-client limits. */
  ip: string;
  /** The client reached us (or the console, or a trusted proxy) over HTTPS. */
  https: boolean;
}

/** A request's parts the resolver reads (Fastify request shape). */
export interface OriginRequest {
  ip?: string;
  socket?: { remoteAddress?: string; encrypted?: boolean };
  headers: Record<string, string | string[] | undefined>;
}

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim().toLowerCase() ?? '';

/**
 * The one resolver of the admin's client address and scheme. Two kinds of hop are believed:
 * the console, by its signed `x-oneapi-forwarded` header (SESSION_SECRET), and the proxies named
 * in TRUSTED_PROXIES, by their socket address. The client is the right-most X-Forwarded-For hop
 * that is neither; whatever a client wrote further left is ignored.
 */
@Injectable()
export class ClientOrigins {
  private readonly ips: TrustedProxies;
  private readonly key: Buffer;
  private readonly seen = new WeakMap<object, ClientOrigin>();
  private warned = false;

  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {
    this.ips = new TrustedProxies(runtime.config.trustedProxies);
    this.key = consoleForwardedKey(runtime.config.sessionSecret);
    const keyFile = runtime.config.env.CONSOLE_FORWARD_KEY_FILE;
    if (keyFile) writeConsoleForwardedKey(keyFile, this.key);
  }

  of(req: OriginRequest): ClientOrigin {
    const known = this.seen.get(req);
    if (known) return known;
    const origin = this.resolve(req);
    this.seen.set(req, origin);
    return origin;
  }

  private resolve(req: OriginRequest): ClientOrigin {
    const signed = verifyConsoleForwarded(this.key, req.headers[CONSOLE_FORWARDED_HEADER], Math.floor(Date.now() / 1000));
    if (signed === 'invalid') this.warnOnce();
    if (signed && signed !== 'invalid') {
      const hops = signed.for.split(',').map((h) => h.trim()).filter(Boolean);
      const consolePeer = hops.pop();
      if (consolePeer) {
        // The hop in front of the console is the console's peer: its X-Forwarded-Proto counts only if it is a trusted proxy.
        const https = this.ips.isTrusted(consolePeer) ? first(signed.proto) === 'https' : signed.scheme === 'https';
        return { ip: this.ips.resolve(consolePeer, hops), https };
      }
    }
    const peer = req.socket?.remoteAddress ?? req.ip;
    const trustedPeer = peer !== undefined && this.ips.isTrusted(peer);
    return {
      ip: this.ips.resolve(peer, req.headers['x-forwarded-for']),
      https: req.socket?.encrypted === true || (trustedPeer && first(req.headers['x-forwarded-proto']) === 'https'),
    };
  }

  private warnOnce(): void {
    if (this.warned) return;
    this.warned = true;
    this.runtime.logger.warn(
      { header: CONSOLE_FORWARDED_HEADER },
      "a request carried the console's client-address header with a bad signature: give the console the same SESSION_SECRET as the admin (until then its users are limited by the console's own address)",
    );
  }
}
