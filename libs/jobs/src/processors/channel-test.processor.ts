import { request } from 'undici';
import { ChannelJobRepository, type ChannelJobRow } from '@oneapi/data';
import { ChannelStatus, getChannelType } from '@oneapi/domain';
import { getAdapter, type ChannelContext, type ProviderAdapter } from '@oneapi/providers';
import { nowSeconds, type JobContext } from '../job-context';
import type { JobPayloads } from '../job-names';
import { readJobOptions } from '../job-options';
import { channelContextOf, mapModel, pickTestModel } from './channel-context';
import { isDisablingFailure, type UpstreamFailure } from '@oneapi/providers';
import { notifyRoot } from './notify-root';

/** One API's answer to `GET /api/channel/test/:id`, plus what the job did about it. */
export interface ChannelTestResult {
  success: boolean;
  message: string;
  /** Seconds, as One API reports it. */
  time: number;
  model: string;
  channelId: number;
  /** True when no channel has this id (the admin API answers 404). */
  notFound?: boolean;
  /** Status change this test caused. */
  statusChange?: 'disabled' | 'enabled';
}

/** The prompt One API sends (controller/channel-test.go buildTestRequest). */
const TEST_PROMPT = 'hi';
const MAX_BODY_BYTES = 1024 * 1024;

type Attempt = { ok: true; elapsedMs: number } | { ok: false; elapsedMs: number; failure: UpstreamFailure };

function errorFields(text: string): Omit<UpstreamFailure, 'status'> {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const err = (typeof body.error === 'object' && body.error !== null ? body.error : body) as Record<string, unknown>;
    const message = typeof err.message === 'string' ? err.message : typeof body.error === 'string' ? body.error : text.slice(0, 300);
    return { message, type: typeof err.type === 'string' ? err.type : undefined, code: err.code === null || err.code === undefined ? undefined : String(err.code) };
  } catch {
    return { message: text.slice(0, 300) };
  }
}

