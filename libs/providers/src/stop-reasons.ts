/**
 * Provider stop reasons → OpenAI `finish_reason`, in one table for every non-OpenAI adapter.
 * Sources: Anthropic https://docs.anthropic.com/en/api/messages (stop_reason), Gemini
 * https://ai.google.dev/api/generate-content#FinishReason, Cohere
 * https://docs.cohere.com/reference/chat (finish_reason); One API's relay/adaptor/{anthropic,gemini,cohere}/main.go
 * map the same way.
 */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export type StopReasonSource = 'anthropic' | 'gemini' | 'cohere';

export const STOP_REASONS: Readonly<Record<StopReasonSource, Readonly<Record<string, OpenAIFinishReason>>>> = {
  anthropic: {
    end_turn: 'stop',
    stop_sequence: 'stop',
    pause_turn: 'stop',
    max_tokens: 'length',
    tool_use: 'tool_calls',
    refusal: 'content_filter',
  },
  gemini: {
    STOP: 'stop',
    MAX_TOKENS: 'length',
    SAFETY: 'content_filter',
    RECITATION: 'content_filter',
    BLOCKLIST: 'content_filter',
    PROHIBITED_CONTENT: 'content_filter',
    SPII: 'content_filter',
    IMAGE_SAFETY: 'content_filter',
    LANGUAGE: 'stop',
    OTHER: 'stop',
    MALFORMED_FUNCTION_CALL: 'stop',
    FINISH_REASON_UNSPECIFIED: 'stop',
  },
  cohere: {
    COMPLETE: 'stop',
    STOP_SEQUENCE: 'stop',
    MAX_TOKENS: 'length',
    TOOL_CALL: 'tool_calls',
    ERROR: 'stop',
    ERROR_TOXIC: 'content_filter',
  },
};

/**
 * Maps a provider stop reason; null/undefined/'' (stream not finished) stays null, and an
 * unknown reason becomes 'stop' so clients always see a valid finish_reason.
 */
export function toOpenAIFinishReason(source: StopReasonSource, reason: string | null | undefined): OpenAIFinishReason | null {
  if (reason === null || reason === undefined || reason === '') return null;
  return STOP_REASONS[source][reason] ?? 'stop';
}
