import type { ConversionContext, SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { convertAnthropicStreamEvent } from '../anthropic/anthropic-stream';
import { convertGeminiStreamEvent } from '../gemini/gemini-stream';
import { newStreamState } from '../native/openai-chunks';
import { isVertexClaude } from './vertex-chat';

/** Stream state that remembers which publisher's events this stream carries. */
export function newVertexStreamState(ctx: ConversionContext): StreamState {
  const state = newStreamState(ctx);
  state.scratch.vertexClaude = isVertexClaude(ctx.upstreamModel);
  return state;
}

/** One Vertex SSE event → OpenAI chunks: Claude's Messages events or Gemini's generateContent events. */
export function convertVertexStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  return state.scratch.vertexClaude === true ? convertAnthropicStreamEvent(event, state) : convertGeminiStreamEvent(event, state);
}
