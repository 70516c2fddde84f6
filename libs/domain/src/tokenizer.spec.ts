import fc from 'fast-check';
import {
  EXACT_BUDGET_CHARS,
  approximateTokens,
  countInputTokens,
  countMessagesTokens,
  countTextTokens,
  encodingForModel,
  getImageTokens,
  imageSizeFromDataUrl,
  preloadTokenizer,
} from './tokenizer';

beforeAll(() => preloadTokenizer(), 120_000);

describe('encodingForModel', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o1-mini', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['claude-3-opus-20240229', 'cl100k_base'],
    ['omni-moderation-latest', 'cl100k_base'],
  ])('%s → %s', (model, enc) => {
    expect(encodingForModel(model)).toBe(enc);
  });
});

describe('countTextTokens', () => {
  it('counts known strings', () => {
    expect(countTextTokens('gpt-4o', 'hello world')).toBe(2);
    expect(countTextTokens('gpt-3.5-turbo', 'hello world')).toBe(2);
    expect(countTextTokens('gpt-4o', '')).toBe(0);
    // the encodings differ on longer text
    const text = 'The quick brown fox jumps over the lazy dog. 你好，世界！';
    expect(countTextTokens('gpt-4o', text)).toBeGreaterThan(10);
    expect(countTextTokens('gpt-4', text)).toBeGreaterThan(10);
  });

  it('treats special tokens as plain text', () => {
    expect(() => countTextTokens('gpt-4o', 'a <|endoftext|> b')).not.toThrow();
    expect(countTextTokens('gpt-4o', '<|endoftext|>')).toBeGreaterThan(1);
    expect(countTextTokens('gpt-4', '<|im_start|>')).toBeGreaterThan(1);
  });

  it('counts long runs of one character sanely', () => {
    expect(countTextTokens('gpt-4o', 'a'.repeat(4000))).toBe(500);
  });

  it('approximates when asked', () => {
    expect(countTextTokens('gpt-4o', 'hello world', { approximate: true })).toBe(approximateTokens('hello world'));
    expect(approximateTokens('abcd')).toBe(1);
    expect(approximateTokens('你好')).toBe(2);
    expect(approximateTokens('😀')).toBe(1);
    expect(approximateTokens('')).toBe(0);
  });

  const paragraph =
    'One API routes OpenAI-compatible requests to many upstream channels, counts tokens and bills quota. ' +
    'Operators set model ratios, group ratios and completion ratios; users create tokens with limits. ';
  const oneMb = 1024 * 1024;

  it('estimates a 1 MB text within 5% of the exact count', () => {
    const repeats = Math.floor(oneMb / paragraph.length);
    const text = paragraph.repeat(repeats);
    const exact = countTextTokens('gpt-4o', paragraph) * repeats;
    const estimate = countTextTokens('gpt-4o', text);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.05);
  });

  // The one timing check: guards the BPE stall (seconds per call before bounding).
  it.each([
    ['a 1 MB single-character prompt', 'a'.repeat(oneMb), oneMb / 8],
    ['a 1 MB normal-text prompt', paragraph.repeat(Math.ceil(oneMb / paragraph.length)).slice(0, oneMb), oneMb / 5.5],
  ])('counts %s in < 50 ms', (_label, text, expected) => {
    countTextTokens('gpt-4', 'warm'); // JIT and encoder warm-up, not part of the measurement
    let best = Infinity;
    let count = 0;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      count = countTextTokens('gpt-4o', text);
      best = Math.min(best, performance.now() - start);
    }
    expect(best).toBeLessThan(50);
    expect(count).toBeGreaterThan(expected * 0.7);
    expect(count).toBeLessThan(expected * 1.3);
  });

  it('bounds the exact work per call across many texts', () => {
    const texts = Array.from({ length: 200 }, (_, i) => `message ${i} `.repeat(500));
    const start = performance.now();
    const n = countInputTokens('text-embedding-3-small', texts);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(n).toBeGreaterThan(200 * 500 * 2 * 0.7);
    expect(EXACT_BUDGET_CHARS).toBeGreaterThan(0);
  });
});

describe('countInputTokens', () => {
  it('accepts every embeddings input shape', () => {
    expect(countInputTokens('text-embedding-3-small', 'hello world')).toBe(2);
    expect(countInputTokens('text-embedding-3-small', ['hello world', 'hello world'])).toBe(4);
    expect(countInputTokens('text-embedding-3-small', [1, 2, 3])).toBe(3);
    expect(countInputTokens('text-embedding-3-small', [[1, 2], [3]])).toBe(3);
    expect(countInputTokens('text-embedding-3-small', [])).toBe(0);
    expect(countInputTokens('text-embedding-3-small', undefined)).toBe(0);
  });
});

