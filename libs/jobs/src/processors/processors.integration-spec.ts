import { randomBytes } from 'node:crypto';
import type { CacheEvent } from '@oneapi/cache';
import { createChannelKeyCipher } from '@oneapi/data';
import { ChannelStatus, ChannelType } from '@oneapi/domain';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { availableDbKinds, createTestDatabase, startFakeOpenAI, startSmtpSink, type FakeUpstream, type SmtpSink, type TestDatabase } from '@oneapi/testing';
import { channelState, insertChannel, testLogs, waitUntil } from '../__tests__/fixtures';
import { InProcessJobQueue } from '../drivers/in-process.driver';
import type { JobContext } from '../job-context';
import { JobName } from '../job-names';
import { MemoryRunStore } from '../run-store';
import { createJobContext } from '../runtime-jobs';
import { PROCESSORS, applyLogRetention, testChannel, updateChannelBalance } from './index';

const KEY = 'sk-good-key-123';

describe.each([['sqlite'], ['mysql']] as const)('channel jobs on %s', (kind) => {
  let available = true;
  let db: TestDatabase;
  let runtime: ServiceRuntime;
  let fake: FakeUpstream;
  let smtp: SmtpSink;
  let ctx: JobContext;
  let events: CacheEvent[];
  let unsubscribe: () => void;
  const secret = randomBytes(24).toString('hex');

  beforeAll(async () => {
    available = (await availableDbKinds()).includes(kind);
    if (!available) return;
    db = await createTestDatabase(kind);
    runtime = await createRuntimeFromEnv('worker', { ...db.env, SESSION_SECRET: randomBytes(24).toString('hex'), CHANNEL_KEY_SECRET: secret });
    fake = await startFakeOpenAI({ apiKey: KEY });
    smtp = await startSmtpSink();
    for (const [k, v] of Object.entries(smtp.options('noreply@example.com'))) await runtime.options.set(k, v);
    await runtime.db.source.query("UPDATE users SET email = 'root@example.com' WHERE username = 'root'");
    ctx = createJobContext(runtime, new MemoryRunStore(), { settings: { retentionBatchSize: 2 } });
    events = [];
    unsubscribe = runtime.bus.subscribe((e) => events.push(e));
  });
  afterAll(async () => {
    if (!available) return;
    unsubscribe();
    await fake.close();
    await smtp.close();
    await runtime.close();
    await db.drop();
  });
  beforeEach(async () => {
    if (!available) return;
    fake.resetKnobs();
    events.length = 0;
    await runtime.options.set('AutomaticDisableChannelEnabled', 'false');
    await runtime.options.set('AutomaticEnableChannelEnabled', 'false');
    await runtime.options.set('ChannelDisableThreshold', '5');
  });

  const skipIfMissing = () => {
    if (!available) {
      process.stderr.write(`MariaDB not reachable: ${kind} suite skipped\n`);
      return true;
    }
    return false;
  };

  it('tests a channel: one chat request with the mapped model, response_time, test_time and a test log', async () => {
    if (skipIfMissing()) return;
    const id = await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url, models: 'gpt-4o-mini,gpt-4o', modelMapping: '{"gpt-4o-mini":"fake-model"}' });
    const before = fake.count('/chat/completions');
    const started = Math.floor(Date.now() / 1000);
    const r = await testChannel(ctx, { channelId: id });
    expect(r).toMatchObject({ success: true, message: '', model: 'gpt-4o-mini', channelId: id });
    expect(r.time).toBeGreaterThan(0);
    expect(fake.count('/chat/completions')).toBe(before + 1);
    const sent = fake.requests[fake.requests.length - 1];
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toMatchObject({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] });
    const state = await channelState(runtime.db, id);
    expect(state.responseTime).toBeGreaterThan(0);
    expect(state.testTime).toBeGreaterThanOrEqual(started);
    const logs = await testLogs(runtime.db, id);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ type: 5, channel_id: id, model_name: 'gpt-4o-mini' });
    expect(logs[0].content).toContain('passed');
    expect(logs[0].content).not.toContain(KEY);

    const chosen = await testChannel(ctx, { channelId: id, model: 'gpt-4o' });
    expect(chosen).toMatchObject({ success: true, model: 'gpt-4o' });
    expect(fake.requests[fake.requests.length - 1].body).toMatchObject({ model: 'gpt-4o' });
  });

  it('decrypts an encrypted channel key before use', async () => {
    if (skipIfMissing()) return;
    const stored = createChannelKeyCipher(secret).encrypt(KEY);
    const id = await insertChannel(runtime.db, { baseUrl: fake.url, key: stored });
    const r = await testChannel(ctx, { channelId: id });
    expect(r.success).toBe(true);
    expect(fake.requests[fake.requests.length - 1].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('a 401 fails the test but disables the channel only when AutomaticDisableChannelEnabled is on, and emails root', async () => {
    if (skipIfMissing()) return;
    const id = await insertChannel(runtime.db, { baseUrl: fake.url, key: 'sk-wrong' });
    const off = await testChannel(ctx, { channelId: id });
    expect(off.success).toBe(false);
    expect(off.message).toContain('401');
    expect(off.message).not.toContain('sk-wrong');
    expect((await channelState(runtime.db, id)).status).toBe(ChannelStatus.Enabled);
    expect((await channelState(runtime.db, id)).responseTime).toBe(0);
    expect(events.filter((e) => e.topic === 'channels')).toHaveLength(0);

    await runtime.options.set('AutomaticDisableChannelEnabled', 'true');
    const on = await testChannel(ctx, { channelId: id });
    expect(on).toMatchObject({ success: false, statusChange: 'disabled' });
    const state = await channelState(runtime.db, id);
    expect(state.status).toBe(ChannelStatus.AutoDisabled);
    expect(state.abilitiesEnabled).toEqual([0]);
    await waitUntil(() => events.some((e) => e.topic === 'channels'), 5000, 'a channels cache event');
    const mail = await smtp.waitForMail((m) => m.to.includes('root@example.com'));
    expect(mail.decoded).toContain(`(#${id}) was disabled automatically`);
  });

  it('does not disable on a transient upstream error (500)', async () => {
    if (skipIfMissing()) return;
    await runtime.options.set('AutomaticDisableChannelEnabled', 'true');
    const id = await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url });
    fake.setKnobs({ status: 500 });
    const r = await testChannel(ctx, { channelId: id });
    expect(r.success).toBe(false);
    expect((await channelState(runtime.db, id)).status).toBe(ChannelStatus.Enabled);
  });

  it("the failure message never echoes the upstream's raw text: keys, URLs, hosts and addresses are removed", async () => {
    if (skipIfMissing()) return;
    const id = await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url });
    fake.setKnobs({ status: 500, errorMessage: `key ${KEY} failed: connect ECONNREFUSED 10.1.2.3:8080 via http://internal.corp.example:9000/v1/x` });
    const r = await testChannel(ctx, { channelId: id });
    expect(r).toMatchObject({ success: false, message: 'upstream answered HTTP 500: key [redacted] failed: connect ECONNREFUSED [ip] via [url]' });
    expect(r).toMatchObject({ publicMessage: 'upstream answered HTTP 500 (server)', errorClass: 'server', status: 500 });
    // Every admin reads the logs: the row has the status and class, not the upstream's words.
    const logs = await testLogs(runtime.db, id);
    expect(logs[0].content).toContain('upstream answered HTTP 500 (server)');
    expect(logs[0].content).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|internal\.corp|good-key/);
  });

  it('a channel whose upstream cannot be reached fails with the sanitised cause', async () => {
    if (skipIfMissing()) return;
    const id = await insertChannel(runtime.db, { key: KEY, baseUrl: 'http://127.0.0.1:1' });
    const r = await testChannel(ctx, { channelId: id });
    expect(r).toMatchObject({ success: false, message: 'request failed: connect ECONNREFUSED [ip]', publicMessage: 'request failed (unreachable)', errorClass: 'unreachable', status: 0 });
  });

  it('disables a channel slower than ChannelDisableThreshold', async () => {
    if (skipIfMissing()) return;
    await runtime.options.set('AutomaticDisableChannelEnabled', 'true');
    await runtime.options.set('ChannelDisableThreshold', '0.2');
    const id = await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url });
    fake.setKnobs({ latencyMs: 400 });
    const r = await testChannel(ctx, { channelId: id });
    expect(r.success).toBe(false);
    expect(r.message).toContain('threshold');
    expect(r.time).toBeGreaterThanOrEqual(0.4);
    expect((await channelState(runtime.db, id)).status).toBe(ChannelStatus.AutoDisabled);
  });

  it('re-enables an auto-disabled channel that passes only with AutomaticEnableChannelEnabled, and never a manual disable', async () => {
    if (skipIfMissing()) return;
    const auto = await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url, status: ChannelStatus.AutoDisabled });
    const manual = await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url, status: ChannelStatus.ManuallyDisabled });

    expect((await testChannel(ctx, { channelId: auto })).success).toBe(true);
    expect((await channelState(runtime.db, auto)).status).toBe(ChannelStatus.AutoDisabled);

    await runtime.options.set('AutomaticEnableChannelEnabled', 'true');
    const r = await testChannel(ctx, { channelId: auto });
    expect(r).toMatchObject({ success: true, statusChange: 'enabled' });
    const state = await channelState(runtime.db, auto);
    expect(state.status).toBe(ChannelStatus.Enabled);
    expect(state.abilitiesEnabled).toEqual([1]);
    await waitUntil(() => events.some((e) => e.topic === 'channels'), 5000, 'a channels cache event');

    const m = await testChannel(ctx, { channelId: manual });
    expect(m.success).toBe(true);
    expect(m.statusChange).toBeUndefined();
    expect((await channelState(runtime.db, manual)).status).toBe(ChannelStatus.ManuallyDisabled);
  });

  it('answers not found for a missing channel', async () => {
    if (skipIfMissing()) return;
    expect(await testChannel(ctx, { channelId: 999_999 })).toMatchObject({ success: false, notFound: true });
  });

  it("stores the fake's balance, and says clearly when a type has no balance query", async () => {
    if (skipIfMissing()) return;
    fake.setBalance({ hardLimitUsd: 120, totalUsageCents: 2050, hasPaymentMethod: true });
    const id = await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url });
    const r = await updateChannelBalance(ctx, { channelId: id });
    expect(r).toMatchObject({ success: true, balance: 99.5, currency: 'USD' });
    const state = await channelState(runtime.db, id);
    expect(state.balance).toBeCloseTo(99.5);
    expect(state.balanceUpdatedTime).toBeGreaterThan(0);

    const azure = await insertChannel(runtime.db, { key: KEY, type: ChannelType.Azure, baseUrl: fake.url });
    const unsupported = await updateChannelBalance(ctx, { channelId: azure });
    expect(unsupported.success).toBe(false);
    expect(unsupported.message).toMatch(/not supported/);
  });

  it('the in-process driver runs the same processors: test-all over every channel, progress and last result', async () => {
    if (skipIfMissing()) return;
    await runtime.db.source.query('DELETE FROM abilities');
    await runtime.db.source.query('DELETE FROM channels');
    const ids = [await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url }), await insertChannel(runtime.db, { baseUrl: fake.url, key: 'sk-bad' }), await insertChannel(runtime.db, { key: KEY, baseUrl: fake.url })];
    const runs = new MemoryRunStore();
    const local: JobContext = { ...ctx, runs };
    const queue = new InProcessJobQueue(local, PROCESSORS, { attempts: 1, backoffMs: 10 });
    try {
      const before = fake.count('/chat/completions');
      await queue.enqueue(JobName.ChannelTestAll, {});
      await queue.idle();
      expect(fake.count('/chat/completions')).toBe(before + 3);
      const state = await runs.get(JobName.ChannelTestAll);
      expect(state.running).toBe(false);
      expect(state.last).toMatchObject({ success: true, total: 3, succeeded: 2, failed: 1 });
      for (const id of ids) expect((await channelState(runtime.db, id)).testTime).toBeGreaterThan(0);

      await queue.enqueue(JobName.ChannelUpdateBalanceAll, {});
      await queue.idle();
      expect((await runs.get(JobName.ChannelUpdateBalanceAll)).last).toMatchObject({ total: 3 });
      expect((await channelState(runtime.db, ids[0])).balance).toBeCloseTo(99.5);
    } finally {
      await queue.close();
    }
  });

  it('a held run lease refuses a second run of the same kind', async () => {
    if (skipIfMissing()) return;
    const runs = new MemoryRunStore();
    expect(await runs.claim(JobName.ChannelTestAll, 'a')).toBe(true);
    const r = await PROCESSORS[JobName.ChannelTestAll]({ ...ctx, runs }, {});
    expect(r).toMatchObject({ skipped: true });
    expect(await runs.claim(JobName.ChannelTestAll, 'b')).toBe(false);
    expect(await runs.claim(JobName.ChannelUpdateBalanceAll, 'b')).toBe(true);
  });

  it('log retention deletes logs older than N days in batches (off at 0)', async () => {
    if (skipIfMissing()) return;
    const now = Math.floor(Date.now() / 1000);
    await runtime.db.logSource.query('DELETE FROM logs');
    for (let i = 0; i < 5; i++) await runtime.db.logSource.query('INSERT INTO logs (user_id, created_at, type, content) VALUES (1, ?, 2, ?)', [now - 40 * 86_400 - i, `old ${i}`]);
    for (let i = 0; i < 2; i++) await runtime.db.logSource.query('INSERT INTO logs (user_id, created_at, type, content) VALUES (1, ?, 2, ?)', [now - 86_400, `new ${i}`]);

    expect(await applyLogRetention(ctx)).toEqual({ days: 0, deleted: 0 });
    expect(await applyLogRetention({ ...ctx, settings: { ...ctx.settings, logRetentionDays: 30 } })).toMatchObject({ days: 30, deleted: 5 });
    const left: { n: number | string }[] = await runtime.db.logSource.query('SELECT COUNT(*) AS n FROM logs');
    expect(Number(left[0].n)).toBe(2);

    // The option overrides the env value.
    await runtime.options.set('LogRetentionDays', '0.5');
    await runtime.options.set('LogRetentionDays', '1');
    const byOption = await applyLogRetention(ctx);
    expect(byOption).toMatchObject({ days: 1 });
    await runtime.options.set('LogRetentionDays', '');
  });
});
