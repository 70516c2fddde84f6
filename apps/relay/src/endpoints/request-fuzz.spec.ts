import fc from 'fast-check';
import { preloadTokenizer } from '@oneapi/domain';
import type { OptionsStore } from '@oneapi/platform';
import { RELAY_MODES, type RelayMode } from '@oneapi/providers';
import { RelayPricing } from '../billing/pricing';
import { ENDPOINTS } from '.';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { statusOf } from '../errors/relay-error.filter';
import { MAX_JSON_DEPTH } from './json-body';
import { parseMessagesRequest } from './messages-checks';
import { messagesPromptTokens } from './messages';

/**
 * SPEC 12: bad input gets a 4xx, never a 500. Every generated body runs through everything the
 * relay does before its first upstream byte, with each endpoint's own rules (endpoints/*.ts):
 * parse and validate, model checks (One API's image rules), ratios, prompt tokens and the
 * reservation. Either a RelayException with a 4xx status is thrown, or the
 * path ends with finite, non-negative integers; anything else is a crash the client would see as
 * a 500 (or a reservation computed from garbage).
 */

const SEED = 20250609;
const RUNS = 10_000;
const MAX_DEPTH = MAX_JSON_DEPTH;

function store(raw: Record<string, string>): OptionsStore {
  return { revision: 0, raw: () => raw } as unknown as OptionsStore;
}
const exact = new RelayPricing(store({}));
const approximate = new RelayPricing(store({ ApproximateTokenEnabled: 'true' }));

const BY_MODE = new Map(ENDPOINTS.map((e) => [e.mode, e]));

/** The pre-upstream steps of RelayPipeline (parse, check, price), auth and routing aside. */
function prePath(pricing: RelayPricing, mode: RelayMode, body: Buffer | undefined, contentType: string, pathModel?: string) {
  // count_tokens is not a billed endpoint: it parses and counts locally (or asks the upstream).
  if (mode === 'messages.count_tokens') {
    const parsed = parseMessagesRequest(mode, body, contentType);
    return { promptTokens: messagesPromptTokens(parsed, pricing), reserved: 0, maxTokens: 0 };
  }
  const endpoint = BY_MODE.get(mode);
  if (!endpoint) throw new Error(`no endpoint for ${mode}`);
  const parsed = endpoint.parse(body, contentType, pathModel);
  endpoint.check?.(parsed);
  const ratios = pricing.ratios(parsed.model, 'default');
  if (!ratios) throw new RelayException(RelayErrorCode.ModelNotFound, 'no price');
  const promptTokens = endpoint.promptTokens(parsed, pricing);
  const reserved = endpoint.reserve(parsed, promptTokens, ratios, pricing);
  // Read by the reply step before the first upstream byte.
  endpoint.reply(parsed);
  return { promptTokens, reserved, maxTokens: parsed.maxTokens ?? 0 };
}

// ------------------------------------------------------------------ generators

const anyJson = fc.jsonValue({ maxDepth: 4 });
/** A value to put where a field was: anything JSON, with the usual suspects more often. */
const replacement = fc.oneof(
  { weight: 4, arbitrary: anyJson },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, 5, -1, 1.5, '', 'x', true, [], {}, [null], [{}], [5], ['a'], { url: 5 }, 1e308, -0) },
);

const models = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom('gpt-4o', 'gpt-3.5-turbo', 'gpt-3.5-turbo-0301', 'dall-e-2', 'dall-e-3', 'tts-1', 'whisper-1', 'text-embedding-3-small', 'x') },
  { weight: 1, arbitrary: fc.constant('') },
);
const text = fc.string({ minLength: 1, maxLength: 40 });
const unicodeText = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
const someText = fc.oneof(text, unicodeText);
const PNG_1x1 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const imageUrl = fc.oneof(fc.constantFrom('https://example.com/cat.png', PNG_1x1, 'data:image/png;base64,!!', 'data:,x'), fc.webUrl());
const part = fc.oneof(
  fc.record({ type: fc.constant('text'), text: someText }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.oneof(imageUrl, fc.record({ url: imageUrl, detail: fc.constantFrom('low', 'high', 'auto') }, { requiredKeys: ['url'] })) }),
  fc.record({ type: fc.constant('input_audio'), input_audio: fc.record({ data: text, format: fc.constantFrom('wav', 'mp3') }) }),
);
const toolCall = fc.record({
  id: text,
  type: fc.constant('function'),
  function: fc.record({ name: text, arguments: fc.oneof(text, fc.json()) }),
});
const message = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'user', 'developer'), content: someText, name: text }, { requiredKeys: ['role', 'content'] }),
  fc.record({ role: fc.constant('user'), content: fc.array(part, { maxLength: 3 }) }),
  fc.record({ role: fc.constant('assistant'), content: fc.constantFrom(null, 'ok'), tool_calls: fc.array(toolCall, { minLength: 1, maxLength: 2 }) }),
  fc.record({ role: fc.constant('assistant'), content: fc.constant(null), function_call: fc.record({ name: text, arguments: text }) }),
  fc.record({ role: fc.constant('tool'), tool_call_id: text, content: someText }),
);
const tool = fc.record({
  type: fc.constant('function'),
  function: fc.record({ name: text, description: text, parameters: fc.constant({ type: 'object', properties: { q: { type: 'string' } } }) }, { requiredKeys: ['name'] }),
});
const tokenIds = fc.array(fc.nat({ max: 100_000 }), { maxLength: 8 });
const textInput = fc.oneof(someText, fc.array(someText, { maxLength: 4 }), tokenIds, fc.array(tokenIds, { maxLength: 3 }));
const maxTokens = fc.nat({ max: 4096 });

