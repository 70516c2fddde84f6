import { UnsupportedParameterError } from '../errors';

/**
 * JSON Schema (as OpenAI tools and `json_schema` response formats carry it) → Gemini's `Schema`,
 * an OpenAPI 3.0 subset (https://ai.google.dev/api/caching#Schema). Keyword by keyword:
 * - kept: type, format (the ones Gemini knows), description, nullable, enum (strings), properties,
 *   required, items, minItems, maxItems, minProperties, maxProperties, minLength, maxLength,
 *   pattern, minimum, maximum, anyOf, default, example, propertyOrdering;
 * - `const: "v"` → `enum: ["v"]`; `type: ["string", "null"]` → `type: "string"` + `nullable`;
 *   several non-null types → `anyOf` of one schema per type; `oneOf` → `anyOf`; a one-element
 *   `allOf` is merged in;
 * - `$ref` into `$defs`/`definitions` → the definition inlined (a recursive one is refused);
 * - annotations with no effect on the output ($schema, $id, $comment, title, examples,
 *   additionalProperties, strict, deprecated, readOnly, writeOnly) are dropped; a `format` Gemini
 *   does not know moves into the description;
 * - anything else (not, if/then/else, patternProperties, multipleOf, exclusive bounds, a non-string
 *   const or enum, a multi-element allOf...) cannot be expressed: `UnsupportedParameterError`
 *   naming the keyword's path, so the client learns it instead of a schema silently loosened.
 */

const KEPT = new Set(['type', 'description', 'nullable', 'required', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'default', 'example', 'propertyOrdering']);
const DROPPED = new Set(['$schema', '$id', '$comment', 'title', 'examples', 'additionalProperties', 'strict', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions']);
/** Formats Gemini accepts, by type. */
const FORMATS: Readonly<Record<string, readonly string[]>> = { string: ['enum', 'date-time'], integer: ['int32', 'int64'], number: ['float', 'double'] };
const MAX_REF_DEPTH = 32;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Converter {
  constructor(
    private readonly root: Json,
    private readonly param: string,
  ) {}

  fail(path: string, what: string): never {
    const at = `${this.param}${path}`;
    throw new UnsupportedParameterError(at, `${at}: ${what} cannot be expressed in a Gemini schema`);
  }

  resolve(ref: string, path: string): Json {
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const defs = m ? this.root[m[1]] : undefined;
    const name = m ? m[2].replace(/~1/g, '/').replace(/~0/g, '~') : '';
    const target = isObject(defs) ? defs[name] : undefined;
    if (!isObject(target)) this.fail(path, `$ref "${ref}" (only local #/$defs/... references are inlined)`);
    return target;
  }

  schema(input: unknown, path: string, refs: readonly string[] = []): Json {
    if (input === true || (isObject(input) && Object.keys(input).length === 0)) return {};
    if (!isObject(input)) return this.fail(path, 'a schema that is not an object');
    let s = input;
    if (typeof s.$ref === 'string') {
      if (refs.includes(s.$ref) || refs.length >= MAX_REF_DEPTH) this.fail(`${path}.$ref`, `the recursive $ref "${s.$ref}"`);
      const { $ref, ...rest } = s;
      return this.schema({ ...this.resolve($ref as string, `${path}.$ref`), ...rest }, path, [...refs, $ref as string]);
    }
    if (Array.isArray(s.allOf)) {
      if (s.allOf.length !== 1 || !isObject(s.allOf[0])) this.fail(`${path}.allOf`, 'allOf with more than one schema');
      const { allOf, ...rest } = s;
      s = { ...(allOf as Json[])[0], ...rest };
      return this.schema(s, path, refs);
    }
    if (Array.isArray(s.type) && s.type.filter((t) => t !== 'null').length > 1) {
      // Several types: one branch per type, each with the keywords that apply to it.
      const { type, description, ...rest } = s;
      const types = (type as unknown[]).filter((t) => t !== 'null');
      const branches = types.map((t, i) => (typeof t === 'string' ? this.schema({ ...rest, type: t }, path, refs) : this.fail(`${path}.type[${i}]`, 'a type that is not a name')));
      return { anyOf: branches, ...(types.length < (type as unknown[]).length ? { nullable: true } : {}), ...(typeof description === 'string' ? { description } : {}) };
    }
    const out: Json = {};
    for (const [key, value] of Object.entries(s)) {
      const at = `${path}.${key}`;
      if (DROPPED.has(key)) continue;
      switch (key) {
        case 'type':
          Object.assign(out, this.type(value, at));
          break;
        case 'properties': {
          if (!isObject(value)) this.fail(at, 'properties that are not an object');
          out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, this.schema(sub, `${at}.${name}`, refs)]));
          break;
        }
        case 'items':
          if (Array.isArray(value)) this.fail(at, 'tuple items');
          out.items = this.schema(value, at, refs);
          break;
        case 'anyOf':
        case 'oneOf': {
          if (!Array.isArray(value)) this.fail(at, `${key} that is not a list`);
          const branches = value.filter((b) => !(isObject(b) && b.type === 'null'));
          if (branches.length < value.length) out.nullable = true;
          const converted = branches.map((b, i) => this.schema(b, `${at}[${i}]`, refs));
          if (converted.length === 1) Object.assign(out, converted[0]);
          else out.anyOf = converted;
          break;
        }
        case 'const':
          if (typeof value !== 'string') this.fail(at, 'a const that is not a string');
          out.type = 'string';
          out.enum = [value];
          break;
        case 'enum':
          if (!Array.isArray(value)) this.fail(at, 'an enum that is not a list');
          if (value.some((v) => v === null)) out.nullable = true;
          if (value.some((v) => v !== null && typeof v !== 'string')) this.fail(at, 'an enum of values other than strings');
          out.enum = value.filter((v) => v !== null);
          break;
        case 'format':
          break;
        default:
          if (KEPT.has(key)) out[key] = value;
          else this.fail(at, `the keyword "${key}"`);
      }
    }
    if (typeof s.format === 'string') {
      const type = typeof out.type === 'string' ? out.type.toLowerCase() : '';
      if ((FORMATS[type] ?? []).includes(s.format)) out.format = s.format;
      else out.description = `${typeof out.description === 'string' && out.description !== '' ? `${out.description} ` : ''}(format: ${s.format})`;
    }
    if (out.enum && out.type === undefined) out.type = 'string';
    return out;
  }

  /** One `type` as Gemini takes it: its name, `nullable` for "null" (several types are handled by the caller). */
  private type(value: unknown, at: string): Json {
    if (typeof value === 'string') return value === 'null' ? { nullable: true } : { type: value };
    if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) return this.fail(at, 'a type that is not a name or a list of names');
    const types = (value as string[]).filter((t) => t !== 'null');
    return { ...(types.length === 1 ? { type: types[0] } : {}), ...(types.length < value.length ? { nullable: true } : {}) };
  }
}

/**
 * A JSON schema in Gemini's subset (see the module comment). `param` names where the schema sits
 * in the OpenAI request (`tools[0].function.parameters`, `response_format.json_schema.schema`)
 * for the 400's `param`. Throws `UnsupportedParameterError`.
 */
export function toGeminiSchema(schema: unknown, param: string): Record<string, unknown> {
  if (!isObject(schema)) throw new UnsupportedParameterError(param, `${param}: a schema must be a JSON object`);
  return new Converter(schema, param).schema(schema, '');
}
