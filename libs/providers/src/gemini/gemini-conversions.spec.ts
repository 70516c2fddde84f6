import { UnsupportedParameterError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { toGeminiRequest } from './gemini-chat';
import { convertGeminiStreamEvent } from './gemini-stream';

const user = [{ role: 'user', content: 'hi' }];

function refusal(body: Record<string, unknown>): UnsupportedParameterError | undefined {
  try {
    toGeminiRequest({ model: 'm', messages: user, ...body });
    return undefined;
  } catch (error) {
    if (error instanceof UnsupportedParameterError) return error;
    throw error;
  }
}

describe('toGeminiRequest: nothing dropped silently', () => {
  it('response_format json_schema → responseMimeType application/json + responseSchema in Gemini’s subset', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, zip: { type: ['string', 'null'] }, kind: { const: 'place' } }, required: ['city'], additionalProperties: false };
    const out = toGeminiRequest({ model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'place', strict: true, schema } } });
    expect(out.generationConfig).toMatchObject({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string', nullable: true }, kind: { type: 'string', enum: ['place'] } }, required: ['city'] },
    });
  });

  it('response_format json_object → JSON mode without a schema', () => {
    const out = toGeminiRequest({ model: 'm', messages: user, response_format: { type: 'json_object' } });
    expect(out.generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  it('a json_schema Gemini cannot express → 400 naming the keyword inside response_format', () => {
    const e = refusal({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { a: { not: { type: 'string' } } } } } } });
    expect(e?.param).toBe('response_format.json_schema.schema.properties.a.not');
  });

  it('tool parameters use the same mapping (const, nullable types); the path names the tool', () => {
    const tools = [
      { type: 'function', function: { name: 'a', parameters: { type: 'object', properties: { x: { type: 'string' } } } } },
      { type: 'function', function: { name: 'b', parameters: { type: 'object', properties: { mode: { const: 'fast' }, n: { type: ['integer', 'null'] } } } } },
    ];
    const out = toGeminiRequest({ model: 'm', messages: user, tools });
    expect(out.tools?.[0].functionDeclarations[1].parameters).toEqual({ type: 'object', properties: { mode: { type: 'string', enum: ['fast'] }, n: { type: 'integer', nullable: true } } });
    const bad = [tools[0], { type: 'function', function: { name: 'c', parameters: { type: 'object', properties: { y: { type: 'number', multipleOf: 3 } } } } }];
    expect(refusal({ tools: bad })?.param).toBe('tools[1].function.parameters.properties.y.multipleOf');
  });

  it('tools other than functions → 400 naming the tool', () => {
    expect(refusal({ tools: [{ type: 'function', function: { name: 'a' } }, { type: 'web_search' }] })?.param).toBe('tools[1]');
  });

  it.each([
    ['low', 1024],
    ['medium', 4096],
    ['high', 16384],
    ['none', 0],
  ])('reasoning_effort %s → thinkingConfig.thinkingBudget %i', (effort, budget) => {
    expect(toGeminiRequest({ model: 'm', messages: user, reasoning_effort: effort }).generationConfig?.thinkingConfig).toEqual({ thinkingBudget: budget });
  });

  it('PDF, text files and audio → inlineData with their MIME types', () => {
    const out = toGeminiRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0x' } },
            { type: 'file', file: { file_data: 'data:text/plain;base64,aGk=' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
          ],
        },
      ],
    });
    expect(out.contents[0].parts).toEqual([
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0x' } },
      { inlineData: { mimeType: 'text/plain', data: 'aGk=' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'audio/mp3', data: 'SUQz' } },
    ]);
  });

  it.each([
    [{ type: 'file', file: { file_id: 'file-1' } }, 'messages[0].content[0]'],
    [{ type: 'input_audio', input_audio: { data: 'AA', format: 'midi' } }, 'messages[0].content[0]'],
    [{ type: 'refusal', refusal: 'x' }, 'messages[0].content[0]'],
  ])('%j → 400 naming the part', (part, param) => {
    expect(refusal({ messages: [{ role: 'user', content: [part] }] })?.param).toBe(param);
  });

  it('logit_bias → 400 naming it; penalties are Gemini’s own', () => {
    expect(refusal({ logit_bias: { '1': 5 } })?.param).toBe('logit_bias');
    expect(toGeminiRequest({ model: 'm', messages: user, presence_penalty: 0.5, frequency_penalty: 0.2 }).generationConfig).toMatchObject({ presencePenalty: 0.5, frequencyPenalty: 0.2 });
  });

  it('n > 1 is candidateCount for JSON replies, refused for streams; logprobs refused', () => {
    expect(toGeminiRequest({ model: 'm', messages: user, n: 2 }).generationConfig?.candidateCount).toBe(2);
    expect(refusal({ n: 2, stream: true })?.param).toBe('n');
    expect(refusal({ logprobs: true })?.param).toBe('logprobs');
  });
});

describe('Gemini stream usage', () => {
  it('running usageMetadata is kept as reported usage; the finish event’s is final', () => {
    const state = newStreamState({ requestModel: 'g', upstreamModel: 'g' }, 1_750_000_000_000);
    const ev = (o: Record<string, unknown>) => convertGeminiStreamEvent({ data: JSON.stringify(o) }, state);
    ev({ candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] } }], usageMetadata: { promptTokenCount: 321, candidatesTokenCount: 1, totalTokenCount: 322 } });
    expect(state.reportedUsage).toEqual({ prompt_tokens: 321, completion_tokens: 1, total_tokens: 322 });
    expect(state.usage).toBeUndefined();
    ev({ candidates: [{ content: { role: 'model', parts: [{ text: 'b' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 321, candidatesTokenCount: 2, totalTokenCount: 323 } });
    expect(state.usage).toEqual({ prompt_tokens: 321, completion_tokens: 2, total_tokens: 323 });
  });
});