/** Valid or nearly valid bodies, one generator per endpoint. */
const BODIES: Array<[RelayMode, fc.Arbitrary<Record<string, unknown>>]> = [
  [
    'chat',
    fc.record(
      {
        model: models,
        messages: fc.array(message, { minLength: 1, maxLength: 4 }),
        stream: fc.boolean(),
        stream_options: fc.record({ include_usage: fc.boolean() }),
        max_tokens: maxTokens,
        max_completion_tokens: maxTokens,
        n: fc.integer({ min: 1, max: 4 }),
        tools: fc.array(tool, { maxLength: 2 }),
        tool_choice: fc.constantFrom('auto', 'none', { type: 'function', function: { name: 'f' } }),
        stop: fc.oneof(text, fc.array(text, { maxLength: 4 })),
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
        logit_bias: fc.constant({ '50256': -100 }),
      },
      { requiredKeys: ['model', 'messages'] },
    ),
  ],
  ['completions', fc.record({ model: models, prompt: textInput, max_tokens: maxTokens, stream: fc.boolean(), suffix: text }, { requiredKeys: ['model'] })],
  ['embeddings', fc.record({ model: models, input: textInput, encoding_format: fc.constantFrom('float', 'base64'), dimensions: fc.integer({ min: 1, max: 3072 }) }, { requiredKeys: ['model', 'input'] })],
  ['moderations', fc.record({ model: models, input: textInput }, { requiredKeys: ['input'] })],
  [
    'images',
    fc.record(
      {
        model: fc.constantFrom('dall-e-2', 'dall-e-3', 'x'),
        prompt: someText,
        n: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }) }),
        size: fc.constantFrom('1024x1024', '1024x1024', '512x512', '1792x1024', '7x7'),
        quality: fc.constantFrom('standard', 'hd'),
        response_format: fc.constantFrom('url', 'b64_json'),
      },
      { requiredKeys: ['model', 'prompt'] },
    ),
  ],
  [
    'audio.speech',
    fc.record(
      {
        model: fc.constantFrom('tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'),
        input: someText,
        voice: fc.constantFrom('alloy', 'nova'),
        response_format: fc.constantFrom('mp3', 'wav', 'opus'),
        speed: fc.double({ min: 0.25, max: 4, noNaN: true }),
        stream_format: fc.constantFrom('audio', 'sse'),
      },
      { requiredKeys: ['model', 'input'] },
    ),
  ],
  ['edits', fc.record({ model: models, instruction: someText, input: someText, n: fc.integer({ min: 1, max: 4 }) }, { requiredKeys: ['model', 'instruction'] })],
];

/** Every (container, key) pair of a value, deeper ones repeated (most of what is read sits deep). */
function slots(value: unknown, depth = 1, out: Array<[Record<string, unknown> | unknown[], string | number]> = []) {
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  for (const [key, v] of entries) {
    for (let i = 0; i < depth; i++) out.push([value as Record<string, unknown> | unknown[], key]);
    slots(v, depth + 1, out);
  }
  return out;
}

/** A body with one to three of its fields (at any depth) replaced by arbitrary values or removed. */
function mutated(base: fc.Arbitrary<Record<string, unknown>>) {
  const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 4 }).map((r) => r === 0), value: replacement });
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([generated, edits]) => {
    // Copies: constants are shared between runs, and a value must not end up inside itself.
    const body = structuredClone(generated);
    for (const e of edits) {
      const all = slots(body);
      if (all.length === 0) break;
      const [container, key] = all[e.at % all.length];
      if (e.remove && !Array.isArray(container)) delete container[key as string];
      else (container as Record<string | number, unknown>)[key] = structuredClone(e.value);
    }
    return body;
  });
}

const JSON_TYPE = 'application/json';
const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant(JSON_TYPE) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/vnd.api+json',
      'text/plain',
      'text/plain;charset=UTF-8',
      '',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=zz',
      'application/jsonx',
    ),
  },
);

