import {
  QUOTA_PER_UNIT,
  audioPreConsumedQuota,
  formatQuota,
  imageQuota,
  preConsumedQuota,
  quotaToUsd,
  settleQuota,
  speechQuota,
  transcriptionQuota,
  usdToQuota,
} from './quota';
import { getImageRatio, getModelRatio } from './ratios';

describe('preConsumedQuota', () => {
  it('reserves (PreConsumedQuota + prompt + max_tokens) × ratios', () => {
    expect(preConsumedQuota({ promptTokens: 100, maxTokens: 400, preConsumedQuota: 500, modelRatio: 15, groupRatio: 1 })).toBe(15000);
    expect(preConsumedQuota({ promptTokens: 100, maxTokens: null, preConsumedQuota: 500, modelRatio: 2.5, groupRatio: 2 })).toBe(3000);
  });
  it('rounds up', () => {
    // (500 + 1 + 0) × 0.075 = 37.575 → 38
    expect(preConsumedQuota({ promptTokens: 1, preConsumedQuota: 500, modelRatio: 0.075, groupRatio: 1 })).toBe(38);
  });
  it('is 0 for a zero ratio', () => {
    expect(preConsumedQuota({ promptTokens: 10, maxTokens: 10, preConsumedQuota: 500, modelRatio: 0, groupRatio: 1 })).toBe(0);
    expect(preConsumedQuota({ promptTokens: 10, preConsumedQuota: 500, modelRatio: 1, groupRatio: 0 })).toBe(0);
  });
});

describe('settleQuota', () => {
  it('charges ceil((prompt + completion × completionRatio) × modelRatio × groupRatio)', () => {
    // gpt-4: (10 + 20 × 2) × 15 = 750
    expect(settleQuota({ promptTokens: 10, completionTokens: 20, modelRatio: 15, completionRatio: 2, groupRatio: 1 })).toBe(750);
    // gpt-3.5-turbo-0613: (7 + 5 × 4/3) × 0.75 = 10.25 → 11
    expect(settleQuota({ promptTokens: 7, completionTokens: 5, modelRatio: 0.75, completionRatio: 4 / 3, groupRatio: 1 })).toBe(11);
  });
  it('does not add a unit for float noise', () => {
    // (1 + 2 × 1) × 0.1 = 0.30000000000000004 in floats; × 10 group → 3, not 4
    expect(settleQuota({ promptTokens: 1, completionTokens: 2, modelRatio: 0.1, completionRatio: 1, groupRatio: 10 })).toBe(3);
  });
  it('charges at least 1 when priced, 0 when free', () => {
    expect(settleQuota({ promptTokens: 0, completionTokens: 0, modelRatio: 0.075, completionRatio: 4, groupRatio: 1 })).toBe(1);
    expect(settleQuota({ promptTokens: 1, completionTokens: 0, modelRatio: 0.075, completionRatio: 4, groupRatio: 1 })).toBe(1);
    expect(settleQuota({ promptTokens: 1000, completionTokens: 1000, modelRatio: 0, completionRatio: 4, groupRatio: 1 })).toBe(0);
    expect(settleQuota({ promptTokens: 1000, completionTokens: 1000, modelRatio: 1, completionRatio: 4, groupRatio: 0 })).toBe(0);
  });
  it('bills cache reads at 0.1× and cache writes at 1.25× of an input token', () => {
    // 1000 prompt = 200 uncached + 500 read + 300 written; (200 + 50 + 375 + 10 × 5) × 1.5 = 1012.5 → 1013
    expect(settleQuota({ promptTokens: 1000, cacheReadTokens: 500, cacheWriteTokens: 300, completionTokens: 10, modelRatio: 1.5, completionRatio: 5, groupRatio: 1 })).toBe(1013);
    // Cache counts above the prompt are capped by it (never a negative uncached part).
    expect(settleQuota({ promptTokens: 100, cacheReadTokens: 400, completionTokens: 0, modelRatio: 1, completionRatio: 1, groupRatio: 1 })).toBe(10);
  });
  it('returns integers', () => {
    const q = settleQuota({ promptTokens: 123, completionTokens: 457, modelRatio: 0.075, completionRatio: 4, groupRatio: 1.3 });
    expect(Number.isInteger(q)).toBe(true);
    expect(q).toBe(Math.ceil((123 + 457 * 4) * 0.075 * 1.3));
  });
});

describe('image and audio quota', () => {
  it('prices dall-e-3 at $0.04 standard and $0.08 hd', () => {
    const modelRatio = getModelRatio('dall-e-3');
    expect(imageQuota({ modelRatio, groupRatio: 1, imageRatio: getImageRatio('dall-e-3', '1024x1024', 'standard') })).toBe(20000);
    expect(imageQuota({ modelRatio, groupRatio: 1, imageRatio: getImageRatio('dall-e-3', '1024x1024', 'hd') })).toBe(40000);
    expect(imageQuota({ modelRatio, groupRatio: 1, imageRatio: getImageRatio('dall-e-3', '1792x1024', 'hd') })).toBe(60000);
  });
  it('multiplies by n', () => {
    const modelRatio = getModelRatio('dall-e-2');
    expect(imageQuota({ modelRatio, groupRatio: 1, imageRatio: getImageRatio('dall-e-2', '512x512'), n: 3 })).toBe(3 * 11250);
  });
  it('prices speech per character and transcription per token', () => {
    expect(speechQuota({ text: 'a'.repeat(1000), modelRatio: 7.5, groupRatio: 1 })).toBe(7500);
    expect(speechQuota({ text: '你好', modelRatio: 7.5, groupRatio: 1 })).toBe(15);
    expect(transcriptionQuota({ textTokens: 100, modelRatio: 15, groupRatio: 1 })).toBe(1500);
    expect(transcriptionQuota({ textTokens: 0, modelRatio: 15, groupRatio: 1 })).toBe(1);
    expect(audioPreConsumedQuota({ preConsumedQuota: 500, modelRatio: 15, groupRatio: 1 })).toBe(7500);
  });
});

describe('display', () => {
  it('converts quota and dollars', () => {
    expect(QUOTA_PER_UNIT).toBe(500000);
    expect(quotaToUsd(500000)).toBe(1);
    expect(quotaToUsd(1000, 1000)).toBe(1);
    expect(usdToQuota(0.04)).toBe(20000);
  });
  it('formats like the One API console', () => {
    expect(formatQuota(6173, { displayInCurrency: true })).toBe('$0.012346');
    expect(formatQuota(6172, { displayInCurrency: true, perUnit: 500000 })).toBe('$0.012344');
    expect(formatQuota(500000, { displayInCurrency: true, digits: 2 })).toBe('$1.00');
    expect(formatQuota(1234, { displayInCurrency: false })).toBe('1234');
  });
});