async function readBody(body: AsyncIterable<unknown> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new Error('upstream response too large');
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends the one-message chat request through the channel's adapter and times it. */
async function sendTestRequest(ctx: JobContext, adapter: ProviderAdapter, ch: ChannelContext, model: string, upstreamModel: string): Promise<Attempt> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const fail = (failure: UpstreamFailure): Attempt => ({ ok: false, elapsedMs: elapsed(), failure });
  let url: string;
  let headers: Record<string, string>;
  let payload: unknown = { model: upstreamModel, messages: [{ role: 'user', content: TEST_PROMPT }] };
  try {
    url = adapter.requestUrl(ch, 'chat', upstreamModel);
    headers = adapter.requestHeaders(ch, 'chat', { contentType: 'application/json', accept: 'application/json' });
    if (adapter.convertRequest) payload = adapter.convertRequest('chat', payload as Record<string, unknown>, { requestModel: model, upstreamModel });
  } catch (error) {
    return fail({ status: 0, message: (error as Error).message });
  }
  const timeoutMs = ctx.settings.testTimeoutMs;
  try {
    const res = await request(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readBody(res.body);
    if (res.statusCode !== 200) return fail({ status: res.statusCode, ...errorFields(text) });
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return fail({ status: 200, message: 'upstream answered invalid JSON' });
    }
    if (adapter.convertResponse) body = adapter.convertResponse('chat', body, { requestModel: model, upstreamModel }).body;
    const b = body as { error?: unknown; choices?: unknown };
    if (b.error) return fail({ status: 200, ...errorFields(text) });
    if (!Array.isArray(b.choices)) return fail({ status: 200, message: 'upstream answer has no choices' });
    return { ok: true, elapsedMs: elapsed() };
  } catch (error) {
    const e = error as { code?: string; name?: string; message?: string };
    const reason = e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' ? `timed out after ${timeoutMs / 1000} s` : (e.code ?? e.message ?? 'request failed');
    return fail({ status: 0, message: `request failed: ${reason}` });
  }
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/** Never echo a key (or part of the URL carrying it) back. */
function scrub(message: string, key: string): string {
  return key ? message.split(key).join('***') : message;
}

/**
 * Tests one channel (One API's controller/channel-test.go): a one-message chat request through
 * its adapter, `response_time` (ms; 0 after a failure) and `test_time` stored, a test log
 * written. With `AutomaticDisableChannelEnabled` an enabled channel is disabled (status 3) on an
 * authentication/billing error or a response slower than `ChannelDisableThreshold` seconds, and
 * root is told; with `AutomaticEnableChannelEnabled` an auto-disabled channel that passes is
 * enabled again. A manual disable (2) is never changed. Idempotent: running it twice only
 * repeats the measurement.
 */
export async function testChannel(ctx: JobContext, payload: JobPayloads['channel.test']): Promise<ChannelTestResult> {
  const repo = new ChannelJobRepository(ctx.db);
  const row = await repo.findChannel(payload.channelId);
  if (!row) return { success: false, notFound: true, message: `channel #${payload.channelId} does not exist`, time: 0, model: payload.model ?? '', channelId: payload.channelId };
  return testChannelRow(ctx, repo, row, payload.model);
}

export async function testChannelRow(ctx: JobContext, repo: ChannelJobRepository, row: ChannelJobRow, requestedModel?: string): Promise<ChannelTestResult> {
  const adapter = getAdapter(row.type);
  const model = pickTestModel(row, requestedModel, adapter.defaultModels);
  const upstreamModel = mapModel(row, model);
  const options = readJobOptions(ctx.options.raw());
  let ch: ChannelContext = { id: row.id, type: row.type, key: '', baseUrl: row.baseUrl, config: {} };
  let keyError: string | undefined;
  try {
    ch = channelContextOf(ctx, row);
  } catch (error) {
    keyError = (error as Error).message;
  }

  let attempt: Attempt;
  if (keyError) {
    attempt = { ok: false, elapsedMs: 0, failure: { status: 0, message: keyError } };
  } else if (!adapter.endpoints.has('chat')) {
    const typeName = getChannelType(row.type)?.name ?? `type ${row.type}`;
    attempt = { ok: false, elapsedMs: 0, failure: { status: 0, message: adapter.notImplementedReason ?? `channel type ${typeName} cannot be tested: it does not serve chat completions` } };
  } else {
    attempt = await sendTestRequest(ctx, adapter, ch, model, upstreamModel);
  }

  let success = attempt.ok;
  let message = attempt.ok ? '' : scrub(attempt.failure.status ? `upstream answered HTTP ${attempt.failure.status}: ${attempt.failure.message}` : attempt.failure.message, ch.key);
  let disableReason: string | undefined;
  if (!attempt.ok && isDisablingFailure(attempt.failure)) disableReason = message;
  const thresholdMs = options.disableThresholdSeconds * 1000;
  if (attempt.ok && thresholdMs > 0 && attempt.elapsedMs > thresholdMs) {
    success = false;
    message = `response time ${seconds(attempt.elapsedMs).toFixed(2)} s exceeds the threshold of ${options.disableThresholdSeconds} s`;
    disableReason = message;
  }

  const now = nowSeconds(ctx);
  // One API stores 0 after a failed test, so the console shows it as untested.
  await repo.recordTest(row.id, attempt.ok ? attempt.elapsedMs : 0, now);

  let statusChange: ChannelTestResult['statusChange'];
  if (disableReason && options.automaticDisable && row.status === ChannelStatus.Enabled && (await repo.autoDisable(row.id))) {
    statusChange = 'disabled';
  } else if (success && options.automaticEnable && row.status === ChannelStatus.AutoDisabled && (await repo.autoEnable(row.id))) {
    statusChange = 'enabled';
  }

  const label = `channel #${row.id} "${row.name}"`;
  const outcome = success ? `test passed in ${seconds(attempt.elapsedMs).toFixed(2)} s` : `test failed: ${message}`;
  const change = statusChange === 'disabled' ? '; disabled automatically' : statusChange === 'enabled' ? '; enabled again automatically' : '';
  await repo.writeTestLog({ channelId: row.id, modelName: model, content: `${label} ${outcome} (model ${model})${change}`, elapsedMs: attempt.elapsedMs, createdAt: now });

  if (statusChange) {
    await ctx.bus.publish({ topic: 'channels' });
    ctx.logger.warn({ channel_id: row.id, change: statusChange, reason: disableReason }, `channel ${statusChange} automatically`);
    const subject = statusChange === 'disabled' ? `Channel "${row.name}" (#${row.id}) has been disabled` : `Channel "${row.name}" (#${row.id}) has been enabled`;
    const text = statusChange === 'disabled' ? `Channel "${row.name}" (#${row.id}) was disabled automatically. Reason: ${disableReason}` : `Channel "${row.name}" (#${row.id}) passed its test and was enabled again.`;
    await notifyRoot(ctx, subject, text);
  }
  return { success, message, time: seconds(attempt.elapsedMs), model, channelId: row.id, ...(statusChange ? { statusChange } : {}) };
}
