import { sleep, startUpstreamServer, type UpstreamContext, type UpstreamServer } from './fake-server';
import { DEFAULT_BALANCE, DEFAULT_KNOBS, MODEL_TASKS, openAIError, respondOpenAI, type FakeBalance, type FakeKnobs } from './openai-responder';
import { newResponsesStore, respondResponses } from './responses-fake';

export interface FakeUpstreamOptions {
  /** Server-wide knobs (defaults: 10 prompt tokens, 5 chunks, usage on, no delays). */
  knobs?: Partial<FakeKnobs>;
  /** When set, requests must carry this key (Bearer / api-key / Api-Key / ?api_key=) or get 401. */
  apiKey?: string;
  /** Model ids listed by GET /v1/models. */
  models?: string[];
  balance?: Partial<FakeBalance>;
}

/** A running fake upstream with its knobs. */
export interface FakeUpstream extends UpstreamServer {
  /** Changes server-wide knobs (merged into the current ones). */
  setKnobs(knobs: Partial<FakeKnobs>): void;
  /** Back to the options' knobs; also resets the `statusTimes` counter. */
  resetKnobs(): void;
  setBalance(balance: Partial<FakeBalance>): void;
  /** Number of requests received (optionally only those whose path ends with `suffix`). */
  count(suffix?: string): number;
}

/** Shared knob/balance state and the model-request status counter of one fake. */
export function fakeState(opts: FakeUpstreamOptions) {
  const state = {
    knobs: { ...DEFAULT_KNOBS, ...opts.knobs },
    balance: { ...DEFAULT_BALANCE, ...opts.balance },
    forced: 0,
  };
  return {
    state,
    takeForcedStatus: (k: FakeKnobs) => {
      if (k.statusTimes === undefined) return true;
      state.forced++;
      return state.forced <= k.statusTimes;
    },
    controls: (server: UpstreamServer): FakeUpstream => ({
      ...server,
      setKnobs: (k) => Object.assign(state.knobs, k),
      resetKnobs: () => {
        state.knobs = { ...DEFAULT_KNOBS, ...opts.knobs };
        state.forced = 0;
      },
      setBalance: (b) => Object.assign(state.balance, b),
      count: (suffix) => (suffix ? server.requestsTo(suffix).length : server.requests.length),
    }),
  };
}

function bearerOk(ctx: UpstreamContext, apiKey: string | undefined): boolean {
  const auth = ctx.req.headers.authorization;
  if (apiKey === undefined) return typeof auth === 'string' && auth.startsWith('Bearer ') && auth.length > 'Bearer '.length;
  return auth === `Bearer ${apiKey}`;
}

/**
 * A fake OpenAI (and OpenAI-compatible provider) on 127.0.0.1: every OpenAI endpoint the relay
 * serves (the Responses API with its stored responses: responses-fake.ts), `GET /v1/models`, and
 * the billing routes each balance query reads. Answers with and
 * without the `/v1` prefix (OpenAI-compatible channels put the version in the base URL).
 *
 *   const fake = await startFakeOpenAI();   // channel base_url = fake.url
 *   ... fake.requests[0].body, fake.requests[0].closedAt, fake.count('/chat/completions')
 *   await fake.close();
 */
export async function startFakeOpenAI(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const models = opts.models ?? ['gpt-4o-mini', 'gpt-4o', 'gpt-3.5-turbo', 'text-embedding-3-small', 'fake-model'];
  let baseUrl = '';
  const responses = newResponsesStore();

  const server = await startUpstreamServer(async (ctx) => {
    const { record, json } = ctx;
    const b = state.balance;
    // Model endpoints apply latency themselves (per-request knobs); everything else here.
    const path = record.path.replace(/^\/v1(?=\/)/, '').replace(/^\//, '');
    if (!MODEL_TASKS.has(path) && path !== 'responses') await sleep(state.knobs.latencyMs, ctx.res);
    if (ctx.res.destroyed) return;
    const bearer = bearerOk(ctx, opts.apiKey);
    const unauthorized = () => json(401, openAIError(401));

    // Billing routes: exact paths of each provider (see libs/providers/src/balance).
    switch (record.path) {
      case '/api/v1/credits': // OpenRouter (base https://openrouter.ai/api)
      case '/v1/credits':
        return bearer ? json(200, { data: { total_credits: b.openrouterCredits, total_usage: b.openrouterUsage } }) : unauthorized();
      case '/sb-api/user/status': {
        const ok = opts.apiKey === undefined ? !!record.query.api_key : record.query.api_key === opts.apiKey;
        return json(200, ok ? { code: '0', msg: 'ok', data: { credit: b.sbCredit, use_tokens: '0' } } : { code: '1', msg: 'invalid api_key', data: null });
      }
      case '/api/report/getUserOverview': {
        const key = ctx.req.headers['api-key'];
        const ok = opts.apiKey === undefined ? typeof key === 'string' && key !== '' : key === opts.apiKey;
        return json(200, ok ? { success: true, message: '', error_code: 0, data: { totalPoints: b.aiproxyPoints } } : { success: false, message: 'invalid key', error_code: 401, data: {} });
      }
      case '/user/balance': // DeepSeek
        return bearer ? json(200, { is_available: true, balance_infos: b.deepseek.map((i) => ({ ...i, granted_balance: '0.00', topped_up_balance: i.total_balance })) }) : unauthorized();
    }

    const task = record.path.replace(/^\/v1(?=\/)/, '').replace(/^\//, '');
    switch (task) {
      case 'dashboard/billing/subscription':
        return bearer ? json(200, { object: 'billing_subscription', has_payment_method: b.hasPaymentMethod, soft_limit_usd: b.hardLimitUsd, hard_limit_usd: b.hardLimitUsd, system_hard_limit_usd: b.hardLimitUsd, access_until: 0 }) : unauthorized();
      case 'dashboard/billing/usage':
        return bearer ? json(200, { object: 'list', total_usage: b.totalUsageCents }) : unauthorized();
      case 'dashboard/billing/credit_grants':
        return bearer ? json(200, { object: 'credit_summary', total_granted: b.totalAvailable + 1, total_used: 1, total_available: b.totalAvailable, total_remaining: b.totalRemaining }) : unauthorized();
      case 'user/info': // SiliconFlow
        return bearer ? json(200, { code: 20000, message: 'OK', status: true, data: { id: 'u1', name: 'fake', balance: b.siliconflowBalance, chargeBalance: '0', totalBalance: b.siliconflowBalance } }) : unauthorized();
    }

    if (!bearer) return unauthorized();
    if (ctx.req.method === 'GET' && task === 'models') {
      return json(200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) });
    }
    const modelMatch = /^models\/(.+)$/.exec(task);
    if (ctx.req.method === 'GET' && modelMatch) {
      const id = decodeURIComponent(modelMatch[1]);
      return models.includes(id) ? json(200, { id, object: 'model', created: 1_700_000_000, owned_by: 'fake' }) : json(404, openAIError(404));
    }
    if (await respondOpenAI({ ctx, task, knobs: state.knobs, takeForcedStatus, baseUrl })) return;
    if (await respondResponses(ctx, task, state.knobs, responses, takeForcedStatus)) return;
    json(404, openAIError(404, `fake upstream: no route for ${ctx.req.method} ${record.path}`));
  });
  baseUrl = server.url;
  return controls(server);
}
