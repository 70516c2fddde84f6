import type { Logger } from 'pino';
import type { CacheBus } from '@oneapi/cache';
import { RelayChannelRepository, type Database, type RelayChannelRow } from '@oneapi/data';
import { ChannelStatus } from '@oneapi/domain';
import { channelContextOf, channelModelsOf, getAdapter, modelMappingOf, type ChannelContext, type ProviderAdapter } from '@oneapi/providers';
import { hasCapacityLimits } from '../capacity/channel-capacity';
import type { Endpoint } from '../endpoints/endpoint';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { planLeg } from '../protocols/client-protocol';

/** A channel ready to receive requests: parsed once per routing-table build. */
export interface RouteChannel {
  id: number;
  name: string;
  type: number;
  status: number;
  priority: number;
  weight: number;
  models: readonly string[];
  modelMapping: ReadonlyMap<string, string>;
  systemPrompt: string;
  ctx: ChannelContext;
  adapter: ProviderAdapter;
  /** Capacity (0 = unlimited): requests at once across relays, requests and tokens per minute. */
  maxConcurrency: number;
  rpm: number;
  tpm: number;
  /** Whether any of the three is set: only then does an attempt claim capacity (an await). */
  capped: boolean;
}

interface Tier {
  priority: number;
  channels: RouteChannel[];
}

export interface RoutingTable {
  channels: Map<number, RouteChannel>;
  /** group → model → tiers by descending priority. */
  routes: Map<string, Map<string, Tier[]>>;
  /** group → every model it has an ability for, disabled ones included (404 vs 503). */
  known: Map<string, Set<string>>;
}

function toRouteChannel(row: RelayChannelRow, decryptKey: (stored: string) => string): RouteChannel {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    status: row.status,
    priority: row.priority,
    weight: row.weight,
    models: channelModelsOf(row.models),
    modelMapping: modelMappingOf(row.modelMapping),
    systemPrompt: row.systemPrompt,
    // Keys are encrypted at rest when CHANNEL_KEY_SECRET is set; decrypted once per table build.
    ctx: channelContextOf(row, decryptKey),
    adapter: getAdapter(row.type),
    maxConcurrency: Math.max(0, row.maxConcurrency),
    rpm: Math.max(0, row.rpm),
    tpm: Math.max(0, row.tpm),
    capped: hasCapacityLimits(row),
  };
}

/** What routing needs of an endpoint to tell which channels can serve it. */
export type RoutedEndpoint = Pick<Endpoint, 'mode' | 'path' | 'protocol'>;

/**
 * Whether a channel can take an endpoint's requests: its adapter declares the endpoint's mode
 * (or, for another client protocol, can be bridged through chat). Channels that cannot are never
 * chosen, so a model served by a chat-only type and a rerank type routes rerank to the latter.
 */
export function channelServes(endpoint: RoutedEndpoint, channel: RouteChannel): boolean {
  return planLeg(endpoint.mode, endpoint.protocol, channel.adapter) !== null;
}

/** Picks one channel by weight; weights ≤ 0 count as 1 so a zero-weight channel is still reachable. */
function weightedPick(list: readonly RouteChannel[]): RouteChannel {
  if (list.length === 1) return list[0];
  let sum = 0;
  for (const c of list) sum += c.weight > 0 ? c.weight : 1;
  let r = Math.random() * sum;
  for (const c of list) {
    r -= c.weight > 0 ? c.weight : 1;
    if (r < 0) return c;
  }
  return list[list.length - 1];
}

/**
 * Routing through abilities (SPEC section 6): group + model → enabled channels of the highest
 * priority, weighted random. The whole table lives in memory and is rebuilt in the background on
 * a `channels` cache event or after CACHE_TTL_SECONDS, so routing never reads the database on a
 * warm request. Channels that just failed are cooled down for CHANNEL_COOLDOWN_SECONDS.
 */
