import { createParser } from 'eventsource-parser';
import type { ConversionContext, ProviderAdapter, ResponseConversion } from '../adapter.types';
import { UpstreamReplyError } from '../errors';
import { completionId } from './openai-chunks';

interface ChunkDelta {
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: { index: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }[];
}

/**
 * A whole SSE reply of an adapter whose upstream always streams (`upstreamStreams`), converted
 * event by event as a stream would be, then assembled into one OpenAI `chat.completion` for a
 * client that did not ask for a stream: content and reasoning joined, tool calls by index, the
 * last finish reason, and the usage the stream reported. An error event is the error it carries.
 */
export function assembleStreamedReply(adapter: ProviderAdapter, text: string, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  if (!adapter.createStreamState || !adapter.convertStreamEvent) throw new Error(`${adapter.name} cannot read a streamed reply`);
  const state = adapter.createStreamState(ctx);
  const convert = adapter.convertStreamEvent.bind(adapter);
  let content = '';
  let reasoning = '';
  let finish: string | null = null;
  let failure: string | undefined;
  let done = false;
  const calls = new Map<number, { id: string; type: 'function'; function: { name: string; arguments: string } }>();
  const parser = createParser({
    onEvent: (event) => {
      if (done) return;
      const conv = convert({ event: event.event, data: event.data }, state);
      done = conv.done;
      for (const c of conv.chunks) {
        const error = (c as { error?: { message?: unknown } }).error;
        if (error) failure = typeof error.message === 'string' ? error.message : 'upstream stream error';
        const choice = (c as { choices?: { delta?: ChunkDelta; finish_reason?: string | null }[] }).choices?.[0];
        if (!choice) continue;
        const d = choice.delta ?? {};
        if (typeof d.content === 'string') content += d.content;
        if (typeof d.reasoning_content === 'string') reasoning += d.reasoning_content;
        for (const t of d.tool_calls ?? []) {
          const call = calls.get(t.index) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
          if (t.id) call.id = t.id;
          if (t.function?.name) call.function.name = t.function.name;
          call.function.arguments += t.function?.arguments ?? '';
          calls.set(t.index, call);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    },
  });
  parser.feed(text);
  if (failure !== undefined) throw new UpstreamReplyError(502, failure);
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
  const message: Record<string, unknown> = { role: 'assistant', content: content === '' && toolCalls.length > 0 ? null : content };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const body: Record<string, unknown> = {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: ctx.requestModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish ?? 'stop' }],
  };
  if (state.usage) body.usage = state.usage;
  return { body, usage: state.usage };
}
