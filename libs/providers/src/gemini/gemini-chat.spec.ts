import { ChannelType } from '@oneapi/domain';
import type { ChannelContext } from '../adapter.types';
import { AdapterNotImplementedError } from '../errors';
import { fromGeminiResponse, geminiErrorToOpenAI, geminiSchema, toGeminiRequest } from './gemini-chat';
import { fromGeminiEmbeddingResponse, toGeminiEmbeddingRequest } from './gemini-embeddings';
import { GeminiAdapter } from './gemini.adapter';

const ctx = { requestModel: 'gemini-client', upstreamModel: 'gemini-2.0-flash' };
const ch = (baseUrl = '', config: Record<string, string> = {}): ChannelContext => ({ id: 4, type: ChannelType.Gemini, key: 'AIza-k', baseUrl, config });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('GeminiAdapter URL and headers', () => {
  const g = new GeminiAdapter([]);

  it('uses generateContent, streamGenerateContent?alt=sse for streams, batchEmbedContents for embeddings', () => {
    const base = 'https://generativelanguage.googleapis.com/v1beta/models';
    expect(g.requestUrl(ch(), 'chat', 'gemini-2.0-flash')).toBe(`${base}/gemini-2.0-flash:generateContent`);
    expect(g.requestUrl(ch(), 'chat', 'gemini-2.0-flash', { stream: false })).toBe(`${base}/gemini-2.0-flash:generateContent`);
    expect(g.requestUrl(ch(), 'chat', 'models/gemini-2.0-flash', { stream: true })).toBe(`${base}/gemini-2.0-flash:streamGenerateContent?alt=sse`);
    expect(g.requestUrl(ch(), 'embeddings', 'text-embedding-004')).toBe(`${base}/text-embedding-004:batchEmbedContents`);
  });

  it('honours the channel base URL and config.api_version', () => {
    expect(g.requestUrl(ch('http://127.0.0.1:9/', { api_version: 'v1' }), 'chat', 'm')).toBe('http://127.0.0.1:9/v1/models/m:generateContent');
  });

  it('sends the key in x-goog-api-key only', () => {
    expect(g.requestHeaders(ch(), 'chat', { accept: 'text/event-stream' })).toEqual({ 'Content-Type': 'application/json', Accept: 'text/event-stream', 'x-goog-api-key': 'AIza-k' });
  });

  it('declares chat and embeddings; images and the rest are 501', () => {
    expect(() => g.requestUrl(ch(), 'images', 'm')).toThrow(AdapterNotImplementedError);
    expect(() => g.convertRequest('audio.speech', {}, ctx)).toThrow(AdapterNotImplementedError);
    expect(g.acceptsStreamOptions(ch())).toBe(false);
  });
});

describe('toGeminiRequest', () => {
  it('maps roles, systemInstruction and generationConfig; lowers safety settings like One API', () => {
    const out = toGeminiRequest({
      model: 'gemini-2.0-flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.8,
      stop: ['END'],
      seed: 7,
      n: 1,
      response_format: { type: 'json_object' },
      stream: true,
    });
    expect(out.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Hello!' }] },
      { role: 'user', parts: [{ text: 'Again' }] },
    ]);
    expect(out.generationConfig).toEqual({ maxOutputTokens: 100, temperature: 0.2, topP: 0.8, stopSequences: ['END'], seed: 7, responseMimeType: 'application/json' });
    expect(out.safetySettings).toHaveLength(4);
    expect(out.safetySettings?.every((s) => s.threshold === 'BLOCK_NONE')).toBe(true);
    expect(out).not.toHaveProperty('tools');
  });

  it('sends images inline (data URLs) or as fileData (other URLs)', () => {
    const out = toGeminiRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.webp' } },
          ],
        },
      ],
    });
    expect(out.contents[0].parts).toEqual([{ text: 'Compare' }, { inlineData: { mimeType: 'image/png', data: PNG } }, { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/a.webp' } }]);
  });

  it('maps tools (schemas cleaned), tool_choice, functionCall turns and named functionResponses', () => {
    const out = toGeminiRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather and time?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'call_2', content: 'noon' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
          },
        },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(out.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          { name: 'get_time' },
        ],
      },
    ]);
    expect(out.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_time', args: {} } }] },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }, { functionResponse: { name: 'get_time', response: { content: 'noon' } } }],
      },
    ]);
  });

  it.each([
    ['none', 'NONE'],
    ['auto', 'AUTO'],
    ['required', 'ANY'],
  ] as const)('tool_choice %s → %s', (choice, mode) => {
    expect(toGeminiRequest({ model: 'm', messages: [], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: choice }).toolConfig).toEqual({ functionCallingConfig: { mode } });
  });

  it('geminiSchema strips unsupported keywords recursively', () => {
    expect(geminiSchema({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: false } } })).toEqual({
      type: 'object',
      properties: { a: { type: 'object', properties: { b: { type: 'string' } } } },
    });
    expect(geminiSchema(undefined)).toBeUndefined();
  });
});

