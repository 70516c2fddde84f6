import { toOpenAIFinishReason } from './stop-reasons';

describe('toOpenAIFinishReason', () => {
  it.each([
    ['anthropic', 'end_turn', 'stop'],
    ['anthropic', 'max_tokens', 'length'],
    ['anthropic', 'tool_use', 'tool_calls'],
    ['gemini', 'STOP', 'stop'],
    ['gemini', 'MAX_TOKENS', 'length'],
    ['gemini', 'SAFETY', 'content_filter'],
    ['cohere', 'TOOL_CALL', 'tool_calls'],
    ['gemini', 'SOMETHING_NEW', 'stop'],
  ] as const)('%s %s → %s', (src, reason, expected) => {
    expect(toOpenAIFinishReason(src, reason)).toBe(expected);
  });

  it('keeps "not finished" as null', () => {
    expect(toOpenAIFinishReason('anthropic', null)).toBeNull();
    expect(toOpenAIFinishReason('gemini', undefined)).toBeNull();
  });
});
