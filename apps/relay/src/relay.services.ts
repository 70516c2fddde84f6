import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ChannelJobRepository, createChannelKeyCipher } from '@oneapi/data';
import { Mailer, RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { RelayAuthService } from './auth/relay-auth.service';
import { parseCidrList } from './auth/client-ip';
import { RelayPricing } from './billing/pricing';
import { preloadTokenCounting } from './billing/domain-bridge';
import { QuotaService } from './billing/quota.service';
import { UsageRecorder } from './billing/usage-recorder';
import { RelayMetrics } from './metrics/relay-metrics';
import { RelayRateLimiter } from './rate-limit/relay-rate-limiter';
import { RelayService, type ChannelDisabledHook } from './proxy/relay.service';
import { ChannelRouter } from './routing/channel-router.service';
import { UpstreamClient } from './upstream/upstream-client';

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
@Injectable()
export class RelayServices implements OnApplicationShutdown {
  readonly auth: RelayAuthService;
  readonly router: ChannelRouter;
  readonly pricing: RelayPricing;
  readonly recorder: UsageRecorder;
  readonly quota: QuotaService;
  readonly upstream: UpstreamClient;
  readonly metrics: RelayMetrics;
  readonly rateLimit: RelayRateLimiter;
  readonly relay: RelayService;
  private readonly disabledHooks: ChannelDisabledHook[] = [];

  constructor(@Inject(RUNTIME) readonly runtime: ServiceRuntime) {
    const env = runtime.config.env;
    preloadTokenCounting();
    this.auth = new RelayAuthService(runtime.db, runtime.bus, runtime.redis, env.CACHE_TTL_SECONDS);
    const cipher = createChannelKeyCipher(env.CHANNEL_KEY_SECRET);
    this.router = new ChannelRouter(runtime.db, runtime.bus, runtime.logger, env.CACHE_TTL_SECONDS * 1000, env.CHANNEL_COOLDOWN_SECONDS * 1000, (k) =>
      cipher.decrypt(k),
    );
    this.pricing = new RelayPricing(runtime.options);
    this.recorder = new UsageRecorder(runtime.db, runtime.logger, env.BATCH_UPDATE_ENABLED, env.BATCH_UPDATE_INTERVAL);
    this.quota = new QuotaService(runtime.db, this.auth, this.recorder);
    this.upstream = new UpstreamClient(env);
    this.metrics = new RelayMetrics(runtime.metrics);
    this.rateLimit = new RelayRateLimiter(this.pricing, runtime.redis, runtime.logger);
    this.relay = new RelayService({
      rateLimit: this.rateLimit,
      auth: this.auth,
      router: this.router,
      quota: this.quota,
      pricing: this.pricing,
      recorder: this.recorder,
      upstream: this.upstream,
      metrics: this.metrics,
      logger: runtime.logger,
      bus: runtime.bus,
      trustedProxies: parseCidrList(runtime.config.trustedProxies),
      onChannelDisabled: this.disabledHooks,
    });
    this.onChannelDisabled(rootNotifier(runtime));
  }

  /**
   * Registers a listener for automatic channel disabling (the worker/notification side sends
   * root its e-mail from here). Listeners run after the database and caches are updated.
   */
  onChannelDisabled(hook: ChannelDisabledHook): void {
    this.disabledHooks.push(hook);
  }

  /** Finishes running settlements, then writes pending log rows and batched counters. */
  async flush(): Promise<void> {
    await this.relay.drain();
    await this.recorder.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    this.auth.close();
    this.router.close();
    await this.relay.drain();
    await this.recorder.close();
    await this.upstream.close().catch(() => undefined);
  }
}
