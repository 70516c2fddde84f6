import { ChannelJobRepository, type ChannelJobRow } from '@oneapi/data';
import { ChannelStatus, getChannelType } from '@oneapi/domain';
import {
  channelContextOf,
  exchange,
  getAdapter,
  isDisablingFailure,
  sanitizeUpstreamText,
  UpstreamClient,
  type ChannelContext,
  type ProviderAdapter,
  type UpstreamErrorKind,
  type UpstreamFailure,
} from '@oneapi/providers';
import { nowSeconds, type JobContext } from '../job-context';
import type { JobPayloads } from '../job-names';
import { readJobOptions } from '../job-options';
import { mapModel, pickTestModel } from './channel-context';
import { notifyRoot } from './notify-root';

/**
 * Why a test failed, in our words: the upstream's verdict kind, `config` when the channel cannot
 * be tested as configured, `slow` when it answered but slower than ChannelDisableThreshold.
 */
export type ChannelTestErrorClass = UpstreamErrorKind | 'config' | 'slow';

/** One API's answer to `GET /api/channel/test/:id`, plus what the job did about it. */
export interface ChannelTestResult {
  success: boolean;
  /** The reason of a failure with the upstream's own (sanitised) words: for root only. */
  message: string;
  /**
   * The reason in our words only (HTTP status, error class, latency). A channel may point at an
   * internal address, so an admin who is not root must never read what that address answered.
   */
  publicMessage: string;
  /** Set when the test failed. */
  errorClass?: ChannelTestErrorClass;
  /** The upstream's HTTP status; 0 when none arrived (or none was asked). */
  status: number;
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

type Attempt =
  | { ok: true; elapsedMs: number; status: number }
  | { ok: false; elapsedMs: number; failure: UpstreamFailure; kind: ChannelTestErrorClass; disable: boolean };

/**
 * Sends the one-message chat request through the channel's adapter and times it: the same
 * exchange as the relay's (prepare, send, read, convert and classify the error) on a client of
 * its own, closed afterwards. Every upstream word in the failure is sanitised.
 */
async function sendTestRequest(ctx: JobContext, adapter: ProviderAdapter, ch: ChannelContext, model: string, upstreamModel: string): Promise<Attempt> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const fail = (failure: UpstreamFailure, kind: ChannelTestErrorClass, disable = false): Attempt => ({ ok: false, elapsedMs: elapsed(), failure, kind, disable });
  const timeoutMs = ctx.settings.testTimeoutMs;
  const client = new UpstreamClient({ connectTimeoutMs: timeoutMs, firstByteTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs, totalTimeoutMs: timeoutMs, proxy: ctx.settings.relayProxy });
  try {
    const body = { model, messages: [{ role: 'user', content: ctx.settings.testPrompt || TEST_PROMPT }] };
    const r = await exchange(client, adapter, ch, 'chat', body, { upstreamModel, maxBodyBytes: MAX_BODY_BYTES });
    if (!r.ok) {
      const { verdict } = r;
      if (r.status === 0) {
        const reason = verdict.kind === 'timeout' ? `timed out after ${timeoutMs / 1000} s` : verdict.upstream.message;
        return fail({ status: 0, message: `request failed: ${reason}` }, verdict.kind);
      }
      const e = verdict.upstream;
      return fail({ status: r.status, type: e.type, code: e.code ?? undefined, message: e.message }, verdict.kind, verdict.disableChannel);
    }
    const b = r.body as { error?: unknown; choices?: unknown } | undefined;
    if (!b) return fail({ status: r.status, message: 'upstream answered no JSON' }, 'bad_reply');
    if (b.error) {
      // An error inside a 2xx reply (some OpenAI-compatible servers do this).
      const e = (typeof b.error === 'object' && b.error !== null ? b.error : { message: b.error }) as { message?: unknown; type?: unknown; code?: unknown };
      const failure: UpstreamFailure = {
        status: r.status,
        message: typeof e.message === 'string' ? e.message : 'upstream error',
        type: typeof e.type === 'string' ? e.type : undefined,
        code: e.code === null || e.code === undefined ? undefined : String(e.code),
      };
      const disable = isDisablingFailure(failure);
      return fail({ ...failure, message: sanitizeUpstreamText(failure.message, [ch.key]) }, disable ? 'credentials' : 'bad_reply', disable);
    }
    if (!Array.isArray(b.choices)) return fail({ status: r.status, message: 'upstream answer has no choices' }, 'bad_reply');
    return { ok: true, elapsedMs: elapsed(), status: r.status };
  } catch (error) {
    // The channel cannot serve a chat request as configured (no base URL, unsupported shape).
    return fail({ status: 0, message: (error as Error).message }, 'config');
  } finally {
    await client.close();
  }
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/** A failure told in our words: what went wrong and the status, nothing the upstream wrote. */
function publicReason(attempt: Extract<Attempt, { ok: false }>): string {
  // Our own messages (bad key encoding, unsupported type, missing base URL): nothing came from outside.
  if (attempt.kind === 'config') return attempt.failure.message;
  if (attempt.failure.status) return `upstream answered HTTP ${attempt.failure.status} (${attempt.kind})`;
  return `request failed (${attempt.kind})`;
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
  if (!row) {
    const message = `channel #${payload.channelId} does not exist`;
    return { success: false, notFound: true, message, publicMessage: message, status: 0, time: 0, model: payload.model ?? '', channelId: payload.channelId };
  }
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
    ch = channelContextOf(row, ctx.decodeKey);
  } catch (error) {
    keyError = (error as Error).message;
  }

