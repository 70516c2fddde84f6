import { assembleStreamedReply } from '../native/assemble-stream';
import { cozeBotId, fromCozeJson, toCozeChatRequest } from './coze-chat';
import { CozeAdapter } from './coze.adapter';

const ctx = { requestModel: 'bot-7', upstreamModel: 'bot-7' };

describe('Coze v3 chat', () => {
  it('names the bot by One API’s bot-{id} convention and always streams; system text goes first as a user message', () => {
    expect(cozeBotId('bot-7342')).toBe('7342');
    expect(toCozeChatRequest({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], user: 'u9' }, ctx)).toEqual({
      bot_id: '7',
      user_id: 'u9',
      stream: true,
      auto_save_history: true,
      additional_messages: [
        { role: 'user', content: 'Be brief.', content_type: 'text', type: 'question' },
        { role: 'user', content: 'hi', content_type: 'text', type: 'question' },
      ],
    });
  });

  it('HTTP 200 error bodies are errors of their meaning', () => {
    expect(() => fromCozeJson({ code: 4100, msg: 'authentication is invalid' }, ctx)).toThrow(expect.objectContaining({ status: 401 }) as unknown as Error);
    expect(() => fromCozeJson({ code: 4013, msg: 'rate' }, ctx)).toThrow(expect.objectContaining({ status: 429 }) as unknown as Error);
  });

  it('a JSON client gets the stream assembled: answer deltas joined, verbose messages ignored, usage from chat.completed', () => {
    const sse = [
      'event:conversation.message.delta\ndata:{"role":"assistant","type":"answer","content":"Hel"}\n\n',
      'event:conversation.message.delta\ndata:{"role":"assistant","type":"answer","content":"lo"}\n\n',
      'event:conversation.message.completed\ndata:{"role":"assistant","type":"verbose","content":"{}"}\n\n',
      'event:conversation.chat.completed\ndata:{"status":"completed","usage":{"token_count":9,"output_count":2,"input_count":7}}\n\n',
      'event:done\ndata:"[DONE]"\n\n',
    ].join('');
    const r = assembleStreamedReply(new CozeAdapter([]), sse, ctx);
    expect(r.body).toMatchObject({ object: 'chat.completion', model: 'bot-7', choices: [{ message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 7, completion_tokens: 2 } });
    expect(r.usage).toEqual({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
    expect(() => assembleStreamedReply(new CozeAdapter([]), 'event:conversation.chat.failed\ndata:{"last_error":{"code":5000,"msg":"bot crashed"}}\n\n', ctx)).toThrow(/bot crashed/);
  });
});
