import {
  DEFAULT_GROUP_RATIO,
  DEFAULT_MODEL_RATIO,
  UNKNOWN_MODEL_RATIO,
  getCompletionRatio,
  getGroupRatio,
  getImageRatio,
  getModelRatio,
  isKnownModel,
  lookupModelRatio,
  parseRatioJson,
  validateRatioJson,
  checkImageRequest,
} from './ratios';

describe('model ratios', () => {
  it.each([
    ['gpt-3.5-turbo', 0.25],
    ['gpt-4', 15],
    ['gpt-4-32k', 30],
    ['gpt-4-turbo', 5],
    ['gpt-4o', 2.5],
    ['gpt-4o-mini', 0.075],
    ['text-embedding-3-small', 0.01],
    ['dall-e-3', 20],
    ['whisper-1', 15],
    ['tts-1', 7.5],
    ['claude-3-haiku-20240307', 0.125],
    ['claude-3-opus-20240229', 7.5],
    ['o1-mini', 1.5],
    ['grok-beta', 2.5],
    ['gemini-1.5-pro', 1],
    ['mistral-large-latest', 4],
    ['deepseek-chat', 0.07],
    ['ERNIE-4.0-8K', (0.12 * 500) / 7],
  ])('%s → %d', (model, ratio) => {
    expect(getModelRatio(model)).toBeCloseTo(ratio, 10);
  });

  it('prices unknown models at 30 and says so', () => {
    expect(UNKNOWN_MODEL_RATIO).toBe(30);
    expect(getModelRatio('no-such-model')).toBe(30);
    expect(lookupModelRatio('no-such-model')).toEqual({ ratio: 30, known: false });
    expect(isKnownModel('gpt-4o')).toBe(true);
    expect(isKnownModel('no-such-model')).toBe(false);
  });

  it('prefers overrides, then falls back to the default table', () => {
    const overrides = { 'gpt-4o': 3, custom: 0 };
    expect(getModelRatio('gpt-4o', overrides)).toBe(3);
    expect(getModelRatio('gpt-4', overrides)).toBe(15);
    expect(lookupModelRatio('custom', overrides)).toEqual({ ratio: 0, known: true });
  });

  it('applies channel-type specific keys first', () => {
    expect(getModelRatio('llama3-8b-8192', undefined, 33)).toBeCloseTo(0.15, 10);
    expect(getModelRatio('llama3-8b-8192', { 'llama3-8b-8192(33)': 9 }, 33)).toBe(9);
    expect(getModelRatio('llama3-8b-8192', undefined, 1)).toBe(getModelRatio('llama3-8b-8192'));
  });

  it('prices Azure deployment-style names as their OpenAI model', () => {
    expect(getModelRatio('gpt-35-turbo')).toBe(0.25);
    expect(getCompletionRatio('gpt-35-turbo')).toBe(3);
  });

  it('strips -internet from qwen-* names', () => {
    expect(getModelRatio('qwen-turbo-internet', { 'qwen-turbo': 2 })).toBe(2);
  });

  it('has only finite non-negative ratios and every OpenAI chat family', () => {
    for (const v of Object.values(DEFAULT_MODEL_RATIO)) expect(Number.isFinite(v) && v >= 0).toBe(true);
    for (const m of ['gpt-3.5-turbo-0125', 'gpt-4-0613', 'gpt-4o-2024-08-06', 'o1', 'o3-mini', 'text-embedding-ada-002', 'dall-e-2']) {
      expect(isKnownModel(m)).toBe(true);
    }
  });
});

