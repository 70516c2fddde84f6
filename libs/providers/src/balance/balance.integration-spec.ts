import { ChannelType } from '@oneapi/domain';
import { startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { queryBalance } from './balance';

const KEY = 'sk-balance-secret-123';
const ch = (type: number, baseUrl: string, key = KEY): ChannelContext => ({ id: 11, type, key, baseUrl, config: {} });

describe('queryBalance against the fake upstream', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: KEY });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.resetKnobs());

  it.each([ChannelType.OpenAI, ChannelType.Custom])('type %i: hard_limit_usd − total_usage/100 for the current month', async (type) => {
    fake.setBalance({ hardLimitUsd: 120, totalUsageCents: 2050, hasPaymentMethod: true });
    const now = new Date(2025, 4, 17, 12, 0, 0);
    await expect(queryBalance(ch(type, fake.url), undefined, { now })).resolves.toEqual({ ok: true, balanceUsd: 99.5, currency: 'USD' });
    const usage = fake.requestsTo('/v1/dashboard/billing/usage').at(-1);
    expect(usage?.query).toEqual({ start_date: '2025-05-01', end_date: '2025-05-17' });
    expect(usage?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('looks back 100 days when the account has no payment method', async () => {
    fake.setBalance({ hardLimitUsd: 5, totalUsageCents: 125, hasPaymentMethod: false });
    const now = new Date(2025, 4, 17, 12, 0, 0);
    await expect(queryBalance(ch(ChannelType.OpenAI, fake.url), undefined, { now })).resolves.toEqual({ ok: true, balanceUsd: 3.75, currency: 'USD' });
    expect(fake.requestsTo('/v1/dashboard/billing/usage').at(-1)?.query.start_date).toBe('2025-02-06');
  });

  it('OpenAI-compatible (50): the version in the base URL is not doubled', async () => {
    fake.setBalance({ hardLimitUsd: 10, totalUsageCents: 250 });
    const before = fake.count('/v1/dashboard/billing/subscription');
    await expect(queryBalance(ch(ChannelType.OpenAICompatible, `${fake.url}/v1`))).resolves.toEqual({ ok: true, balanceUsd: 7.5, currency: 'USD' });
    expect(fake.count('/v1/dashboard/billing/subscription')).toBe(before + 1);
    expect(fake.requests.some((r) => r.path.startsWith('/v1/v1/'))).toBe(false);
  });

  it.each([ChannelType.CloseAI, ChannelType.API2D, ChannelType.AIGC2D])('type %i: credit_grants total_available', async (type) => {
    fake.setBalance({ totalAvailable: 18.5 });
    await expect(queryBalance(ch(type, fake.url))).resolves.toEqual({ ok: true, balanceUsd: 18.5, currency: 'USD' });
  });

  it('API2GPT: credit_grants total_remaining', async () => {
    fake.setBalance({ totalRemaining: 7.25 });
    await expect(queryBalance(ch(ChannelType.API2GPT, fake.url))).resolves.toEqual({ ok: true, balanceUsd: 7.25, currency: 'USD' });
  });

  it('OpenAI-SB: data.credit string, key in the query', async () => {
    fake.setBalance({ sbCredit: '42.5' });
    await expect(queryBalance(ch(ChannelType.OpenAISB, fake.url))).resolves.toEqual({ ok: true, balanceUsd: 42.5, currency: 'USD' });
    expect(fake.requestsTo('/sb-api/user/status').at(-1)?.query.api_key).toBe(KEY);
  });

  it('OpenAI-SB: a null data reports msg, without the key', async () => {
    const r = await queryBalance(ch(ChannelType.OpenAISB, fake.url, 'sk-wrong-key'));
    expect(r).toEqual({ ok: false, message: 'OpenAI-SB: invalid api_key' });
  });

  it('AIProxy: Api-Key header → data.totalPoints', async () => {
    fake.setBalance({ aiproxyPoints: 3.75 });
    await expect(queryBalance(ch(ChannelType.AIProxy, fake.url))).resolves.toEqual({ ok: true, balanceUsd: 3.75, currency: 'USD' });
    expect(fake.requestsTo('/api/report/getUserOverview').at(-1)?.headers['api-key']).toBe(KEY);
  });

  it('DeepSeek: prefers the USD entry, else CNY', async () => {
    fake.setBalance({ deepseek: [{ currency: 'CNY', total_balance: '110.00' }] });
    await expect(queryBalance(ch(ChannelType.DeepSeek, fake.url))).resolves.toEqual({ ok: true, balanceUsd: 110, currency: 'CNY' });
    fake.setBalance({ deepseek: [{ currency: 'CNY', total_balance: '1.00' }, { currency: 'USD', total_balance: '12.34' }] });
    await expect(queryBalance(ch(ChannelType.DeepSeek, fake.url))).resolves.toEqual({ ok: true, balanceUsd: 12.34, currency: 'USD' });
  });

  it('OpenRouter: total_credits − total_usage at {base}/v1/credits (base ends in /api)', async () => {
    fake.setBalance({ openrouterCredits: 25, openrouterUsage: 4.5 });
    await expect(queryBalance(ch(ChannelType.OpenRouter, `${fake.url}/api`))).resolves.toEqual({ ok: true, balanceUsd: 20.5, currency: 'USD' });
    expect(fake.requestsTo('/api/v1/credits')).not.toHaveLength(0);
  });

  it('SiliconFlow: data.totalBalance (CNY)', async () => {
    fake.setBalance({ siliconflowBalance: '14.2' });
    await expect(queryBalance(ch(ChannelType.SiliconFlow, fake.url))).resolves.toEqual({ ok: true, balanceUsd: 14.2, currency: 'CNY' });
  });

  it('reports an upstream HTTP error without the key', async () => {
    const r = await queryBalance(ch(ChannelType.OpenAI, fake.url, 'sk-not-the-right-one'));
    expect(r).toEqual({ ok: false, message: 'balance endpoint answered HTTP 401' });
  });

  it('reports a connection failure without the key', async () => {
    const r = await queryBalance(ch(ChannelType.OpenAISB, 'http://127.0.0.1:1'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^balance request failed/);
      expect(r.message).not.toContain(KEY);
    }
  });

  it('gives up after the timeout', async () => {
    fake.setKnobs({ latencyMs: 3000 });
    const t0 = Date.now();
    const r = await queryBalance(ch(ChannelType.CloseAI, fake.url), undefined, { timeoutMs: 150 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^balance request failed: /);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('says "not supported" for other types', async () => {
    await expect(queryBalance(ch(ChannelType.Azure, fake.url))).resolves.toEqual({ ok: false, message: 'balance query is not supported for channel type Azure OpenAI' });
    await expect(queryBalance(ch(ChannelType.OhMyGPT, fake.url))).resolves.toEqual({ ok: false, message: 'balance query is not supported for channel type OhMyGPT' });
  });
});
