import type { CacheEvent } from '@oneapi/cache';
import { ChannelStatus, ChannelType, Role } from '@oneapi/domain';
import { createChannelKeyCipher } from '@oneapi/data';
import { describeOnEachDb, type TestUser } from '../testing/admin-harness';
import { waitFor } from '../testing/wait-for';

const SECRET = 'channel-secret-for-tests-0123456789';

interface AbilityRow {
  group: string;
  model: string;
  channel_id: number;
  enabled: number;
  priority: number;
  weight: number;
}

describeOnEachDb(
  '/api/channel',
  (get) => {
    let admin: TestUser;
    let user: TestUser;
    const events: CacheEvent[] = [];
    const cipher = createChannelKeyCipher(SECRET);

    beforeAll(async () => {
      const h = get();
      if (!h) return;
      admin = await h.createUser({ role: Role.Admin });
      user = await h.createUser();
      h.runtime.bus.subscribe((e) => events.push(e));
    });

    const as = (u: TestUser) => ({ Authorization: u.accessToken });
    const harness = () => {
      const h = get();
      if (!h) throw new Error('no harness');
      return h;
    };
    const storedKey = async (id: number) => String((await harness().sql<{ key: string }>('SELECT `key` FROM channels WHERE id = ?', [id]))[0]?.key);
    const abilities = async (channelId: number) => {
      const h = harness();
      const rows = await h.sql<AbilityRow>('SELECT `group`, model, channel_id, enabled, priority, weight FROM abilities WHERE channel_id = ? ORDER BY `group`, model', [channelId]);
      return rows.map((r) => ({ group: r.group, model: r.model, enabled: Number(r.enabled), priority: Number(r.priority), weight: Number(r.weight) }));
    };
    const count = async (table: string) => Number((await harness().sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);

    it('POST creates a channel with abilities; the key is encrypted at rest and masked in answers', async () => {
      const h = get();
      if (!h) return;
      events.length = 0;
      const key = 'sk-live-0123456789abcdefghijklmnop';
      const res = await h.http().post('/api/channel').set(as(admin)).send({
        type: ChannelType.OpenAI, key, name: 'main', models: 'gpt-4o,gpt-4o-mini', group: 'default,vip', priority: 5, weight: 2,
        model_mapping: '{"gpt-4":"gpt-4o"}', config: '{"region":"eu"}',
      }).expect(200);
      expect(res.body).toMatchObject({ success: true, data: { count: 1 } });
      const id: number = res.body.data.ids[0];

      const stored = await storedKey(id);
      expect(stored.startsWith('enc:v1:')).toBe(true);
      expect(cipher.decrypt(stored)).toBe(key);

      const one = await h.http().get(`/api/channel/${id}`).set(as(admin)).expect(200);
      expect(one.body.data).toMatchObject({ id, type: 1, name: 'main', key: 'sk-l****mnop', models: 'gpt-4o,gpt-4o-mini', group: 'default,vip', priority: 5, weight: 2, model_mapping: '{"gpt-4":"gpt-4o"}', config: '{"region":"eu"}' });
      expect(JSON.stringify(one.body)).not.toContain(key);

      expect(await abilities(id)).toEqual([
        { group: 'default', model: 'gpt-4o', enabled: 1, priority: 5, weight: 2 },
        { group: 'default', model: 'gpt-4o-mini', enabled: 1, priority: 5, weight: 2 },
        { group: 'vip', model: 'gpt-4o', enabled: 1, priority: 5, weight: 2 },
        { group: 'vip', model: 'gpt-4o-mini', enabled: 1, priority: 5, weight: 2 },
      ]);
      await waitFor(() => events.some((e) => e.topic === 'channels'), 5000, 'a channels cache event');
    });

    it('a multi-line key creates one channel per line (batch), listed with keys masked', async () => {
      const h = get();
      if (!h) return;
      const keys = ['sk-batch-aaaaaaaaaaaaaaaaaaaa1', 'sk-batch-bbbbbbbbbbbbbbbbbbbb2', '', 'sk-batch-cccccccccccccccccccc3'];
      const res = await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: keys.join('\n'), name: 'batch', models: 'gpt-4o' }).expect(200);
      expect(res.body.data.count).toBe(3);
      for (const id of res.body.data.ids as number[]) expect(await abilities(id)).toEqual([{ group: 'default', model: 'gpt-4o', enabled: 1, priority: 0, weight: 0 }]);

      const list = await h.http().get('/api/channel').query({ p: 0, page_size: 100 }).set(as(admin)).expect(200);
      expect(list.body.total).toBe(4);
      const text = JSON.stringify(list.body);
      for (const k of keys.filter(Boolean)) expect(text).not.toContain(k);
      expect(list.body.data.every((c: { key: string }) => c.key.includes('****'))).toBe(true);

      const page = await h.http().get('/api/channel').query({ p: 1, page_size: 3 }).set(as(admin)).expect(200);
      expect(page.body.data).toHaveLength(1);
      const search = await h.http().get('/api/channel/search').query({ keyword: 'batch' }).set(as(admin)).expect(200);
      expect(search.body.data).toHaveLength(3);
      // Each channel of a batch is numbered in key order; `{n}` places the number.
      const names = new Map((search.body.data as { id: number; name: string }[]).map((c) => [c.id, c.name]));
      expect((res.body.data.ids as number[]).map((id) => names.get(id))).toEqual(['batch #1', 'batch #2', 'batch #3']);
      const placed = await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'sk-place-aaaaaaaaaaaaaaaa1\nsk-place-bbbbbbbbbbbbbbbb2', name: 'eu-{n}-pool', models: 'gpt-4o' }).expect(200);
      const placedNames = await h.sql<{ name: string }>(`SELECT name FROM channels WHERE id IN (${(placed.body.data.ids as number[]).join(',')}) ORDER BY id`);
      expect(placedNames.map((r) => r.name)).toEqual(['eu-1-pool', 'eu-2-pool']);
      const single = await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'sk-single-aaaaaaaaaaaaaaaa1', name: 'solo', models: 'gpt-4o' }).expect(200);
      expect((await h.sql<{ name: string }>('SELECT name FROM channels WHERE id = ?', [single.body.data.ids[0]]))[0].name).toBe('solo');
      for (const id of [...(placed.body.data.ids as number[]), single.body.data.ids[0] as number]) await h.http().delete(`/api/channel/${id}`).set(as(admin)).expect(200);
    });

    it('PUT updates only the given fields, keeps the key when empty, and rebuilds abilities', async () => {
      const h = get();
      if (!h) return;
      const created = await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'sk-keep-this-key-0123456789', name: 'upd', models: 'a,b', group: 'default' }).expect(200);
      const id: number = created.body.data.ids[0];
      const res = await h.http().put('/api/channel').set(as(admin)).send({ id, key: '', models: 'b, c', group: 'default,svip', priority: 9 }).expect(200);
      expect(res.body.data).toMatchObject({ id, name: 'upd', models: 'b,c', group: 'default,svip', priority: 9 });
      expect(cipher.decrypt(await storedKey(id))).toBe('sk-keep-this-key-0123456789');
      expect(await abilities(id)).toEqual([
        { group: 'default', model: 'b', enabled: 1, priority: 9, weight: 0 },
        { group: 'default', model: 'c', enabled: 1, priority: 9, weight: 0 },
        { group: 'svip', model: 'b', enabled: 1, priority: 9, weight: 0 },
        { group: 'svip', model: 'c', enabled: 1, priority: 9, weight: 0 },
      ]);

      await h.http().put('/api/channel').set(as(admin)).send({ id, status: ChannelStatus.ManuallyDisabled }).expect(200);
      expect((await abilities(id)).every((a) => a.enabled === 0)).toBe(true);

      await h.http().put('/api/channel').set(as(admin)).send({ id, key: 'sk-new-key-abcdefghijklmnop' }).expect(200);
      expect(cipher.decrypt(await storedKey(id))).toBe('sk-new-key-abcdefghijklmnop');
      await h.http().put('/api/channel').set(as(admin)).send({ id: 999999, name: 'x' }).expect(404);
    });

    it('capacity (max_concurrency, rpm, tpm): 0 = unlimited by default, set on create, changed or cleared on update, stored in the columns the relay reads', async () => {
      const h = get();
      if (!h) return;
      const plain = await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'sk-cap-plain-0123456789', name: 'cap0', models: 'm' }).expect(200);
      const plainId: number = plain.body.data.ids[0];
      expect((await h.http().get(`/api/channel/${plainId}`).set(as(admin)).expect(200)).body.data).toMatchObject({ max_concurrency: 0, rpm: 0, tpm: 0 });

      const created = await h.http().post('/api/channel').set(as(admin)).send({
        type: ChannelType.OpenAI, key: 'sk-cap-0123456789abcdef', name: 'cap', models: 'm', max_concurrency: 10, rpm: 600, tpm: 150_000,
      }).expect(200);
      const id: number = created.body.data.ids[0];
      expect((await h.http().get(`/api/channel/${id}`).set(as(admin)).expect(200)).body.data).toMatchObject({ max_concurrency: 10, rpm: 600, tpm: 150_000 });
      const columns = async () => (await h.sql<Record<string, unknown>>('SELECT max_concurrency, rpm, tpm FROM channels WHERE id = ?', [id])).map((r) => ({ c: Number(r.max_concurrency), rpm: Number(r.rpm), tpm: Number(r.tpm) }))[0];
      expect(await columns()).toEqual({ c: 10, rpm: 600, tpm: 150_000 });

      // Only the fields sent change; null clears a limit.
      const updated = await h.http().put('/api/channel').set(as(admin)).send({ id, rpm: 60 }).expect(200);
      expect(updated.body.data).toMatchObject({ max_concurrency: 10, rpm: 60, tpm: 150_000 });
      await h.http().put('/api/channel').set(as(admin)).send({ id, max_concurrency: null, tpm: 0 }).expect(200);
      expect(await columns()).toEqual({ c: 0, rpm: 60, tpm: 0 });
      const listed = (await h.http().get('/api/channel').query({ p: 0, page_size: 100 }).set(as(admin)).expect(200)).body.data as Array<{ id: number; rpm: number }>;
      expect(listed.find((c) => c.id === id)).toMatchObject({ rpm: 60 });

      for (const bad of [{ max_concurrency: -1 }, { rpm: 1.5 }, { tpm: 'lots' }, { tpm: 3_000_000_000 }]) {
        const res = await h.http().put('/api/channel').set(as(admin)).send({ id, ...bad }).expect(400);
        expect(res.body.message).toMatch(new RegExp(Object.keys(bad)[0]));
      }
      expect(await columns()).toEqual({ c: 0, rpm: 60, tpm: 0 });
      for (const c of [id, plainId]) await h.http().delete(`/api/channel/${c}`).set(as(admin)).expect(200);
    });

    it('rejects bad input with 400 naming the field and changes nothing', async () => {
      const h = get();
      if (!h) return;
      const [channelsBefore, abilitiesBefore] = [await count('channels'), await count('abilities')];
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ type: 999, key: 'k' }, /type/],
        [{ type: 'openai', key: 'k' }, /type/],
        [{ type: ChannelType.OpenAI }, /key/],
        [{ type: ChannelType.OpenAI, key: '  \n ' }, /key/],
        [{ type: ChannelType.Custom, key: 'k' }, /base_url/],
        [{ type: ChannelType.OpenAI, key: 'k', base_url: 'ftp://x' }, /base_url/],
        [{ type: ChannelType.OpenAI, key: 'k', model_mapping: 'not json' }, /model_mapping/],
        [{ type: ChannelType.OpenAI, key: 'k', model_mapping: '{"a": 1}' }, /model_mapping/],
        [{ type: ChannelType.OpenAI, key: 'k', model_mapping: '["a"]' }, /model_mapping/],
        [{ type: ChannelType.OpenAI, key: 'k', config: '{bad' }, /config/],
        [{ type: ChannelType.OpenAI, key: 'k', config: { proxy: 'ftp://127.0.0.1:21' } }, /config\.proxy/],
        [{ type: ChannelType.OpenAI, key: 'k', config: '{"proxy":"not a url"}' }, /config\.proxy/],
        [{ type: ChannelType.OpenAI, key: 'k', weight: -1 }, /weight/],
        [{ type: ChannelType.OpenAI, key: 'k', status: 7 }, /status/],
      ];
      for (const [body, message] of cases) {
        const res = await h.http().post('/api/channel').set(as(admin)).send(body);
        expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(message)]);
      }
      const created = await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.Custom, key: 'k', base_url: 'http://127.0.0.1:9/', models: 'm' }).expect(200);
      const id: number = created.body.data.ids[0];
      await h.http().put('/api/channel').set(as(admin)).send({ id, model_mapping: '{"x":' }).expect(400);
      await h.http().put('/api/channel').set(as(admin)).send({ id, base_url: '' }).expect(400);
      await h.http().put('/api/channel').set(as(admin)).send({ id, config: { proxy: 'socks4://127.0.0.1:1080' } }).expect(400);
      await h.http().put('/api/channel').set(as(admin)).send({ id, config: { proxy: ' socks5://user:pw@127.0.0.1:1080 ' } }).expect(200);
      const [row] = await h.sql<{ config: string }>('SELECT config FROM channels WHERE id = ?', [id]);
      expect(JSON.parse(row.config)).toEqual({ proxy: 'socks5://user:pw@127.0.0.1:1080' });
      await h.http().get('/api/channel/abc').set(as(admin)).expect(400);
      expect([await count('channels'), await count('abilities')]).toEqual([channelsBefore + 1, abilitiesBefore + 1]);
      await h.http().delete(`/api/channel/${id}`).set(as(admin)).expect(200);
    });

    it('DELETE removes a channel and its abilities; DELETE /disabled removes every disabled one', async () => {
      const h = get();
      if (!h) return;
      const a = await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'k1\nk2\nk3', name: 'del', models: 'x' }).expect(200);
      const [id1, id2, id3] = a.body.data.ids as [number, number, number];
      await h.http().delete(`/api/channel/${id1}`).set(as(admin)).expect(200);
      expect(await abilities(id1)).toEqual([]);
      await h.http().get(`/api/channel/${id1}`).set(as(admin)).expect(404);
      await h.http().delete(`/api/channel/${id1}`).set(as(admin)).expect(404);

      await h.http().put('/api/channel').set(as(admin)).send({ id: id2, status: ChannelStatus.AutoDisabled }).expect(200);
      const disabledBefore = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM channels WHERE status <> 1');
      const res = await h.http().delete('/api/channel/disabled').set(as(admin)).expect(200);
      expect(res.body.data).toBe(Number(disabledBefore[0]?.n));
      expect(await h.sql('SELECT id FROM channels WHERE status <> 1')).toEqual([]);
      expect(await abilities(id2)).toEqual([]);
      expect(await abilities(id3)).toHaveLength(1);
    });

    it('GET /api/channel/models lists the registry and ratio models', async () => {
      const h = get();
      if (!h) return;
      const res = await h.http().get('/api/channel/models').set(as(admin)).expect(200);
      expect(res.body).toMatchObject({ success: true, object: 'list' });
      const ids = (res.body.data as Array<{ id: string }>).map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-3.5-turbo']));
      expect(new Set(ids).size).toBe(ids.length);
      await h.runtime.options.set('ModelRatio', JSON.stringify({ 'house-model-7b': 0.5 }));
      const after = await h.http().get('/api/channel/models').set(as(admin)).expect(200);
      expect(after.body.data).toContainEqual({ id: 'house-model-7b', object: 'model', created: 1626777600, owned_by: 'custom' });
    });

    it('is admin-only', async () => {
      const h = get();
      if (!h) return;
      await h.http().get('/api/channel').set(as(user)).expect(403);
      await h.http().post('/api/channel').set(as(user)).send({ type: 1, key: 'k' }).expect(403);
      await h.http().get('/api/channel').expect(401);
      await h.http().get('/api/channel').set(as(h.root)).expect(200);
    });
  },
  { CHANNEL_KEY_SECRET: SECRET },
);