describe('completion ratios', () => {
  it.each([
    ['gpt-3.5-turbo', 3],
    ['gpt-3.5-turbo-0125', 3],
    ['gpt-3.5-turbo-1106', 2],
    ['gpt-3.5-turbo-0613', 4 / 3],
    ['gpt-3.5-turbo-16k', 4 / 3],
    ['gpt-4', 2],
    ['gpt-4-32k', 2],
    ['gpt-4-turbo', 3],
    ['gpt-4-1106-preview', 3],
    ['gpt-4o', 4],
    ['gpt-4o-mini', 4],
    ['gpt-4o-2024-08-06', 4],
    ['gpt-4o-2024-05-13', 3],
    ['chatgpt-4o-latest', 3],
    ['gpt-4.1', 4],
    ['o1', 4],
    ['o1-mini', 4],
    ['o3-mini', 4],
    ['claude-3-opus-20240229', 5],
    ['claude-2.1', 3],
    ['mistral-large-latest', 3],
    ['gemini-1.5-pro', 3],
    ['deepseek-chat', 2],
    ['grok-beta', 3],
    ['llama3-8b-8192', 2],
    ['text-embedding-3-small', 1],
    ['unknown-model', 1],
  ])('%s → %d', (model, ratio) => {
    expect(getCompletionRatio(model)).toBeCloseTo(ratio, 10);
  });

  it('uses overrides before the rules', () => {
    expect(getCompletionRatio('gpt-4o', { 'gpt-4o': 1.5 })).toBe(1.5);
    expect(getCompletionRatio('llama3-8b-8192', undefined, 33)).toBeCloseTo(2, 10);
  });
});

describe('group ratios', () => {
  it('defaults to default/vip/svip = 1 and 1 for unknown groups', () => {
    expect(DEFAULT_GROUP_RATIO).toEqual({ default: 1, vip: 1, svip: 1 });
    expect(getGroupRatio('vip', { default: 1, vip: 0.5 })).toBe(0.5);
    expect(getGroupRatio('nobody', { default: 1 })).toBe(1);
    expect(getGroupRatio('free', { free: 0 })).toBe(0);
  });
});

describe('image ratios', () => {
  it.each([
    ['dall-e-2', '256x256', undefined, 1],
    ['dall-e-2', '512x512', undefined, 1.125],
    ['dall-e-2', '1024x1024', undefined, 1.25],
    ['dall-e-3', '1024x1024', 'standard', 1],
    ['dall-e-3', '1024x1024', 'hd', 2],
    ['dall-e-3', '1792x1024', undefined, 2],
    ['dall-e-3', '1024x1792', 'hd', 3],
  ])('%s %s %s → %d', (model, size, quality, ratio) => {
    expect(getImageRatio(model, size, quality)).toBe(ratio);
  });

  it('is 1 for models without a size table', () => {
    expect(getImageRatio('some-image-model', '640x480')).toBe(1);
  });

  it('checks image requests like One API', () => {
    const ok = { model: 'dall-e-3', prompt: 'a cat', size: '1024x1024', n: 1 };
    expect(checkImageRequest(ok)).toBeNull();
    expect(checkImageRequest({ ...ok, size: '256x256' })?.code).toBe('size_not_supported');
    expect(checkImageRequest({ ...ok, n: 2 })?.code).toBe('n_not_within_range');
    expect(checkImageRequest({ ...ok, prompt: '' })?.code).toBe('prompt_missing');
    expect(checkImageRequest({ ...ok, prompt: 'x'.repeat(4001) })?.code).toBe('prompt_too_long');
  });
});

describe('parseRatioJson', () => {
  it('parses a map of non-negative numbers', () => {
    expect(parseRatioJson('{"a":1,"b":0.5,"c":0}')).toEqual({ a: 1, b: 0.5, c: 0 });
  });
  it.each([
    ['{', /invalid JSON/],
    ['[1,2]', /JSON object/],
    ['null', /JSON object/],
    ['{"a":"1"}', /"a" must be a number/],
    ['{"a":-1}', /"a" must not be negative/],
    ['{"a":null}', /"a" must be a number/],
    ['{"":1}', /empty/],
  ])('rejects %s', (text, message) => {
    expect(() => parseRatioJson(text)).toThrow(message);
  });
  it('validateRatioJson reports instead of throwing', () => {
    expect(validateRatioJson('{"y":2}')).toEqual({ ok: true, value: { y: 2 } });
    expect(validateRatioJson('nope')).toMatchObject({ ok: false });
  });
});
