import { ChannelType, getChannelType } from '@oneapi/domain';
import type { ChannelContext } from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { undiciBalanceFetch, type BalanceFetch } from './balance-http';

/**
 * Upstream balance queries, as One API's controller/channel-billing.go does them. The number is
 * what One API stores in `channels.balance`: USD for every type except DeepSeek and SiliconFlow,
 * which bill in CNY (`currency` says which).
 */
export type BalanceResult = { ok: true; balanceUsd: number; currency: 'USD' | 'CNY' } | { ok: false; message: string };

export interface BalanceOptions {
  /** Per-request timeout (connect + headers + body); default 10 s. */
  timeoutMs?: number;
  /** Clock for the OpenAI usage date range (tests). */
  now?: Date;
}

class BalanceError extends Error {}

interface QueryContext {
  ch: ChannelContext;
  get(path: string, headers?: Record<string, string>): Promise<unknown>;
  now: Date;
}

type Querier = (q: QueryContext) => Promise<{ balance: number; currency: 'USD' | 'CNY' }>;

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const usd = (balance: number) => ({ balance, currency: 'USD' as const });

function field(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function numberField(obj: unknown, ...path: string[]): number {
  const v = field(obj, ...path);
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new BalanceError(`unexpected balance response: ${path.join('.')} is not a number`);
  return n;
}

const ymd = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/**
 * OpenAI-style billing: `hard_limit_usd` from the subscription minus the usage (in cents) since
 * the first of the month, or over the last 100 days when the account has no payment method
 * (One API's updateChannelBalance default branch).
 */
const openaiSubscription: Querier = async ({ ch, get, now }) => {
  const sub = await get('/v1/dashboard/billing/subscription', bearer(ch.key));
  const hardLimit = numberField(sub, 'hard_limit_usd');
  const start = field(sub, 'has_payment_method') === true ? new Date(now.getFullYear(), now.getMonth(), 1) : new Date(now.getTime() - 100 * 86_400_000);
  const usage = await get(`/v1/dashboard/billing/usage?start_date=${ymd(start)}&end_date=${ymd(now)}`, bearer(ch.key));
  return usd(hardLimit - numberField(usage, 'total_usage') / 100);
};

/** `{base}/dashboard/billing/credit_grants` → `total_available` (CloseAI, AIGC2D; API2D the same way). */
const creditGrants: Querier = async ({ ch, get }) => usd(numberField(await get('/dashboard/billing/credit_grants', bearer(ch.key)), 'total_available'));

const QUERIERS: Readonly<Record<number, Querier>> = {
  [ChannelType.OpenAI]: openaiSubscription,
  [ChannelType.Custom]: openaiSubscription,
  // The type-50 base URL carries the version (https://host/v1); One API appends /v1/dashboard/...
  // regardless, which doubles it, so the trailing /v1 is dropped first (see queryBalance).
  [ChannelType.OpenAICompatible]: openaiSubscription,
  // One API has no API2D case; API2D serves OpenAI's credit_grants shape.
  [ChannelType.API2D]: creditGrants,
  [ChannelType.CloseAI]: creditGrants,
  [ChannelType.AIGC2D]: creditGrants,
  // API2GPT reports `total_remaining` instead of `total_available`.
  [ChannelType.API2GPT]: async ({ ch, get }) => usd(numberField(await get('/dashboard/billing/credit_grants', bearer(ch.key)), 'total_remaining')),
  // The key travels in the query string (https://api.openai-sb.com docs); `data.credit` is a string.
  [ChannelType.OpenAISB]: async ({ ch, get }) => {
    const body = await get(`/sb-api/user/status?api_key=${encodeURIComponent(ch.key)}`, bearer(ch.key));
    if (field(body, 'data') === null || field(body, 'data') === undefined) throw new BalanceError(`OpenAI-SB: ${String(field(body, 'msg') ?? 'no data')}`);
    return usd(numberField(body, 'data', 'credit'));
  },
  [ChannelType.AIProxy]: async ({ ch, get }) => {
    const body = await get('/api/report/getUserOverview', { 'Api-Key': ch.key });
    if (field(body, 'success') !== true) throw new BalanceError(`AIProxy: code ${String(field(body, 'error_code'))}, ${String(field(body, 'message'))}`);
    return usd(numberField(body, 'data', 'totalPoints'));
  },
  // https://api-docs.deepseek.com/api/get-user-balance ; One API reads the CNY entry, we prefer USD when present.
  [ChannelType.DeepSeek]: async ({ ch, get }) => {
    const body = await get('/user/balance', bearer(ch.key));
    const infos = field(body, 'balance_infos');
    const list = Array.isArray(infos) ? (infos as unknown[]) : [];
    const pick = list.find((i) => field(i, 'currency') === 'USD') ?? list.find((i) => field(i, 'currency') === 'CNY');
    if (!pick) throw new BalanceError('DeepSeek: no USD or CNY balance in the response');
    return { balance: numberField(pick, 'total_balance'), currency: field(pick, 'currency') === 'USD' ? 'USD' : 'CNY' };
  },
  // https://openrouter.ai/docs/api-reference/get-credits
  [ChannelType.OpenRouter]: async ({ ch, get }) => {
    const body = await get('/v1/credits', bearer(ch.key));
    return usd(numberField(body, 'data', 'total_credits') - numberField(body, 'data', 'total_usage'));
  },
  // https://docs.siliconflow.cn/cn/api-reference/userinfo/get-user-info (CNY)
  [ChannelType.SiliconFlow]: async ({ ch, get }) => {
    const body = await get('/v1/user/info', bearer(ch.key));
    if (field(body, 'code') !== 20000) throw new BalanceError(`SiliconFlow: code ${String(field(body, 'code'))}, ${String(field(body, 'message'))}`);
    return { balance: numberField(body, 'data', 'totalBalance'), currency: 'CNY' };
  },
};

/** Whether `queryBalance` can read this type's balance (agrees with the registry's `supportsBalance`). */
export function isBalanceQuerySupported(channelType: number): boolean {
  return channelType in QUERIERS;
}

/**
 * Reads the channel's upstream balance. Never throws; never puts the key (or upstream error
 * text, which may echo key fragments) into the message.
 */
export async function queryBalance(ch: ChannelContext, fetchFn: BalanceFetch = undiciBalanceFetch, opts: BalanceOptions = {}): Promise<BalanceResult> {
  const querier = QUERIERS[ch.type];
  if (!querier) return { ok: false, message: `balance query is not supported for channel type ${getChannelType(ch.type)?.name ?? ch.type}` };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const secrets = ch.key ? [ch.key, encodeURIComponent(ch.key)] : [];
  const scrub = (s: string) => secrets.reduce((acc, k) => acc.split(k).join('***'), s);
  try {
    let base = resolveBaseUrl(ch);
    if (ch.type === ChannelType.OpenAICompatible) base = base.replace(/\/v1$/, '');
    const get = async (path: string, headers: Record<string, string> = {}): Promise<unknown> => {
      let res: { status: number; body: string };
      try {
        res = await fetchFn(base + path, { headers: { Accept: 'application/json', ...headers }, timeoutMs, proxy: ch.config.proxy?.trim() || undefined });
      } catch (error) {
        const e = error as { code?: string; name?: string; message?: string };
        throw new BalanceError(`balance request failed: ${e.code ?? e.name ?? 'error'}${e.message ? ` (${e.message})` : ''}`);
      }
      if (res.status !== 200) throw new BalanceError(`balance endpoint answered HTTP ${res.status}`);
      try {
        return JSON.parse(res.body) as unknown;
      } catch {
        throw new BalanceError('balance endpoint answered invalid JSON');
      }
    };
    const { balance, currency } = await querier({ ch, get, now: opts.now ?? new Date() });
    return { ok: true, balanceUsd: balance, currency };
  } catch (error) {
    return { ok: false, message: scrub(error instanceof Error ? error.message : String(error)) };
  }
}