describe('fromGeminiResponse', () => {
  const NOW = 1_750_000_000_000;

  it('maps text, finishReason and usageMetadata (thinking tokens count as completion)', () => {
    const out = fromGeminiResponse(
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }, { text: 'lo' }] }, finishReason: 'MAX_TOKENS', index: 0 }],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 4, thoughtsTokenCount: 2, totalTokenCount: 15 },
        responseId: 'r1',
      },
      ctx,
      NOW,
    );
    expect(out.usage).toEqual({ prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 });
    expect(out.body).toEqual({
      id: 'chatcmpl-r1',
      object: 'chat.completion',
      created: NOW / 1000,
      model: 'gemini-client',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 },
    });
  });

  it('maps functionCall parts to tool_calls with fresh ids and finish_reason tool_calls', () => {
    const out = fromGeminiResponse(
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'thinking...', thought: true }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_time', args: {} } }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
      },
      ctx,
    );
    const choice = (out.body.choices as { message: { content: unknown; reasoning_content: string; tool_calls: { id: string; function: unknown }[] }; finish_reason: string }[])[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.reasoning_content).toBe('thinking...');
    expect(choice.message.tool_calls.map((t) => t.function)).toEqual([
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { name: 'get_time', arguments: '{}' },
    ]);
    expect(choice.message.tool_calls[0].id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(choice.message.tool_calls[0].id).not.toBe(choice.message.tool_calls[1].id);
  });

  it('a blocked prompt answers content_filter; no candidates otherwise is an error', () => {
    const out = fromGeminiResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } }, ctx);
    expect((out.body.choices as { finish_reason: string }[])[0].finish_reason).toBe('content_filter');
    expect(out.usage).toEqual({ prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 });
    expect(() => fromGeminiResponse({ candidates: [] }, ctx)).toThrow(/no candidates/);
    expect(() => fromGeminiResponse({ error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } }, ctx)).toThrow(/bad/);
  });

  it('converts Google error bodies to the OpenAI error shape', () => {
    expect(geminiErrorToOpenAI({ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } })).toEqual({
      error: { message: 'API key not valid.', type: 'invalid_argument', param: null, code: '400' },
    });
  });
});

describe('Gemini embeddings', () => {
  it('one batchEmbedContents request per input, with outputDimensionality', () => {
    expect(toGeminiEmbeddingRequest({ model: 'text-embedding-004', input: ['a', 'b'], dimensions: 8 }, ctx)).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 8 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 8 },
      ],
    });
    expect(toGeminiEmbeddingRequest({ model: 'm', input: 'x' }, ctx).requests).toHaveLength(1);
    expect(() => toGeminiEmbeddingRequest({ model: 'm', input: [1, 2, 3] }, ctx)).toThrow(AdapterNotImplementedError);
  });

  it('maps embeddings to OpenAI’s list and leaves usage to the relay', () => {
    const out = fromGeminiEmbeddingResponse({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] }, ctx);
    expect(out.usage).toBeUndefined();
    expect(out.body).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, 0.2] },
        { object: 'embedding', index: 1, embedding: [0.3, 0.4] },
      ],
      model: 'gemini-client',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });
});
