import { readUsage, usageFromStreamData } from './usage';

describe('usage helpers', () => {
  it('reads a response usage block', () => {
    expect(readUsage({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(readUsage({ choices: [] })).toBeUndefined();
    expect(readUsage({ usage: null })).toBeUndefined();
  });

  it('fills completion from total when an upstream reports only totals', () => {
    expect(readUsage({ usage: { prompt_tokens: 3, total_tokens: 10 } })).toEqual({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });
  });

  it('finds usage in stream data lines only when present', () => {
    expect(usageFromStreamData('[DONE]')).toBeUndefined();
    expect(usageFromStreamData('{"choices":[{"delta":{"content":"hi"}}]}')).toBeUndefined();
    expect(usageFromStreamData('{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}')).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    expect(usageFromStreamData('{"usage": broken')).toBeUndefined();
  });
});
