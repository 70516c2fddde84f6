import type { ConversionContext, ResponseConversion, SseEvent, StreamConversion, StreamDecoder, StreamState, Usage } from '../adapter.types';
import { UnsupportedParameterError, UpstreamReplyError } from '../errors';
import { asChatRequest, num, partsOf, stopList, textOf } from '../native/openai-chat.types';
import { chunk, completionId, openAIError, usageChunk, usageOf } from '../native/openai-chunks';
import type { ReplicatePrediction, ReplicatePredictionRequest } from './replicate.types';

/**
 * OpenAI chat body → a prediction's input, as One API builds it: the conversation as
 * `role: content` lines in `prompt`, sampling fields alongside. Replicate's language models take
 * text only and no tools: those answer 400 naming the parameter.
 */
export function toReplicatePrediction(body: Record<string, unknown>): ReplicatePredictionRequest {
  const req = asChatRequest(body);
  if (Array.isArray(req.tools) && req.tools.length > 0) throw new UnsupportedParameterError('tools', 'tools: Replicate language models have no function calling here');
  let prompt = '';
  for (const [i, m] of req.messages.entries()) {
    if (partsOf(m.content).some((p) => p.type !== 'text')) throw new UnsupportedParameterError(`messages[${i}].content`, `messages[${i}].content: only text is relayed to Replicate`);
    prompt += `${m.role}: ${textOf(m.content)}\n`;
  }
  const input: ReplicatePredictionRequest['input'] = { prompt };
  const maxTokens = num(req.max_completion_tokens) ?? num(req.max_tokens);
  if (maxTokens !== undefined) input.max_tokens = maxTokens;
  const set = <K extends 'temperature' | 'top_p' | 'presence_penalty' | 'frequency_penalty'>(k: K, v: number | undefined) => {
    if (v !== undefined) input[k] = v;
  };
  set('temperature', num(req.temperature));
  set('top_p', num(req.top_p));
  set('presence_penalty', num(req.presence_penalty));
  set('frequency_penalty', num(req.frequency_penalty));
  const stop = stopList(req.stop);
  if (stop) input.stop_sequences = stop.join(',');
  return { input };
}

/** The prediction's output (its pieces and their text) and the usage Replicate measured (`metrics`). */
function readPrediction(body: unknown): { pieces: string[]; text: string; usage: Usage | undefined } {
  const p = body as ReplicatePrediction;
  if (typeof p !== 'object' || p === null || typeof p.status !== 'string') throw new Error('not a Replicate prediction');
  if (p.status === 'failed' || p.status === 'canceled') throw new UpstreamReplyError(502, `Replicate prediction ${p.status}: ${p.error ?? ''}`, 'replicate_error');
  if (p.status !== 'succeeded') throw new UpstreamReplyError(504, `Replicate prediction still ${p.status} after the wait`, 'replicate_error');
  const pieces = Array.isArray(p.output) ? p.output.filter((x): x is string => typeof x === 'string') : typeof p.output === 'string' ? [p.output] : [];
  const text = pieces.join('');
  const m = p.metrics;
  const usage = m && typeof m.input_token_count === 'number' ? usageOf(m.input_token_count, num(m.output_token_count) ?? 0) : undefined;
  return { pieces, text, usage };
}

/** A finished prediction → OpenAI `chat.completion`. */
export function fromReplicatePrediction(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  const { text, usage } = readPrediction(body);
  const out: Record<string, unknown> = {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: ctx.requestModel,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: 'stop' }],
  };
  if (usage) out.usage = usage;
  return { body: out, usage };
}

/**
 * A streamed request is answered by the same finished prediction (sync mode): the decoder holds
 * the JSON body and hands it on as one SSE event when it ends.
 */
export function createPredictionDecoder(): StreamDecoder {
  const parts: Buffer[] = [];
  return {
    push(c) {
      parts.push(c);
      return Buffer.alloc(0);
    },
    end() {
      const json = Buffer.concat(parts).toString('utf8').replace(/[\r\n]+/g, ' ');
      return Buffer.from(`data: ${json}\n\n`);
    },
  };
}

/** The finished prediction → role, a content chunk per output piece, finish and usage; a failed one → an error event. */
export function convertPredictionEvent(event: SseEvent, state: StreamState): StreamConversion {
  let body: unknown;
  try {
    body = JSON.parse(event.data);
  } catch {
    return { chunks: [], done: false };
  }
  let read: { pieces: string[]; usage: Usage | undefined };
  try {
    read = readPrediction(body);
  } catch (error) {
    return { chunks: [{ ...openAIError((error as Error).message, 'upstream_error') }], done: true };
  }
  const chunks = [chunk(state, { role: 'assistant', content: '' })];
  for (const piece of read.pieces) if (piece !== '') chunks.push(chunk(state, { content: piece }));
  state.finishReason = 'stop';
  chunks.push(chunk(state, {}, 'stop'));
  if (read.usage) {
    state.usage = read.usage;
    chunks.push(usageChunk(state, read.usage));
  }
  return { chunks, done: true };
}
