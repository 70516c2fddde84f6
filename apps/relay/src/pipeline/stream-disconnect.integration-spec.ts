import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import OpenAI from 'openai';
import { WORKSPACE_ROOT, availableDbKinds, present, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

describe('POST /v1/chat/completions streaming edge cases', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fake: FakeUpstream;
      let key: string;
      let userId: number;

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fake = await startFakeOpenAI();
        h = await startRelayHarness(kind);
        await h.setOption('ModelRatio', JSON.stringify({ 'slow-chunks-40-delay-50': 1, 'big-model': 1 }));
        await h.setOption('CompletionRatio', JSON.stringify({ 'slow-chunks-40-delay-50': 1, 'big-model': 1 }));
        userId = await h.createUser({ quota: 100_000_000 });
        key = await h.createToken({ userId });
        await h.createChannel({ baseUrl: fake.url, models: ['slow-chunks-40-delay-50', 'big-model'] });
      });
      afterAll(async () => {
        await h?.close();
        await fake?.close();
      });

      /** One aborted stream: how long the upstream took to see its connection closed, and the log row. */
      async function abortOnce(client: OpenAI) {
        const controller = new AbortController();
        const stream = await client.chat.completions.create(
          { model: 'slow-chunks-40-delay-50', messages: [{ role: 'user', content: 'go' }], stream: true },
          { signal: controller.signal },
        );
        let received = '';
        let abortedAt = 0;
        try {
          for await (const chunk of stream) {
            received += chunk.choices[0]?.delta?.content ?? '';
            if (received.split('tok').length - 1 >= 3) {
              abortedAt = Date.now();
              controller.abort();
            }
          }
        } catch {
          /* the SDK throws on abort */
        }
        expect(abortedAt).toBeGreaterThan(0);
        const upstream = present(fake.requestsTo('/chat/completions').at(-1), 'upstream request');
        await fake.waitFor(() => upstream.closedAt !== undefined, 3000);
        expect(upstream.completed).toBe(false);
        return present(upstream.closedAt, 'upstream close time') - abortedAt;
      }

      it('a client abort mid-stream closes the upstream connection within 500 ms and bills what was streamed', async () => {
        if (!h) return;
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
        // Warm-up: Jest transforms modules on first use, which would stall this process's event loop mid-test.
        for await (const _ of await client.chat.completions.create({ model: 'big-model', messages: [{ role: 'user', content: 'w' }], stream: true })) void _;
        await h.flush();
        await h.sql('DELETE FROM logs');
        // The relay shares this process (and a 2-core box) with the test and the fake: take the best of
        // three so scheduler noise cannot fail it, while a relay that does not abort (≥ 2 s) always does.
        const delays: number[] = [];
        for (let i = 0; i < 3 && !delays.some((d) => d < 500); i++) delays.push(await abortOnce(client));
        expect(Math.min(...delays)).toBeLessThan(500);

        await h.flush();
        const rows = await eventually(async () => {
          await h.flush();
          const r = await h.sql<{ completion_tokens: number; quota: number; is_stream: number; prompt_tokens: number }>('SELECT * FROM logs WHERE user_id = ?', [userId]);
          return r.length === delays.length ? r : null;
        });
        let billed = 0;
        for (const log of rows) {
          expect(Number(log.is_stream)).toBe(1);
          // At least the 3 chunks the client read, fewer than the 40 the upstream would have sent.
          expect(log.completion_tokens).toBeGreaterThanOrEqual(3);
          expect(log.completion_tokens).toBeLessThan(40 * 2);
          expect(log.quota).toBe(log.prompt_tokens + log.completion_tokens);
          billed += Number(log.quota);
        }
        const [u] = await h.sql<{ quota: number; used_quota: number }>('SELECT quota, used_quota FROM users WHERE id = ?', [userId]);
        expect(Number(u.used_quota)).toBeGreaterThanOrEqual(billed);
        expect(Number(u.quota) + Number(u.used_quota)).toBe(100_000_000);
      });

      it('a 1 MB prompt of one repeated character does not block the event loop for more than 50 ms', async () => {
        if (!h) return;
        // The upstream for this one runs in its own process (tools/bench's mock), so this event loop
        // holds the relay's work only, not a fake parsing the same megabyte.
        const mock = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools/bench/mock-upstream.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
        try {
          const url = await new Promise<string>((resolve, reject) => {
            let out = '';
            mock.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
              if (m) resolve(m[1]);
            });
            mock.once('exit', () => reject(new Error(`mock upstream exited: ${out}`)));
          });
          const uid = await h.createUser({ quota: 100_000_000, group: 'isolated' });
          const isolatedKey = await h.createToken({ userId: uid });
          await h.createChannel({ baseUrl: url, models: ['big-model'], groups: ['isolated'] });
          await h.refresh();
          await measure(isolatedKey);
        } finally {
          mock.kill();
        }
      });

      async function measure(key: string) {
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
        await client.chat.completions.create({ model: 'big-model', messages: [{ role: 'user', content: 'a'.repeat(1024) }] });
        // The body is serialised once up front so the measurement holds the relay's work, not the
        // client's JSON.stringify of 1 MB.
        const body = Buffer.from(JSON.stringify({ model: 'big-model', messages: [{ role: 'user', content: 'a'.repeat(1024 * 1024) }] }));
        // Best of five: the relay shares this process with the test and a 2-core box with everything, so
        // a scheduler stall can hit one run; a tokenizer that really blocks (seconds on this input)
        // fails every run.
        const maxDelays: number[] = [];
        for (let i = 0; i < 5 && !maxDelays.some((d) => d < 50); i++) {
          const histogram = monitorEventLoopDelay({ resolution: 5 });
          histogram.enable();
          const res = await fetch(`${h.baseURL}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body,
          });
          const json = (await res.json()) as { choices: Array<{ message: { content: string } }> };
          histogram.disable();
          expect(json.choices[0].message.content).toBeTruthy();
          maxDelays.push(histogram.max / 1e6);
        }
        expect(Math.min(...maxDelays)).toBeLessThan(50);
      }
    });
  }
});
