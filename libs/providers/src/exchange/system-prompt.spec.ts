import { applyChannelSystemPrompt } from './system-prompt';

describe('applyChannelSystemPrompt (One API setSystemPrompt)', () => {
  const user = { role: 'user', content: 'hi' };

  it('replaces the content of a first system message and flags the reset', () => {
    const input = [{ role: 'system', content: 'client prompt', name: 'sys' }, user];
    expect(applyChannelSystemPrompt(input, 'channel prompt')).toEqual({ messages: [{ role: 'system', content: 'channel prompt', name: 'sys' }, user], reset: true });
    expect(input[0].content).toBe('client prompt');
  });

  it('puts a system message first when the first message is not one', () => {
    const later = { role: 'system', content: 'later' };
    expect(applyChannelSystemPrompt([user, later], 'channel prompt')).toEqual({ messages: [{ role: 'system', content: 'channel prompt' }, user, later], reset: true });
  });

  it('changes nothing without a prompt or without messages', () => {
    expect(applyChannelSystemPrompt([user], '')).toEqual({ messages: [user], reset: false });
    expect(applyChannelSystemPrompt([], 'channel prompt')).toEqual({ messages: [], reset: false });
  });
});
