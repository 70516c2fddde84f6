import type { BlockList } from 'node:net';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { ChannelJobRepository, createChannelKeyCipher } from '@oneapi/data';
import { Mailer, parseCidrList, RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { RelayAuthService } from './auth/relay-auth.service';
import { RelayPricing } from './billing/pricing';
import { preloadTokenCounting } from './billing/domain-bridge';
import { QuotaService } from './billing/quota.service';
import { UsageRecorder } from './billing/usage-recorder';
import { RelayMetrics } from './metrics/relay-metrics';
import { RelayRateLimiter, relayRedisGate } from './rate-limit/relay-rate-limiter';
import { Admission } from './pipeline/admission';
import { Attempts, type ChannelDisabledHook } from './pipeline/attempts';
import { RelayPipeline } from './pipeline/relay-pipeline';
import { Replies } from './pipeline/replies';
import { Settlement } from './pipeline/settlement';
import { ChannelRouter } from './routing/channel-router.service';
import { ChannelCapacity } from './capacity/channel-capacity';
import { ResponseAffinity } from './protocols/responses-affinity';
import { StreamShutdown } from './stream';
import { setGeminiDefaultVersion, UpstreamClient, UserContentFetcher } from '@oneapi/providers';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Emails root when the relay disables a channel (One API's notifyRootUser on auto-disable):
 * SMTP settings from the options (read at each send), the address of the first enabled root.
 * Best effort: no SMTP or no root email means no mail; a failure is logged, never thrown.
 */
function rootNotifier(runtime: ServiceRuntime): ChannelDisabledHook {
  const mailer = Mailer.fromOptions(runtime.options);
  const repo = new ChannelJobRepository(runtime.db);
  return async ({ channelId, channelName, reason }) => {
    if (!mailer.isConfigured()) return;
    try {
      const to = await repo.rootEmail();
      if (!to) return;
      const subject = `Channel "${channelName}" (#${channelId}) has been disabled`;
      const text = `Channel "${channelName}" (#${channelId}) was disabled automatically. Reason: ${reason}`;
      await mailer.send({ to, subject, html: `<p>${escapeHtml(text)}</p>`, text });
    } catch (error) {
      runtime.logger.warn({ channel_id: channelId, err: (error as Error).message }, 'could not email root about the disabled channel');
    }
  };
}

/**
 * The relay's long-lived parts, built once per runtime: caches, routing table, HTTP agent,
 * usage recorder, metrics. Closed (and pending logs/counters flushed) on application shutdown.
 */
/** How long a stopping relay keeps retrying settlements that have not reached the database. */
const LEDGER_CLOSE_MS = 3_000;

@Injectable()
export class RelayServices implements BeforeApplicationShutdown, OnApplicationShutdown {
  readonly auth: RelayAuthService;
  readonly router: ChannelRouter;
  readonly pricing: RelayPricing;
  readonly recorder: UsageRecorder;
  readonly quota: QuotaService;
  readonly upstream: UpstreamClient;
  /** Downloads of callers' image URLs for Gemini, through USER_CONTENT_REQUEST_PROXY (null when unset). */
  private readonly userContent: UserContentFetcher | null;
  readonly metrics: RelayMetrics;
  readonly rateLimit: RelayRateLimiter;
  readonly settlement: Settlement;
  readonly admission: Admission;
  readonly capacity: ChannelCapacity;
  readonly pipeline: RelayPipeline;
  /** Where each stored response (OpenAI Responses API) lives: the channel its follow-ups must reach. */
  readonly responseAffinity: ResponseAffinity;
  /** TRUSTED_PROXIES, parsed once: whose X-Forwarded-For names the client. */
  readonly trustedProxies: BlockList | null;
  private readonly disabledHooks: ChannelDisabledHook[] = [];
  /** Fired near the end of the shutdown grace: streams still open end with an error event and are billed. */
  private readonly shutdown = new StreamShutdown();
  private shutdownTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(RUNTIME) readonly runtime: ServiceRuntime) {
    const env = runtime.config.env;
    preloadTokenCounting();
    setGeminiDefaultVersion(env.GEMINI_VERSION);
    this.auth = new RelayAuthService(runtime.db, runtime.bus, runtime.redis, env.CACHE_TTL_SECONDS);
    const cipher = createChannelKeyCipher(env.CHANNEL_KEY_SECRET);
    this.router = new ChannelRouter(runtime.db, runtime.bus, runtime.logger, env.CACHE_TTL_SECONDS * 1000, env.CHANNEL_COOLDOWN_SECONDS * 1000, (k) =>
      cipher.decrypt(k),
    );
    this.pricing = new RelayPricing(runtime.options);
    this.recorder = new UsageRecorder(runtime.db, runtime.logger);
    this.quota = new QuotaService(runtime.db, this.auth, runtime.logger, env.RESERVATION_TTL * 1000);
    this.userContent = env.USER_CONTENT_REQUEST_PROXY ? new UserContentFetcher({ proxy: env.USER_CONTENT_REQUEST_PROXY, timeoutMs: env.USER_CONTENT_REQUEST_TIMEOUT * 1000 }) : null;
    this.upstream = new UpstreamClient({
      connectTimeoutMs: env.RELAY_CONNECT_TIMEOUT * 1000,
      firstByteTimeoutMs: env.RELAY_FIRST_BYTE_TIMEOUT * 1000,
      idleTimeoutMs: env.RELAY_IDLE_TIMEOUT * 1000,
      totalTimeoutMs: env.RELAY_TIMEOUT * 1000,
      proxy: env.RELAY_PROXY,
    });
    this.metrics = new RelayMetrics(runtime.metrics);
    // One breaker for every Redis caller with a per-process fallback: limits, caps, channel rates.
    const gate = runtime.redis ? relayRedisGate(runtime.redis) : undefined;
    this.rateLimit = new RelayRateLimiter(this.pricing, runtime.redis, runtime.logger, undefined, { gate });
    let warnedAt = 0;
    // Caller caps and channel capacity in one store: one script to take, one to give back.
    this.capacity = new ChannelCapacity(
      runtime.redis,
      (error) => {
        // While Redis is away every request falls back; say so once in a while, not per request.
        if (Date.now() - warnedAt < 10_000) return;
        warnedAt = Date.now();
        runtime.logger.warn({ err: (error as Error).message }, 'concurrency caps and channel rates counted in this process only: Redis unavailable');
      },
      gate,
    );
    this.admission = new Admission(this.quota, this.rateLimit, this.pricing, this.capacity);
    this.settlement = new Settlement(this.pricing, this.quota, this.recorder, this.rateLimit, runtime.logger);
    const replies = new Replies(this.pricing, this.settlement, this.metrics, {
      idleMs: this.upstream.idleTimeoutMs,
      maxLineBytes: env.RELAY_MAX_SSE_LINE_BYTES,
      maxBodyBytes: env.RELAY_MAX_BODY_MB * 1024 * 1024,
      shutdown: this.shutdown,
    });
    const attempts = new Attempts({
      router: this.router,
      pricing: this.pricing,
      upstream: this.upstream,
      replies,
      metrics: this.metrics,
      bus: runtime.bus,
      logger: runtime.logger,
      onChannelDisabled: this.disabledHooks,
      capacity: this.capacity,
      userContent: this.userContent,
    });
    this.trustedProxies = parseCidrList(runtime.config.trustedProxies);
    this.responseAffinity = new ResponseAffinity(runtime.redis);
    this.pipeline = new RelayPipeline({
      auth: this.auth,
      pricing: this.pricing,
      router: this.router,
      admission: this.admission,
      attempts,
      metrics: this.metrics,
      logger: runtime.logger,
      trustedProxies: this.trustedProxies,
      totalTimeoutMs: this.upstream.totalTimeoutMs,
      maxInFlight: env.RELAY_MAX_IN_FLIGHT,
      homes: this.responseAffinity,
      enforceIncludeUsage: env.ENFORCE_INCLUDE_USAGE,
    });
    this.metrics.trackInFlight(() => this.pipeline.inFlight);
    this.onChannelDisabled(rootNotifier(runtime));
  }

  /**
   * Registers a listener for automatic channel disabling (the worker/notification side sends
   * root its e-mail from here). Listeners run after the database and caches are updated.
   */
  onChannelDisabled(hook: ChannelDisabledHook): void {
    this.disabledHooks.push(hook);
  }

  /** Finishes running settlements (durable once this resolves), then writes pending log rows. */
  async flush(): Promise<void> {
    await this.settlement.drain();
    await this.recorder.flush();
  }

  /** Streams get most of the drain period to finish, then end with `shutdown` while settlement can still run. */
  beforeApplicationShutdown(): void {
    const graceMs = this.runtime.config.env.SHUTDOWN_TIMEOUT * 1000;
    this.shutdownTimer = setTimeout(() => this.shutdown.fire(), Math.max(0, graceMs - 5_000));
    this.shutdownTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.shutdownTimer);
    this.auth.close();
    this.router.close();
    this.capacity.close();
    this.shutdown.fire();
    // Settlements still waiting for the database get until the end of the grace period; the
    // reservations of any left unwritten are released by the sweeper after RESERVATION_TTL.
    await this.quota.close(LEDGER_CLOSE_MS);
    await this.settlement.drain();
    await this.recorder.close();
    await this.upstream.close().catch(() => undefined);
    await this.userContent?.close().catch(() => undefined);
  }
}
