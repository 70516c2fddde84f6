import type { Database } from '@oneapi/data';

export interface ChannelFixture {
  type?: number;
  key?: string;
  status?: number;
  name?: string;
  baseUrl?: string;
  models?: string;
  modelMapping?: string;
  group?: string;
}

/** Inserts a channel and its abilities (one per model) straight into the database; returns its id. */
export async function insertChannel(db: Database, c: ChannelFixture): Promise<number> {
  const models = c.models ?? 'gpt-4o-mini';
  const status = c.status ?? 1;
  const name = c.name ?? `ch-${Math.random().toString(36).slice(2, 8)}`;
  await db.source.query(
    'INSERT INTO channels (type, `key`, status, name, weight, priority, created_time, test_time, response_time, base_url, balance, balance_updated_time, models, `group`, used_quota, model_mapping) VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, ?, 0, 0, ?, ?, 0, ?)',
    [c.type ?? 1, c.key ?? 'sk-good', status, name, c.baseUrl ?? '', models, c.group ?? 'default', c.modelMapping ?? ''],
  );
  const rows: { id: number }[] = await db.source.query('SELECT id FROM channels WHERE name = ?', [name]);
  const id = Number(rows[0].id);
  for (const model of models.split(',').filter(Boolean)) {
    await db.source.query('INSERT INTO abilities (`group`, model, channel_id, enabled, priority, weight) VALUES (?, ?, ?, ?, 0, 0)', [c.group ?? 'default', model, id, status === 1 ? 1 : 0]);
  }
  return id;
}

export interface ChannelState {
  status: number;
  responseTime: number;
  testTime: number;
  balance: number;
  balanceUpdatedTime: number;
  abilitiesEnabled: number[];
}

export async function channelState(db: Database, id: number): Promise<ChannelState> {
  const [c] = await db.source.query('SELECT status, response_time, test_time, balance, balance_updated_time FROM channels WHERE id = ?', [id]);
  const abilities: { enabled: number }[] = await db.source.query('SELECT enabled FROM abilities WHERE channel_id = ?', [id]);
  return {
    status: Number(c.status),
    responseTime: Number(c.response_time),
    testTime: Number(c.test_time),
    balance: Number(c.balance),
    balanceUpdatedTime: Number(c.balance_updated_time),
    abilitiesEnabled: abilities.map((a) => Number(a.enabled)),
  };
}

export async function testLogs(db: Database, channelId?: number): Promise<{ type: number; channel_id: number; content: string; model_name: string; elapsed_time: number }[]> {
  const rows: Record<string, unknown>[] = channelId === undefined
    ? await db.logSource.query('SELECT type, channel_id, content, model_name, elapsed_time FROM logs WHERE type = 5 ORDER BY id')
    : await db.logSource.query('SELECT type, channel_id, content, model_name, elapsed_time FROM logs WHERE type = 5 AND channel_id = ? ORDER BY id', [channelId]);
  return rows.map((r) => ({ type: Number(r.type), channel_id: Number(r.channel_id), content: String(r.content), model_name: String(r.model_name), elapsed_time: Number(r.elapsed_time) }));
}

/** Polls until `check` returns true or throws after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
