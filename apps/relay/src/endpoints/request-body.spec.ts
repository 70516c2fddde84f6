import fc from 'fast-check';
import { RelayException } from '../errors/relay.exception';
import { statusOf } from '../errors/relay-error.filter';
import { parseJsonObject } from './json-body';
import { parseRequest } from './request-body';


/** The RelayException parseRequest throws, as the client would see it (status, code, param). */
function rejection(mode: Parameters<typeof parseRequest>[0], body: string | Buffer | undefined, contentType = 'application/json') {
  try {
    parseRequest(mode, typeof body === 'string' ? Buffer.from(body) : body, contentType);
  } catch (error) {
    if (!(error instanceof RelayException)) throw error;
    return { status: statusOf(error.code), param: error.param, message: error.message };
  }
  throw new Error('accepted');
}

const chat = (fields: Record<string, unknown>, message: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: 'x', ...message }], ...fields });

describe('parseRequest refuses bad input with a 4xx naming the field', () => {
  it.each<[string, string, string]>([
    ['tool_calls: 5', chat({}, { role: 'assistant', tool_calls: 5 }), 'messages[1].tool_calls'],
    ['tool_calls: [null]', chat({}, { role: 'assistant', tool_calls: [null] }), 'messages[1].tool_calls[0]'],
    ['tool_calls: [{}]', chat({}, { role: 'assistant', tool_calls: [{}] }), 'messages[1].tool_calls[0].function'],
    [
      'arguments not a string',
      chat({}, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }),
      'messages[1].tool_calls[0].function.arguments',
    ],
    ['messages: [null]', JSON.stringify({ model: 'gpt-4o', messages: [null] }), 'messages[0]'],
    ['messages: [{}]', JSON.stringify({ model: 'gpt-4o', messages: [{}] }), 'messages[0].role'],
    ['content: [null]', chat({}, { content: [null] }), 'messages[1].content[0]'],
    ['image_url.url: 5', chat({}, { content: [{ type: 'image_url', image_url: { url: 5 } }] }), 'messages[1].content[0].image_url.url'],
    ['image_url: 5', chat({}, { content: [{ type: 'image_url', image_url: 5 }] }), 'messages[1].content[0].image_url'],
    ['text part without text', chat({}, { content: [{ type: 'text' }] }), 'messages[1].content[0].text'],
    ['part without type', chat({}, { content: [{ text: 'x' }] }), 'messages[1].content[0].type'],
    ['name: 5', chat({}, { name: 5 }), 'messages[1].name'],
    ['function_call: "x"', chat({}, { role: 'assistant', function_call: 'x' }), 'messages[1].function_call'],
    ['tools: {}', chat({ tools: {} }), 'tools'],
    ['tool without a function name', chat({ tools: [{ type: 'function', function: { parameters: {} } }] }), 'tools[0].function.name'],
    ['functions: [5]', chat({ functions: [5] }), 'functions[0]'],
    ['stop: [1]', chat({ stop: ['a', 1] }), 'stop[1]'],
    ['temperature: "1"', chat({ temperature: '1' }), 'temperature'],
    ['stream_options: true', chat({ stream: true, stream_options: true }), 'stream_options'],
    ['n: 0', chat({ n: 0 }), 'n'],
    ['max_tokens: 1.5', chat({ max_tokens: 1.5 }), 'max_tokens'],
  ])('chat with %s → 400 %s', (_name, body, param) => {
    expect(rejection('chat', body)).toMatchObject({ status: 400, param });
  });

  it.each<[Parameters<typeof parseRequest>[0], Record<string, unknown>, string]>([
    ['completions', { model: 'm', prompt: 5 }, 'prompt'],
    ['completions', { model: 'm', prompt: [[1, 'a']] }, 'prompt[0][1]'],
    ['completions', { model: 'm', prompt: [1.5] }, 'prompt[0]'],
    ['embeddings', { model: 'm', input: { text: 'x' } }, 'input'],
    ['embeddings', { model: 'm', input: [null] }, 'input[0]'],
    ['embeddings', { model: 'm', input: 'x', dimensions: 0 }, 'dimensions'],
    ['moderations', { input: [{ type: 'image_url', image_url: { url: 5 } }] }, 'input[0].image_url.url'],
    ['images', { model: 'dall-e-3', prompt: 'cat', size: 1024 }, 'size'],
    ['audio.speech', { model: 'tts-1', input: 'hi', voice: 5 }, 'voice'],
    ['audio.speech', { model: 'tts-1', input: 'hi', voice: 'alloy', speed: '1' }, 'speed'],
    ['audio.speech', { model: 'tts-1', input: 'hi', voice: 'alloy', stream_format: 'mp3' }, 'stream_format'],
    ['edits', { model: 'm', instruction: 'fix', input: 5 }, 'input'],
  ])('%s with %j → 400 %s', (mode, body, param) => {
    expect(rejection(mode, JSON.stringify(body))).toMatchObject({ status: 400, param });
  });

  it('refuses a duplicated top-level key, naming it (the relay would bill one model, the upstream use the other)', () => {
    const r = rejection('chat', '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"model":"gpt-4o"}');
    expect(r).toEqual({ status: 400, param: 'model', message: 'request body names the key "model" more than once' });
    // Escapes spell the same key.
    expect(rejection('chat', '{"model":"a","messages":[{"role":"user","content":"x"}],"\\u006dodel":"b"}')).toMatchObject({ status: 400, param: 'model' });
  });

  it('refuses 100,000-deep nesting without recursing', () => {
    const deep = `{"model":"gpt-4o","messages":[{"role":"user","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
    expect(rejection('chat', deep)).toMatchObject({ status: 400, message: 'request body is nested deeper than 64 levels' });
  });

  it.each(['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', ''])('refuses content type %j with 415', (ct) => {
    const r = rejection('chat', chat({}), ct);
    expect(r.status).toBe(415);
    expect(r.message).toContain('Content-Type: application/json');
  });

  it('refuses a JSON body at an upload endpoint with 415', () => {
    expect(rejection('audio.transcriptions', '{"model":"whisper-1"}').status).toBe(415);
  });

  it('refuses bodies that are empty, not UTF-8, not JSON or not an object', () => {
    expect(rejection('chat', undefined).message).toBe('request body is empty: expected a JSON object');
    expect(rejection('chat', undefined, '')).toMatchObject({ status: 400, message: 'request body is empty: expected a JSON object' });
    expect(rejection('chat', Buffer.from([0x7b, 0xff, 0x7d])).message).toBe('request body is not valid UTF-8');
    expect(rejection('chat', '{"model":').message).toMatch(/^request body is not valid JSON/);
    expect(rejection('chat', '[1]').message).toBe('request body must be a JSON object');
  });
});

describe('parseRequest accepts what OpenAI documents, unknown fields untouched', () => {
  it('takes a full chat body', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'be brief', name: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } }] },
        { role: 'user', content: [{ type: 'image_url', image_url: 'https://x/z.png' }, { type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'custom', custom: { name: 'g', input: 'x' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
        { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } },
        { role: 'user', content: 'x', name: null, vendor_extension: { anything: [1, 'a'] } },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }, { type: 'custom', custom: { name: 'g' } }],
      functions: [{ name: 'f', parameters: { type: 'object' } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      function_call: 'auto',
      stop: ['\n'],
      n: 2,
      max_completion_tokens: 100,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 1,
      logit_bias: { '50256': -100 },
      response_format: { type: 'json_object' },
      provider_specific: 1,
    };
    const text = JSON.stringify(body);
    const parsed = parseRequest('chat', Buffer.from(text), 'application/json; charset=utf-8');
    expect(parsed).toMatchObject({ model: 'gpt-4o', stream: true, maxTokens: 100, includeUsage: true, text });
    expect(parsed.json).toEqual(body);
  });

  it.each<[Parameters<typeof parseRequest>[0], Record<string, unknown>]>([
    ['completions', { model: 'm', prompt: ['a', 'b'], stop: 'x' }],
    ['completions', { model: 'm', prompt: [[1, 2], [3]] }],
    ['embeddings', { model: 'm', input: [1, 2, 3], encoding_format: 'base64', dimensions: 256 }],
    ['moderations', { input: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'https://x' } }] }],
    ['images', { model: 'dall-e-3', prompt: 'cat', size: '1024x1024', quality: 'hd', response_format: 'b64_json', n: 1 }],
    ['audio.speech', { model: 'tts-1', input: 'hi', voice: { id: 'voice_123' }, speed: 1.5, stream_format: 'sse', response_format: 'mp3' }],
    ['edits', { model: 'm', instruction: 'fix', input: 'teh' }],
  ])('%s %j', (mode, body) => {
    expect(parseRequest(mode, Buffer.from(JSON.stringify(body)), 'application/vnd.openai+json').json).toEqual(body);
  });

  it('reads the model from the path for /v1/engines/:model/embeddings', () => {
    expect(parseRequest('embeddings', Buffer.from('{"input":"x"}'), 'application/json', 'text-embedding-3-small').model).toBe('text-embedding-3-small');
  });
});

describe('parseJsonObject (the one pass over the text before JSON.parse)', () => {
  it('never refuses a JSON object that has no duplicate keys and fits the depth limit', () => {
    // Keys and strings full of quotes, backslashes, brackets and commas must not confuse the scan.
    const tricky = fc.constantFrom('"', '\\', '\\"', '[', ']', '{', '}', ',', ':', '\\\\', 'a', '\u2028', '\ud800');
    const str = fc.oneof(fc.string({ unit: 'binary' }), fc.array(tricky, { maxLength: 8 }).map((a) => a.join('')));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, str, fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(str, tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(fc.dictionary(str, value, { maxKeys: 6 }), (obj) => {
        const text = JSON.stringify(obj);
        expect(parseJsonObject(text)).toEqual(JSON.parse(text));
      }),
      { seed: 3, numRuns: 3000 },
    );
  });

  it('counts members, not strings or commas inside them', () => {
    expect(parseJsonObject('{"a":"x\\\\","b":"[,{\\"","c":[1,{"d":[2,3]}]}')).toEqual({ a: 'x\\', b: '[,{"', c: [1, { d: [2, 3] }] });
    expect(() => parseJsonObject('{"a":"\\\\","a":1}')).toThrow('request body names the key "a" more than once');
    expect(() => parseJsonObject('{ "a" : 1 , "b" : { "a" : 2 } , "a" : 3 }')).toThrow('"a" more than once');
    expect(parseJsonObject('{"a":{"a":1,"a":2}}')).toEqual({ a: { a: 2 } });
    expect(parseJsonObject('{}')).toEqual({});
  });

  it('allows 64 levels and refuses 65', () => {
    const nested = (d: number) => `{"a":${'['.repeat(d - 1)}${']'.repeat(d - 1)}}`;
    expect(() => parseJsonObject(nested(64))).not.toThrow();
    expect(() => parseJsonObject(nested(65))).toThrow('nested deeper than 64 levels');
  });
});
