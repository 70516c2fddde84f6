import OpenAI, { toFile } from 'openai';
import { availableDbKinds, startFakeOpenAI, startSmtpSink, type DbKind, type FakeUpstream, type SmtpSink } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

describe('relay: multipart model mapping, image checks, root e-mail on auto-disable', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fake: FakeUpstream;
      let smtp: SmtpSink;
      let userId: number;
      let key: string;
      let client: OpenAI;
      const balances = async () => {
        const [u] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId]);
        const [t] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        return { user: Number(u.quota), token: Number(t.remain_quota) };
      };

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fake = await startFakeOpenAI();
        smtp = await startSmtpSink();
        h = await startRelayHarness(kind);
        await h.setOption('ModelRatio', JSON.stringify({ 'whisper-from': 1, 'whisper-to': 1, 'dall-e-3': 20 }));
        userId = await h.createUser({ quota: 10_000_000 });
        key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 5_000_000 });
        await h.createChannel({ baseUrl: fake.url, models: ['whisper-from', 'dall-e-3'], modelMapping: { 'whisper-from': 'whisper-to' } });
        client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
      });
      afterAll(async () => {
        await h?.close();
        await fake?.close();
        await smtp?.close();
      });

      it('maps the model form field of a transcription and streams the file through unchanged', async () => {
        if (!h) return;
        const audio = Buffer.alloc(5000, 3);
        const t = await client.audio.transcriptions.create({ model: 'whisper-from', file: await toFile(audio, 'a.mp3'), language: 'de' });
        expect(t.text).toBe('fake transcription of 5000 bytes');
        const sent = fake.requests[fake.requests.length - 1];
        expect(sent.parts?.find((p) => p.name === 'model')?.data.toString()).toBe('whisper-to');
        expect(sent.parts?.find((p) => p.name === 'language')?.data.toString()).toBe('de');
        expect(sent.parts?.find((p) => p.filename)?.data.equals(audio)).toBe(true);
        await h.flush();
        const [log] = await h.sql<{ model_name: string }>('SELECT model_name FROM logs ORDER BY id DESC LIMIT 1');
        expect(log.model_name).toBe('whisper-from');
      });

      it.each([
        ['size 256x256', { size: '256x256' }, 'size_not_supported'],
        ['n 2', { n: 2 }, 'n_not_within_range'],
        ['a 4001-byte prompt', { prompt: 'x'.repeat(4001) }, 'prompt_too_long'],
      ])('refuses a dall-e-3 request with %s: 400 %s before any quota or upstream work', async (_label, extra, code) => {
        if (!h) return;
        const before = await balances();
        const n = fake.count('/images/generations');
        const res = await fetch(`${h.baseURL}/images/generations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'dall-e-3', prompt: 'a cat', ...extra }),
        });
        expect(res.status).toBe(400);
        const body = (await res.json()) as { error: { type: string; code: string; message: string } };
        expect(body.error).toMatchObject({ type: 'invalid_request_error', code });
        expect(fake.count('/images/generations')).toBe(n);
        expect(await balances()).toEqual(before);
      });

      it('passes a valid image request through', async () => {
        if (!h) return;
        const r = await client.images.generate({ model: 'dall-e-3', prompt: 'a cat', size: '1024x1792' });
        expect(r.data).toHaveLength(1);
      });

      it('emails root when it disables a channel automatically', async () => {
        if (!h) return;
        for (const [k, v] of Object.entries(smtp.options())) await h.setOption(k, v);
        await h.sql("UPDATE users SET email = 'root@example.com' WHERE role = 100");
        await h.setOption('AutomaticDisableChannelEnabled', 'true');
        await h.setOption('RetryTimes', '0');
        await h.setOption('ModelRatio', JSON.stringify({ 'whisper-from': 1, 'whisper-to': 1, 'dall-e-3': 20, 'dead-status-401': 1 }));
        const dead = await h.createChannel({ baseUrl: fake.url, models: ['dead-status-401'], name: 'dead-key' });
        await h.refresh();
        await expect(client.chat.completions.create({ model: 'dead-status-401', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 502, code: 'upstream_auth_error' });
        const mail = await smtp.waitForMail((m) => m.to.includes('root@example.com'));
        expect(mail.decoded).toContain(`(#${dead})`);
        expect(mail.decoded).toContain('was disabled automatically');
        await eventually(async () => {
          const [row] = await h.sql<{ status: number }>('SELECT status FROM channels WHERE id = ?', [dead]);
          return Number(row.status) === 3;
        });
      });
    });
  }
});
