import { UnsupportedParameterError } from '../errors';
import { toGeminiSchema } from './gemini-schema';

const P = 'tools[0].function.parameters';
const convert = (schema: unknown) => toGeminiSchema(schema, P);
function refusal(schema: unknown): UnsupportedParameterError {
  try {
    convert(schema);
  } catch (error) {
    if (error instanceof UnsupportedParameterError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('toGeminiSchema: JSON Schema → Gemini Schema, keyword by keyword', () => {
  it.each([
    ['type', { type: 'string' }, { type: 'string' }],
    ['description', { type: 'string', description: 'a name' }, { type: 'string', description: 'a name' }],
    ['enum (strings)', { type: 'string', enum: ['a', 'b'] }, { type: 'string', enum: ['a', 'b'] }],
    ['required', { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }],
    ['items', { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 3 }, { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 3 }],
    ['string bounds and pattern', { type: 'string', minLength: 1, maxLength: 9, pattern: '^a' }, { type: 'string', minLength: 1, maxLength: 9, pattern: '^a' }],
    ['minimum and maximum', { type: 'number', minimum: 0, maximum: 1 }, { type: 'number', minimum: 0, maximum: 1 }],
    ['default and example', { type: 'integer', default: 3, example: 4 }, { type: 'integer', default: 3, example: 4 }],
    ['nullable', { type: 'string', nullable: true }, { type: 'string', nullable: true }],
    ['min/maxProperties', { type: 'object', properties: { a: { type: 'string' } }, minProperties: 1, maxProperties: 2 }, { type: 'object', properties: { a: { type: 'string' } }, minProperties: 1, maxProperties: 2 }],
  ])('keeps %s', (_k, input, output) => {
    expect(convert(input)).toEqual(output);
  });

  it('const "v" → enum ["v"] of type string', () => {
    expect(convert({ const: 'fixed' })).toEqual({ type: 'string', enum: ['fixed'] });
  });

  it('type ["string", "null"] → type string, nullable', () => {
    expect(convert({ type: ['string', 'null'] })).toEqual({ type: 'string', nullable: true });
  });

  it('type ["string", "integer"] → anyOf one branch per type', () => {
    expect(convert({ type: ['string', 'integer'], description: 'id' })).toEqual({ anyOf: [{ type: 'string' }, { type: 'integer' }], description: 'id' });
  });

  it('anyOf is kept; a null branch becomes nullable', () => {
    expect(convert({ anyOf: [{ type: 'string' }, { type: 'integer' }] })).toEqual({ anyOf: [{ type: 'string' }, { type: 'integer' }] });
    expect(convert({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toEqual({ type: 'string', nullable: true });
  });

  it('oneOf → anyOf', () => {
    expect(convert({ oneOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }] });
  });

  it('enum with null → nullable', () => {
    expect(convert({ type: 'string', enum: ['a', null] })).toEqual({ type: 'string', enum: ['a'], nullable: true });
  });

  it('$ref into $defs / definitions is inlined ($defs dropped)', () => {
    const schema = {
      type: 'object',
      properties: { home: { $ref: '#/$defs/Address' }, work: { $ref: '#/definitions/Address', description: 'office' } },
      $defs: { Address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      definitions: { Address: { type: 'object', properties: { city: { type: 'string' } } } },
    };
    expect(convert(schema)).toEqual({
      type: 'object',
      properties: {
        home: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        work: { type: 'object', properties: { city: { type: 'string' } }, description: 'office' },
      },
    });
  });

  it('a recursive $ref is refused naming its path', () => {
    const e = refusal({ type: 'object', properties: { node: { $ref: '#/$defs/Node' } }, $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } } });
    expect(e.param).toBe(`${P}.properties.node.properties.next.$ref`);
  });

  it('a one-element allOf is merged in; more are refused', () => {
    expect(convert({ allOf: [{ type: 'string' }], description: 'x' })).toEqual({ type: 'string', description: 'x' });
    expect(refusal({ allOf: [{ type: 'string' }, { minLength: 1 }] }).param).toBe(`${P}.allOf`);
  });

  it.each(['additionalProperties', '$schema', '$id', 'strict', 'title', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly'])('drops %s', (key) => {
    expect(convert({ type: 'object', properties: { a: { type: 'string', [key]: key === 'examples' ? ['x'] : false } }, [key]: false })).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('keeps formats Gemini knows; moves other formats into the description', () => {
    expect(convert({ type: 'string', format: 'date-time' })).toEqual({ type: 'string', format: 'date-time' });
    expect(convert({ type: 'integer', format: 'int64' })).toEqual({ type: 'integer', format: 'int64' });
    expect(convert({ type: 'string', format: 'email', description: 'contact' })).toEqual({ type: 'string', description: 'contact (format: email)' });
  });

  it('property names that look like keywords are names, not keywords', () => {
    expect(convert({ type: 'object', properties: { type: { type: 'string' }, const: { type: 'integer' } } })).toEqual({ type: 'object', properties: { type: { type: 'string' }, const: { type: 'integer' } } });
  });

  it.each([
    [{ not: { type: 'string' } }, '.not'],
    [{ type: 'number', multipleOf: 2 }, '.multipleOf'],
    [{ type: 'number', exclusiveMinimum: 0 }, '.exclusiveMinimum'],
    [{ type: 'object', patternProperties: { '^a': { type: 'string' } } }, '.patternProperties'],
    [{ if: { type: 'string' } }, '.if'],
    [{ const: 3 }, '.const'],
    [{ type: 'integer', enum: [1, 2] }, '.enum'],
    [{ type: 'array', items: [{ type: 'string' }] }, '.items'],
    [{ type: 'object', properties: { a: { uniqueItems: true, type: 'array' } } }, '.properties.a.uniqueItems'],
  ])('refuses %j naming %s', (schema, path) => {
    const e = refusal(schema);
    expect(e.param).toBe(`${P}${path}`);
    expect(e.message).toContain('Gemini');
  });
});