describe('countMessagesTokens', () => {
  it('applies One API per-message overhead', () => {
    const messages = [
      { role: 'system', content: 'hello world' },
      { role: 'user', content: 'hello world' },
    ];
    // 2 × (3 + role 1 + content 2) + 3 priming
    expect(countMessagesTokens('gpt-4o', messages)).toBe(2 * (3 + 1 + 2) + 3);
    expect(countMessagesTokens('gpt-3.5-turbo', messages)).toBe(15);
  });

  it('counts names: +1 (gpt-3.5-turbo-0301: 4 per message, −1 per name)', () => {
    const messages = [{ role: 'user', content: 'hello world', name: 'bob' }];
    const nameTokens = countTextTokens('gpt-4', 'bob');
    expect(countMessagesTokens('gpt-4', messages)).toBe(3 + 1 + 2 + 1 + nameTokens + 3);
    expect(countMessagesTokens('gpt-3.5-turbo-0301', messages)).toBe(4 + 1 + 2 - 1 + nameTokens + 3);
  });

  it('counts text and image parts', () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hello world' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/b.png' } },
        ],
      },
    ];
    expect(countMessagesTokens('gpt-4o', messages)).toBe(3 + 1 + 2 + 85 + 765 + 3);
    const sized = countMessagesTokens('gpt-4o', messages, { imageSize: () => ({ width: 512, height: 512 }) });
    expect(sized).toBe(3 + 1 + 2 + 85 + 255 + 3);
  });

  it('counts tool calls and tool definitions as text', () => {
    const base = [{ role: 'assistant', content: null }];
    const withCall = [{ role: 'assistant', content: null, tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }];
    expect(countMessagesTokens('gpt-4o', withCall)).toBeGreaterThan(countMessagesTokens('gpt-4o', base));
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    expect(countMessagesTokens('gpt-4o', base, { tools })).toBe(
      countMessagesTokens('gpt-4o', base) + countTextTokens('gpt-4o', JSON.stringify(tools)),
    );
  });
});

describe('image tokens', () => {
  it.each([
    ['low', 4096, 4096, 85],
    ['high', 512, 512, 255],
    ['high', 125, 50, 255],
    ['auto', 1024, 1024, 765],
    [undefined, 2048, 4096, 1105],
    ['high', 1920, 1080, 1105],
    ['high', 800, 600, 765],
    ['high', 1000, 500, 425],
    ['high', undefined, undefined, 765],
  ])('%s %sx%s → %d', (detail, w, h, tokens) => {
    expect(getImageTokens(detail, w, h)).toBe(tokens);
  });

  it('sizes data: URLs locally', () => {
    // 1×1 PNG and GIF
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const gif = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
    expect(imageSizeFromDataUrl(png)).toEqual({ width: 1, height: 1 });
    expect(imageSizeFromDataUrl(gif)).toEqual({ width: 1, height: 1 });
    expect(imageSizeFromDataUrl('https://example.com/a.png')).toBeUndefined();
    expect(imageSizeFromDataUrl('data:image/png;base64,!!!')).toBeUndefined();
  });

  it('sizes JPEG and WebP headers', () => {
    const jpeg = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const url = `data:image/jpeg;base64,${btoa(String.fromCharCode(...jpeg))}`;
    expect(imageSizeFromDataUrl(url)).toEqual({ width: 800, height: 600 });
    const vp8x = 'RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0' + String.fromCharCode(0xff, 0x03, 0x00, 0x57, 0x02, 0x00);
    expect(imageSizeFromDataUrl(`data:image/webp;base64,${btoa(vp8x)}`)).toEqual({ width: 1024, height: 600 });
  });
});

describe('the counters are total (any JSON value, never a throw)', () => {
  const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

  it('count any JSON value in any field as a non-negative integer', () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(value, value, value, fc.boolean(), fc.constantFrom('gpt-4o', 'gpt-3.5-turbo-0301'), (a, b, c, approximate, model) => {
        const anyMessages = [
          a,
          { role: a, content: b, name: c, tool_calls: a, function_call: b },
          { role: 'user', content: [a, { type: 'image_url', image_url: b }, { type: 'image_url', image_url: { url: c, detail: a } }, { type: 'text', text: c }] },
          { role: 'assistant', tool_calls: [a, { function: b }, { function: { name: c, arguments: a } }] },
        ];
        const counts = [
          countMessagesTokens(model, a as never, { approximate, tools: b, functions: c }),
          countMessagesTokens(model, anyMessages as never, { approximate }),
          countInputTokens(model, a as never, { approximate }),
          countInputTokens(model, [a, b, c] as never, { approximate }),
          countTextTokens(model, a as never, { approximate }),
        ];
        expect(counts.every(isCount)).toBe(true);
      }),
      { seed: 9, numRuns: 3000 },
    );
  });

  it('counts 0 for tools too deep to serialise instead of overflowing the stack', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const plain = countMessagesTokens('gpt-4o', [{ role: 'user', content: 'hi' }]);
    expect(countMessagesTokens('gpt-4o', [{ role: 'user', content: 'hi' }], { tools: deep })).toBe(plain);
  });

  it('counts wrong-typed fields as nothing (the relay refuses them before counting)', () => {
    const plain = countMessagesTokens('gpt-4o', [{ role: 'user', content: 'hi' }]);
    expect(countMessagesTokens('gpt-4o', [{ role: 'user', content: 'hi', tool_calls: 5, function_call: 'x' } as never])).toBe(plain);
    expect(countMessagesTokens('gpt-4o', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 5 } }] } as never])).toBe(
      countMessagesTokens('gpt-4o', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }]),
    );
    expect(countInputTokens('gpt-4o', 5 as never)).toBe(0);
    expect(countInputTokens('gpt-4o', { a: 1 } as never)).toBe(0);
  });
});