/** Text-level oddities JSON.stringify never produces; `bad` when the relay must refuse them. */
const oddText = fc.oneof(
  fc.constantFrom('', ' ', 'null', '[]', '"x"', '5', '{', '{"model":"gpt-4o",}', '\ufeff{"model":"gpt-4o"}', '{"model":"a","model":"b","messages":[{"role":"user","content":"x"}]}').map((text) => ({ text, bad: true })),
  // Content nested d levels below depth 3 (body, messages, message).
  fc.oneof(fc.nat({ max: 80 }), fc.integer({ min: 1000, max: 200_000 })).map((d) => ({
    text: `{"model":"gpt-4o","messages":[{"role":"user","content":${'['.repeat(d)}${']'.repeat(d)}}]}`,
    bad: 3 + d > MAX_DEPTH,
  })),
  fc.tuple(models, models).map(([a, b]) => ({
    text: `{"model":${JSON.stringify(a)},"input":"x","prompt":"x","instruction":"x","messages":[{"role":"user","content":"x"}],"model":${JSON.stringify(b)}}`,
    bad: true,
  })),
  fc.oneof(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60, unit: 'binary' })).map((text) => ({ text, bad: false })),
);

const form = fc.record({ model: models, language: text, temperature: fc.oneof(text, fc.constant('0.2')), response_format: text }, { requiredKeys: [] }).map((fields) => {
  let out = '';
  for (const [k, v] of Object.entries(fields)) out += `--zz\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  return `--zz\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n\x00\x01--zz\r\n${out}--zz--\r\n`;
});

interface Case {
  mode: RelayMode;
  text: string | null;
  contentType: string;
  pathModel?: string;
  approximate: boolean;
  /** The relay must refuse this body (duplicate keys, too deep, not JSON, not sent as JSON). */
  bad: boolean;
}

const mode = fc.constantFrom(...RELAY_MODES);
const structured = fc.oneof(
  // Chat bodies have the most fields the relay reads.
  ...BODIES.map(([m, body]) => ({
    weight: m === 'chat' ? 6 : 1,
    arbitrary: fc.oneof({ weight: 1, arbitrary: body }, { weight: 4, arbitrary: mutated(body) }).map((b) => ({ mode: m, text: JSON.stringify(b) })),
  })),
);
const cases: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(
      { weight: 14, arbitrary: structured },
      // Any endpoint's body at any endpoint.
      { weight: 1, arbitrary: fc.tuple(mode, structured).map(([m, s]) => ({ mode: m, text: s.text })) },
      { weight: 3, arbitrary: fc.tuple(mode, anyJson).map(([m, v]) => ({ mode: m, text: JSON.stringify(v) })) },
      { weight: 1, arbitrary: fc.tuple(mode, oddText).map(([m, t]) => ({ mode: m, text: t.text, bad: t.bad })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom<RelayMode>('audio.transcriptions', 'audio.translations'), form).map(([m, t]) => ({ mode: m, text: t })) },
      { weight: 1, arbitrary: mode.map((m) => ({ mode: m, text: null as string | null })) },
    ),
    contentType,
    fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: models }),
    fc.boolean(),
  )
  .map(([c, ct, pathModel, approx]) => {
    // Multipart bodies need their content type most of the time to reach the field checks.
    const contentType = c.text?.startsWith('--zz') && ct === JSON_TYPE ? 'multipart/form-data; boundary=zz' : ct;
    const multipartMode = c.mode === 'audio.transcriptions' || c.mode === 'audio.translations';
    const notJson = !multipartMode && !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType);
    return { mode: c.mode, text: c.text, contentType, pathModel, approximate: approx, bad: !multipartMode && (('bad' in c && c.bad === true) || notJson) };
  });

function isCount(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

describe('request validation fuzz (parse → prompt tokens → reservation)', () => {
  beforeAll(() => preloadTokenizer(), 120_000);

  it(`never lets ${RUNS} generated bodies reach anything but a 4xx or a finite reservation`, () => {
    // Failures are collected rather than thrown, so a regression reports how many bodies break.
    const crashes: Array<{ case: Case; error: string }> = [];
    let rejected = 0;
    const accepted: Case[] = [];
    fc.assert(
      fc.property(cases, (c) => {
        const body = c.text === null ? undefined : Buffer.from(c.text, 'utf8');
        try {
          const out = prePath(c.approximate ? approximate : exact, c.mode, body, c.contentType, c.pathModel);
          if (c.bad) accepted.push(c);
          if (!isCount(out.promptTokens) || !isCount(out.reserved) || !isCount(out.maxTokens)) {
            crashes.push({ case: c, error: `not a count: ${JSON.stringify(out)}` });
          }
        } catch (error) {
          if (error instanceof RelayException && statusOf(error.code) >= 400 && statusOf(error.code) < 500) rejected++;
          else crashes.push({ case: c, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const sample = crashes.slice(0, 5).map((x) => ({ ...x, case: { ...x.case, text: x.case.text?.slice(0, 300) } }));
    expect({ crashes: crashes.length, sample }).toEqual({ crashes: 0, sample: [] });
    const wronglyAccepted = accepted.slice(0, 5).map((c) => ({ ...c, text: c.text?.slice(0, 200) }));
    expect({ wronglyAccepted: accepted.length, sample: wronglyAccepted }).toEqual({ wronglyAccepted: 0, sample: [] });
    // The generators must exercise both outcomes, or the property proves little.
    expect(rejected).toBeGreaterThan(RUNS / 10);
    expect(rejected).toBeLessThan(RUNS * 0.9);
  });
});
