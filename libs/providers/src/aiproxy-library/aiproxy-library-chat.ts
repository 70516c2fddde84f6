import type { ChannelContext, ConversionContext, ResponseConversion, SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { ChannelConfigError, UnsupportedParameterError, UpstreamReplyError } from '../errors';
import { asChatRequest, textOf } from '../native/openai-chat.types';
import { chunk, completionId } from '../native/openai-chunks';
import type { LibraryDocument, LibraryRequest, LibraryResponse, LibraryStreamEvent } from './aiproxy-library.types';

/** The knowledge base a channel asks: One API keeps it in the config as `library_id`. */
export function libraryIdOf(ch: ChannelContext): string {
  const id = (ch.config.library_id ?? '').trim();
  if (id === '') throw new ChannelConfigError(ch.id, 'AIProxy Library needs the knowledge base id (config library_id)');
  return id;
}

/** One API's request: the last message is the query; the library answers from its documents. */
export function toLibraryRequest(body: Record<string, unknown>, ctx: ConversionContext, libraryId: string): LibraryRequest {
  const req = asChatRequest(body);
  if (Array.isArray(req.tools) && req.tools.length > 0) throw new UnsupportedParameterError('tools', 'tools: a knowledge base answers questions; it cannot call tools');
  const last = req.messages.at(-1);
  return { model: ctx.upstreamModel, query: last ? textOf(last.content) : '', libraryId, stream: req.stream === true };
}

/** The sources appended to the answer, as One API renders them. */
export function documentsMarkdown(documents: LibraryDocument[] | undefined): string {
  if (!documents || documents.length === 0) return '';
  return `\n\n参考文档：\n${documents.map((d, i) => `${i + 1}. [${d.title}](${d.url})\n`).join('')}`;
}

function libraryError(r: LibraryResponse): UpstreamReplyError | undefined {
  if (typeof r.errCode !== 'number' || r.errCode === 0) return undefined;
  const status = r.errCode >= 400 && r.errCode < 600 ? r.errCode : 502;
  return new UpstreamReplyError(status, `AIProxy Library error ${r.errCode}: ${r.message ?? ''}`, 'aiproxy_error');
}

/**
 * The library's answer → OpenAI `chat.completion`, sources appended. It reports no usage: the
 * relay counts the prompt and the answer.
 */
export function fromLibraryResponse(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  const r = body as LibraryResponse;
  if (typeof r !== 'object' || r === null) throw new Error('not an AIProxy Library reply');
  const error = libraryError(r);
  if (error) throw error;
  const content = (r.answer ?? '') + documentsMarkdown(r.documents);
  return {
    body: { id: completionId(), object: 'chat.completion', created: Math.floor(now / 1000), model: ctx.requestModel, choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }] },
  };
}

/** One stream event (`{content, finish, documents}`) → content chunks; at `finish` the sources, then the end. */
export function convertLibraryStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let e: LibraryStreamEvent & LibraryResponse;
  try {
    e = JSON.parse(event.data) as LibraryStreamEvent & LibraryResponse;
  } catch {
    return { chunks: [], done: false };
  }
  const error = libraryError(e);
  if (error) return { chunks: [{ error: { message: error.message, type: 'upstream_error', param: null, code: null } }], done: true };
  const chunks: Record<string, unknown>[] = [];
  if (state.scratch.started !== true) {
    state.scratch.started = true;
    chunks.push(chunk(state, { role: 'assistant', content: '' }));
  }
  if (e.documents && e.documents.length > 0) state.scratch.documents = e.documents;
  if (e.content) chunks.push(chunk(state, { content: e.content }));
  if (e.finish !== true) return { chunks, done: false };
  const sources = documentsMarkdown(state.scratch.documents as LibraryDocument[] | undefined);
  if (sources !== '') chunks.push(chunk(state, { content: sources }));
  state.finishReason = 'stop';
  chunks.push(chunk(state, {}, 'stop'));
  return { chunks, done: true };
}
