/**
 * Issue #12: `/metrics` carries the event-loop lag and the relay's in-flight request count
 * (collected when scraped), next to the request series.
 */
import { startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/** The value of an unlabelled-by-us series (`name{service="relay"} v`), or undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics (relay)', () => {
  let h: RelayHarness;
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    h = await startRelayHarness('sqlite');
    await h.createChannel({ baseUrl: fake.url, models: ['held-stall-1', 'quick'] });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  const scrape = async () => (await fetch(`${h.url}/metrics`)).text();

  it('exports oneapi_relay_in_flight: the requests this relay is serving when scraped', async () => {
    const key = await h.createToken({ userId: await h.createUser() });
    expect(sample(await scrape(), 'oneapi_relay_in_flight')).toBe(0);
    expect(await scrape()).toContain('# TYPE oneapi_relay_in_flight gauge');
    // Three streams that stall after their first chunk stay in flight until the client leaves.
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    const responses = await Promise.all(
      controllers.map((c) =>
        fetch(`${h.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'held-stall-1', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, stream: true }),
          signal: c.signal,
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(sample(await scrape(), 'oneapi_relay_in_flight')).toBe(3);
    for (const c of controllers) c.abort();
    await eventually(async () => sample(await scrape(), 'oneapi_relay_in_flight') === 0);
  });

  it('exports the event-loop lag (Node default metrics from perf_hooks.monitorEventLoopDelay)', async () => {
    const text = await scrape();
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds']) {
      const v = sample(text, name);
      expect({ name, present: v !== undefined && Number.isFinite(v) && v >= 0 }).toEqual({ name, present: true });
    }
  });
});