export class ChannelRouter {
  private table: RoutingTable | null = null;
  private loading: Promise<RoutingTable> | null = null;
  private loadedAt = 0;
  private dirty = false;
  private readonly cooldown = new Map<number, number>();
  private readonly repo: RelayChannelRepository;
  private readonly unsubscribe: () => void;

  constructor(
    db: Database,
    bus: CacheBus,
    private readonly logger: Logger,
    private readonly ttlMs: number,
    private readonly cooldownMs: number,
    private readonly decryptKey: (stored: string) => string = (k) => k,
  ) {
    this.repo = new RelayChannelRepository(db);
    this.unsubscribe = bus.subscribe((e) => {
      if (e.topic === 'channels') this.invalidate();
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /** Marks the table stale; the next request triggers a background rebuild (it still routes on the old one). */
  invalidate(): void {
    this.dirty = true;
    if (this.table) void this.reload();
  }

  /** Rebuilds the table now (shared with any rebuild already running). */
  reload(): Promise<RoutingTable> {
    if (this.loading) return this.loading;
    this.dirty = false;
    this.loading = this.build()
      .then((t) => {
        this.table = t;
        this.loadedAt = Date.now();
        return t;
      })
      .finally(() => {
        this.loading = null;
      });
    this.loading.catch((error: Error) => this.logger.warn({ err: error.message }, 'routing table reload failed'));
    return this.loading;
  }

  private async build(): Promise<RoutingTable> {
    const [rows, abilities] = await Promise.all([this.repo.loadChannels(), this.repo.loadAbilities()]);
    const channels = new Map<number, RouteChannel>();
    for (const row of rows) {
      try {
        channels.set(row.id, toRouteChannel(row, this.decryptKey));
      } catch (error) {
        // A key that cannot be decrypted (wrong CHANNEL_KEY_SECRET) makes that channel unroutable, not the relay.
        this.logger.error({ channel_id: row.id, err: (error as Error).message }, 'channel skipped');
      }
    }
    const routes = new Map<string, Map<string, Tier[]>>();
    const known = new Map<string, Set<string>>();
    for (const a of abilities) {
      let models = known.get(a.group);
      if (!models) known.set(a.group, (models = new Set()));
      models.add(a.model);
      const ch = channels.get(a.channelId);
      if (!a.enabled || !ch || ch.status !== ChannelStatus.Enabled) continue;
      let byModel = routes.get(a.group);
      if (!byModel) routes.set(a.group, (byModel = new Map()));
      let tiers = byModel.get(a.model);
      if (!tiers) byModel.set(a.model, (tiers = []));
      let tier = tiers.find((t) => t.priority === a.priority);
      if (!tier) tiers.push((tier = { priority: a.priority, channels: [] }));
      tier.channels.push(a.weight === ch.weight ? ch : { ...ch, weight: a.weight });
    }
    for (const byModel of routes.values()) for (const tiers of byModel.values()) tiers.sort((x, y) => y.priority - x.priority);
    return { channels, routes, known };
  }

  /** The current table; loads it on first use and refreshes it in the background when stale. */
  async current(): Promise<RoutingTable> {
    const t = this.table;
    if (t) {
      if (this.dirty || Date.now() - this.loadedAt > this.ttlMs) void this.reload();
      return t;
    }
    return this.reload();
  }

  /** Synchronous access for the hot path once loaded. */
  peek(): RoutingTable | null {
    if (this.table && (this.dirty || Date.now() - this.loadedAt > this.ttlMs)) void this.reload();
    return this.table;
  }

  /**
   * Chooses a channel for group + model, skipping `exclude` (channels already tried for this
   * request), `full` (channels found at capacity: skipped like cooling ones, but they count as
   * no attempt) and cooling-down channels; when only cooling channels remain before the first
   * attempt they are used anyway (a cooled channel beats a certain 503).
   */
  select(table: RoutingTable, group: string, model: string, exclude: ReadonlySet<number>, full?: ReadonlyMap<number, unknown> | null, endpoint?: RoutedEndpoint): RouteChannel | null {
    const tiers = table.routes.get(group)?.get(model);
    if (!tiers) return null;
    const now = Date.now();
    let fallback: RouteChannel[] | null = null;
    for (const tier of tiers) {
      const ok: RouteChannel[] = [];
      for (const c of tier.channels) {
        if (exclude.has(c.id) || full?.has(c.id)) continue;
        if (endpoint && !channelServes(endpoint, c)) continue;
        const until = this.cooldown.get(c.id);
        if (until !== undefined && until > now) {
          if (!fallback) fallback = [];
          fallback.push(c);
          continue;
        }
        ok.push(c);
      }
      if (ok.length) return weightedPick(ok);
    }
    if (fallback && exclude.size === 0) return weightedPick(fallback);
    return null;
  }

  /**
   * Why no channel could be selected for a first attempt, as the client should hear it (SPEC 13):
   * a model the caller's group has no ability for is unknown (404, the SDKs do not retry it); a
   * known model whose channels are all disabled or cooling is temporarily unavailable (503 with
   * Retry-After: the nearest end of a cooldown, else one cache period, when a re-enabled channel
   * is picked up). A model whose enabled channels are all of types without the endpoint is a
   * 400 `endpoint_not_supported` naming both: no retry will help.
   */
  unavailable(table: RoutingTable, group: string, model: string, endpoint?: RoutedEndpoint): RelayException {
    if (!table.known.get(group)?.has(model)) {
      return new RelayException(RelayErrorCode.ModelNotFound, `the model ${model} does not exist or is not available to your group`, 'model');
    }
    const enabled = (table.routes.get(group)?.get(model) ?? []).flatMap((t) => t.channels);
    if (endpoint && enabled.length > 0 && !enabled.some((c) => channelServes(endpoint, c))) {
      // A type kept only for imports (PaLM) says why it does not relay.
      const types = [...new Set(enabled.map((c) => (c.adapter.notImplementedReason ? `${c.adapter.name}: ${c.adapter.notImplementedReason}` : c.adapter.name)))].join('; ');
      return new RelayException(
        RelayErrorCode.EndpointNotSupported,
        `${endpoint.path} is not supported for model ${model}: its channels (${types}) do not offer this endpoint`,
        'model',
      );
    }
    const now = Date.now();
    let wait = Math.ceil(this.ttlMs / 1000);
    for (const tier of table.routes.get(group)?.get(model) ?? []) {
      for (const c of tier.channels) {
        const until = this.cooldown.get(c.id);
        if (until !== undefined && until > now) wait = Math.min(wait, Math.ceil((until - now) / 1000));
      }
    }
    return new RelayException(RelayErrorCode.NoAvailableChannel, `no available channel for model ${model} in group ${group}`, null, null, Math.max(1, wait));
  }

  /** Models the group can be routed to (for `/v1/models` when the token has no allow-list). */
  modelsOfGroup(table: RoutingTable, group: string): string[] {
    return [...(table.routes.get(group)?.keys() ?? [])].sort();
  }

  /** CHANNEL_COOLDOWN_SECONDS (at least 1): the Retry-After of a saturated group. */
  get cooldownSeconds(): number {
    return Math.max(1, Math.ceil(this.cooldownMs / 1000));
  }

  coolDown(channelId: number): void {
    if (this.cooldownMs > 0) this.cooldown.set(channelId, Date.now() + this.cooldownMs);
  }

  /** Persists an automatic disable (status 3) and drops the channel from this node's table at once. */
  async disable(channelId: number): Promise<boolean> {
    const changed = await this.repo.disableChannel(channelId, ChannelStatus.AutoDisabled);
    const t = this.table;
    if (t) {
      for (const byModel of t.routes.values()) {
        for (const tiers of byModel.values()) for (const tier of tiers) tier.channels = tier.channels.filter((c) => c.id !== channelId);
      }
      const ch = t.channels.get(channelId);
      if (ch) t.channels.set(channelId, { ...ch, status: ChannelStatus.AutoDisabled });
    }
    this.invalidate();
    return changed;
  }
}
