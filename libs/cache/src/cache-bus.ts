import { EventEmitter } from 'node:events';
import type { RedisClient } from './redis';

/** What changed. `id` narrows it (a token key, a user id); absent means "everything of that kind". */
export type CacheTopic = 'token' | 'user' | 'channels' | 'options';

export interface CacheEvent {
  topic: CacheTopic;
  id?: string;
}

/**
 * Tells every process's in-memory caches that data changed (token disabled, user quota edited,
 * channel saved, option updated). Admin publishes; relay, admin and worker subscribe.
 * Implementations: in-process (tests, single process), Redis pub/sub (distributed mode) and the
 * SQL-polling bus in libs/data (embedded mode: relay and admin are separate processes on SQLite).
 */
export interface CacheBus {
  publish(event: CacheEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(handler: (event: CacheEvent) => void): () => void;
  close(): Promise<void>;
}

export class LocalCacheBus implements CacheBus {
  private readonly emitter = new EventEmitter().setMaxListeners(100);
  async publish(event: CacheEvent): Promise<void> {
    this.emitter.emit('event', event);
  }
  subscribe(handler: (event: CacheEvent) => void): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL = 'oneapi:cache-invalidate';

/** Redis pub/sub bus: one subscriber connection per process; local delivery happens via Redis too. */
export class RedisCacheBus implements CacheBus {
  private readonly local = new LocalCacheBus();
  private readonly subscriber: RedisClient;
  private ready: Promise<unknown>;

  constructor(private readonly redis: RedisClient) {
    // Subscriptions must survive reconnects and may be issued before the first connect.
    this.subscriber = redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined);
    this.ready = this.subscriber.subscribe(CHANNEL);
    this.subscriber.on('message', (_channel: string, message: string) => {
      try {
        void this.local.publish(JSON.parse(message) as CacheEvent);
      } catch {
        /* ignore malformed messages */
      }
    });
  }

  /** Resolves once this process's subscription is active (events published before it are missed). */
  async subscribed(): Promise<void> {
    await this.ready;
  }

  async publish(event: CacheEvent): Promise<void> {
    await this.ready;
    await this.redis.publish(CHANNEL, JSON.stringify(event));
  }

  subscribe(handler: (event: CacheEvent) => void): () => void {
    return this.local.subscribe(handler);
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
