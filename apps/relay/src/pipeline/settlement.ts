import type { Logger } from 'pino';
import type { RelayLogRow } from '@oneapi/data';
import { LogType } from '@oneapi/domain';
import type { RelayPricing } from '../billing/pricing';
import type { QuotaService } from '../billing/quota.service';
import type { UsageRecorder } from '../billing/usage-recorder';
import type { Bill, Produced } from '../endpoints';
import type { RelayRateLimiter } from '../rate-limit/relay-rate-limiter';
import type { RouteChannel } from '../routing/channel-router.service';
import type { RelayRequest } from './relay-request';

/** A reply that reached the client (whole or in part), ready to be billed. */
export interface Delivered {
  channel: RouteChannel;
  produced: Produced;
  stream: boolean;
  /** Why a stream ended when it did not complete normally (`idle_timeout`, `client_gone`...). */
  endReason?: string;
  /** performance.now() when the reply was handed over (JSON) or ended (stream). */
  endedAt: number;
  /** Prompt + completion tokens as billed, set by settlement before its first await (a channel's TPM reads it). */
  billedTokens?: number;
  /** The bill, set with `billedTokens` (the request's trace reports it). */
  bill?: Bill;
}

/**
 * The one settlement path for JSON and stream replies: the endpoint bills what was produced, the
 * rate limit is corrected, and the ledger moves token and user balances by (reserved − cost) and
 * writes the consume log row (saying why a stream ended early) in the transaction that deletes
 * the request's reservation. The ledger retries while the database is away; nothing is thrown:
 * the client already has its reply.
 */
export class Settlement {
  /** Settlements still running (awaited by drain()). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly pricing: RelayPricing,
    private readonly quota: QuotaService,
    private readonly recorder: UsageRecorder,
    private readonly limiter: RelayRateLimiter | undefined,
    private readonly logger: Logger,
  ) {}

  settle(rq: RelayRequest, d: Delivered): Promise<void> {
    const p = this.run(rq, d);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  /** Waits for every settlement in flight (shutdown, and tests that read exact rows). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async run(rq: RelayRequest, d: Delivered): Promise<void> {
    const { caller, parsed, priced } = rq;
    try {
      const bill = rq.endpoint.bill(d.produced, parsed, priced, this.pricing);
      d.billedTokens = bill.prompt + bill.completion;
      d.bill = bill;
      if (rq.rateCharge) this.limiter?.settle(rq.rateCharge, bill.prompt + bill.completion);
      const r = priced.ratios;
      // Ratios exactly as configured (0.075 stays 0.075); the console parses this line to show it translated.
      const content =
        `model ratio ${r.modelRatio}, completion ratio ${r.completionRatio}, group ratio ${r.groupRatio}` +
        (d.endReason ? ` (stream ended: ${d.endReason})` : '');
      const log: RelayLogRow = {
        userId: caller.user.id,
        createdAt: Math.floor(Date.now() / 1000),
        type: LogType.Consume,
        content,
        username: caller.user.username,
        tokenName: caller.token.name,
        modelName: parsed.model,
        quota: bill.quota,
        promptTokens: bill.prompt,
        completionTokens: bill.completion,
        channelId: d.channel.id,
        requestId: rq.req.id,
        elapsedTime: Math.round(d.endedAt - rq.started),
        isStream: d.stream,
        systemPromptReset: rq.systemPromptReset === true,
      };
      const settled = await this.quota.settle(caller, rq.req.id, bill.quota, d.channel.id, log);
      // With logs in their own database (LOG_SQL_DSN) the row follows the settlement, batched.
      if (settled && !this.quota.logsInline) this.recorder.log(log);
    } catch (error) {
      this.logger.error({ request_id: rq.req.id, err: (error as Error).message }, 'settlement failed; the sweeper will release its reservation');
    }
  }
}
