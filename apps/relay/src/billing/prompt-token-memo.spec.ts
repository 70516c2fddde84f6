import { countMessagesTokens, EXACT_BUDGET_CHARS, type ChatMessageLike } from '@oneapi/domain';
import { PromptTokenMemo } from './prompt-token-memo';

const domain = (model: string) => (m: readonly ChatMessageLike[]) => countMessagesTokens(model, m);

describe('PromptTokenMemo', () => {
  const cases: Array<[string, unknown[]]> = [
    ['gpt-4o-mini', [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Say hello.' }]],
    ['gpt-3.5-turbo', [{ role: 'user', content: 'Héllo 世界 🙂', name: 'bob' }, { role: 'assistant', content: null }]],
    ['gpt-3.5-turbo-0301', [{ role: 'user', content: 'hi', name: '' }, { role: 'user', content: 'x'.repeat(500) }]],
    ['gpt-4o', [{ role: 'user', content: [{ type: 'text', text: 'parts go to the domain' }] }]],
    ['gpt-4o', [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }] }]],
    ['gpt-4o', [{ role: 'user', content: 'a '.repeat(EXACT_BUDGET_CHARS) }, { role: 'user', content: 'b' }]],
    ['gpt-4o', [{ role: 'user', content: 'y'.repeat(5000) }, { role: 'user', content: 'over the per-message cap' }]],
    ['gpt-4o', []],
  ];

  it.each(cases)('counts exactly what @oneapi/domain counts (%s), cold and warm', (model, messages) => {
    const memo = new PromptTokenMemo();
    const want = countMessagesTokens(model, messages as ChatMessageLike[]);
    expect(memo.messagesTokens(model, messages, domain(model))).toBe(want);
    expect(memo.messagesTokens(model, messages, domain(model))).toBe(want);
  });

  it('counts a repeated message once and keys by model, role and name', () => {
    const memo = new PromptTokenMemo();
    const calls: number[] = [];
    const counting = (model: string) => (m: readonly ChatMessageLike[]) => {
      calls.push(m.length);
      return countMessagesTokens(model, m);
    };
    const sys = { role: 'system', content: 'You are a helpful assistant.' };
    memo.messagesTokens('gpt-4o', [sys, { role: 'user', content: 'one' }], counting('gpt-4o'));
    memo.messagesTokens('gpt-4o', [sys, { role: 'user', content: 'two' }], counting('gpt-4o'));
    expect(calls).toHaveLength(3);
    memo.messagesTokens('gpt-3.5-turbo-0301', [sys], counting('gpt-3.5-turbo-0301'));
    memo.messagesTokens('gpt-4o', [{ ...sys, name: '' }], counting('gpt-4o'));
    memo.messagesTokens('gpt-4o', [{ ...sys, role: 'user' }], counting('gpt-4o'));
    expect(calls).toHaveLength(6);
    expect(memo.messagesTokens('gpt-4o', [{ ...sys, name: '' }], counting('gpt-4o'))).toBe(countMessagesTokens('gpt-4o', [{ ...sys, name: '' }]));
    expect(calls).toHaveLength(6);
  });

  it('stays within its character bound, dropping the oldest entries', () => {
    const memo = new PromptTokenMemo(10_000, 1000);
    for (let i = 0; i < 200; i++) memo.messagesTokens('gpt-4o', [{ role: 'user', content: `${i} ${'z'.repeat(200)}` }], domain('gpt-4o'));
    expect(memo.size.chars).toBeLessThanOrEqual(10_000);
    expect(memo.size.entries).toBeGreaterThan(10);
    expect(memo.size.entries).toBeLessThan(200);
  });

  it('never stores messages over the per-message cap', () => {
    const memo = new PromptTokenMemo(1_000_000, 100);
    memo.messagesTokens('gpt-4o', [{ role: 'user', content: 'q'.repeat(101) }], domain('gpt-4o'));
    expect(memo.size.entries).toBe(0);
  });
});
