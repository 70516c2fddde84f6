import fc from 'fast-check';
import { checkJson, isJsonText, JSON_ERROR, JSON_USAGE, JSON_VALID } from './json-check';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const check = (text: string) => {
  const b = Buffer.from(`xx${text}yy`);
  return isJsonText(b, 2, b.length - 2);
};

describe('isJsonText', () => {
  it.each([
    '{"id":"c","choices":[{"index":0,"delta":{"content":"hi \\"x\\" \\u00e9"},"finish_reason":null}]}',
    '{}',
    '[]',
    ' [1, -2.5e+3, 0, true, false, null, "s"] ',
    '"just a string"',
    '0',
    '{"a":{"b":[[],{}]}}',
  ])('accepts %s like JSON.parse', (text) => {
    expect(check(text)).toBe(true);
    expect(parses(text)).toBe(true);
  });

  it.each(['{"choices": [', 'not json', '', '{"a":1,}', '[1,]', '01', '1.', '-', '1e', '{"a" 1}', '{a:1}', '"\\x"', '"\\u12"', '"a\nb"', '{"a":1}}', 'tru', 'nulll', '[1 2]', '{"a":1 "b":2}'])(
    'refuses %j like JSON.parse',
    (text) => {
      expect(check(text)).toBe(false);
      expect(parses(text)).toBe(false);
    },
  );

  it('agrees with JSON.parse on arbitrary JSON and on mutations of it', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', '0', 'e', '-', ' ', '\n', '\u0001', 'x'), fc.nat(3))
      .map(([json, at, piece, cut]) => {
        const p = at % (json.length + 1);
        return json.slice(0, p) + piece + json.slice(p + cut);
      });
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string()), (text) => check(text) === parses(text)),
      { numRuns: 20_000, seed: 424242 },
    );
  });

  it.each([
    ['{"choices":[],"usage":{"prompt_tokens":1}}', JSON_VALID | JSON_USAGE],
    ['{"choices":[{"delta":{"content":"x"}}], "usage" : null}', JSON_VALID],
    ['{"choices":[{"usage":{"a":1}}]}', JSON_VALID],
    ['{"x":"\\"usage\\":1"}', JSON_VALID],
    ['{"usage":0}', JSON_VALID | JSON_USAGE],
    ['{"usagex":{}}', JSON_VALID],
    ['{"error":{"message":"boom"}}', JSON_VALID | JSON_ERROR],
    ['{"error":null,"usage":{}}', JSON_VALID | JSON_USAGE],
    ['{"choices":[{"error":{}}]}', JSON_VALID],
  ])('notes a non-null top-level usage or error in %s', (text, expected) => {
    const b = Buffer.from(text);
    expect(checkJson(b, 0, b.length)).toBe(expected);
  });

  it('handles nesting deeper than its own stack through JSON.parse', () => {
    expect(check(`${'['.repeat(300)}${']'.repeat(300)}`)).toBe(true);
    expect(check(`${'['.repeat(300)}${']'.repeat(299)}`)).toBe(false);
  });
});