  let attempt: Attempt;
  if (keyError) {
    attempt = { ok: false, elapsedMs: 0, failure: { status: 0, message: keyError }, kind: 'config', disable: false };
  } else if (!adapter.endpoints.has('chat')) {
    const typeName = getChannelType(row.type)?.name ?? `type ${row.type}`;
    const message = adapter.notImplementedReason ?? `channel type ${typeName} cannot be tested: it does not serve chat completions`;
    attempt = { ok: false, elapsedMs: 0, failure: { status: 0, message }, kind: 'config', disable: false };
  } else {
    attempt = await sendTestRequest(ctx, adapter, ch, model, upstreamModel);
  }

  let success = attempt.ok;
  let message = attempt.ok ? '' : attempt.failure.status ? `upstream answered HTTP ${attempt.failure.status}: ${attempt.failure.message}` : attempt.failure.message;
  let publicMessage = attempt.ok ? '' : publicReason(attempt);
  let errorClass: ChannelTestErrorClass | undefined = attempt.ok ? undefined : attempt.kind;
  let disableReason: string | undefined;
  if (!attempt.ok && attempt.disable) disableReason = message;
  const thresholdMs = options.disableThresholdSeconds * 1000;
  if (attempt.ok && thresholdMs > 0 && attempt.elapsedMs > thresholdMs) {
    success = false;
    message = `response time ${seconds(attempt.elapsedMs).toFixed(2)} s exceeds the threshold of ${options.disableThresholdSeconds} s`;
    publicMessage = message;
    errorClass = 'slow';
    disableReason = message;
  }

  const now = nowSeconds(ctx);
  // One API stores 0 after a failed test, so the console shows it as untested.
  await repo.recordTest(row.id, attempt.ok ? attempt.elapsedMs : 0, now, model, success ? '' : publicMessage);

  let statusChange: ChannelTestResult['statusChange'];
  if (disableReason && options.automaticDisable && row.status === ChannelStatus.Enabled && (await repo.autoDisable(row.id))) {
    statusChange = 'disabled';
  } else if (success && options.automaticEnable && row.status === ChannelStatus.AutoDisabled && (await repo.autoEnable(row.id))) {
    statusChange = 'enabled';
  }

  const label = `channel #${row.id} "${row.name}"`;
  // Every admin reads the logs: the row carries the reason in our words only.
  const outcome = success ? `test passed in ${seconds(attempt.elapsedMs).toFixed(2)} s` : `test failed: ${publicMessage}`;
  const change = statusChange === 'disabled' ? '; disabled automatically' : statusChange === 'enabled' ? '; enabled again automatically' : '';
  await repo.writeTestLog({ channelId: row.id, modelName: model, content: `${label} ${outcome} (model ${model})${change}`, elapsedMs: attempt.elapsedMs, createdAt: now });

  if (statusChange) {
    await ctx.bus.publish({ topic: 'channels' });
    ctx.logger.warn({ channel_id: row.id, change: statusChange, reason: disableReason }, `channel ${statusChange} automatically`);
    const subject = statusChange === 'disabled' ? `Channel "${row.name}" (#${row.id}) has been disabled` : `Channel "${row.name}" (#${row.id}) has been enabled`;
    const text = statusChange === 'disabled' ? `Channel "${row.name}" (#${row.id}) was disabled automatically. Reason: ${disableReason}` : `Channel "${row.name}" (#${row.id}) passed its test and was enabled again.`;
    await notifyRoot(ctx, subject, text);
  }
  const status = attempt.ok ? attempt.status : attempt.failure.status;
  return { success, message, publicMessage, status, time: seconds(attempt.elapsedMs), model, channelId: row.id, ...(errorClass ? { errorClass } : {}), ...(statusChange ? { statusChange } : {}) };
}
