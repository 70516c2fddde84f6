import type { ConversionContext, ResponseConversion, SseEvent, StreamConversion, StreamDecoder, StreamState } from '../adapter.types';
import { UnsupportedParameterError } from '../errors';
import { asChatRequest, textOf } from '../native/openai-chat.types';
import { chunk, completionId } from '../native/openai-chunks';
import type { DeepLRequest, DeepLResponse } from './deepl.types';

/** The target language of a model name, as One API reads it: `deepl-{lang}` (`deepl` alone is Chinese). */
export function deeplTargetLang(model: string): string {
  const parts = model.split('-');
  return (parts.length === 1 ? 'ZH' : parts.slice(1).join('-')).toUpperCase();
}

/** The last message is translated into the model's language (One API's deepl ConvertRequest). */
export function toDeepLRequest(body: Record<string, unknown>, ctx: ConversionContext): DeepLRequest {
  const req = asChatRequest(body);
  if (Array.isArray(req.tools) && req.tools.length > 0) throw new UnsupportedParameterError('tools', 'tools: DeepL translates text; it cannot call tools');
  const last = req.messages.at(-1);
  return { text: [last ? textOf(last.content) : ''], target_lang: deeplTargetLang(ctx.upstreamModel) };
}

function translation(body: unknown): string {
  const r = body as DeepLResponse;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.translations)) throw new Error('not a DeepL reply');
  return r.translations[0]?.text ?? '';
}

/** The translation as the assistant's answer; DeepL bills characters and reports no tokens, so the relay counts them. */
export function fromDeepLResponse(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  return {
    body: { id: completionId(), object: 'chat.completion', created: Math.floor(now / 1000), model: ctx.requestModel, choices: [{ index: 0, message: { role: 'assistant', content: translation(body) }, logprobs: null, finish_reason: 'stop' }] },
  };
}

/** DeepL does not stream: a streamed request gets its JSON reply as one event. */
export function createDeepLDecoder(): StreamDecoder {
  const parts: Buffer[] = [];
  return {
    push(c) {
      parts.push(c);
      return Buffer.alloc(0);
    },
    end() {
      return Buffer.from(`data: ${Buffer.concat(parts).toString('utf8').replace(/[\r\n]+/g, ' ')}\n\n`);
    },
  };
}

/** The whole translation as one content chunk, then the finish. */
export function convertDeepLEvent(event: SseEvent, state: StreamState): StreamConversion {
  let text: string;
  try {
    text = translation(JSON.parse(event.data));
  } catch {
    return { chunks: [], done: false };
  }
  state.finishReason = 'stop';
  return { chunks: [chunk(state, { role: 'assistant', content: '' }), chunk(state, { content: text }), chunk(state, {}, 'stop')], done: true };
}
