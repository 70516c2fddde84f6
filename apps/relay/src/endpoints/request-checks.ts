/**
 * Structural checks of each endpoint's request body, following OpenAI's documented request
 * shapes: every field the relay or the token counter reads is checked for its type, with a
 * message and `param` naming the field's path (`messages[2].tool_calls[0].function.arguments`).
 * Objects are loose: unknown fields are not checked and reach the upstream untouched (clients
 * rely on provider extensions). `null` counts as absent for optional fields, as in OpenAI's API.
 *
 * Each schema's `error` is the phrase that completes "<field> must be …".
 */
import { z } from 'zod';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

type Json = Record<string, unknown>;

/** Beyond this, `max_tokens` is a mistake rather than a request (no model generates 1M tokens). */
export const MAX_TOKENS_CAP = 1_000_000;

const string = z.string({ error: 'a string' });
const nonEmptyString = z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' });
const number = z.number({ error: 'a number' });
const boolean = z.boolean({ error: 'a boolean' });
const object = z.looseObject({}, { error: 'an object' });
const stringOrObject = z.union([string, object], { error: 'a string or an object' });

function integer(min: number, max: number) {
  const range = min === 0 ? 'a non-negative integer' : `an integer between ${min} and ${max}`;
  return z
    .int({ error: range })
    .min(min, { error: range })
    .max(max, { error: min === 0 ? `at most ${max}` : range });
}

/** Token ids: non-negative integers. */
const tokenId = z.int({ error: 'a token id (a non-negative integer)' }).min(0, { error: 'a token id (a non-negative integer)' });

// ------------------------------------------------------------------ shared by the JSON endpoints

/** Fields every JSON endpoint may carry and the relay reads. */
const common = {
  stream: boolean.nullish(),
  stream_options: z.looseObject({ include_usage: boolean.nullish() }, { error: 'an object' }).nullish(),
  n: integer(1, 128).nullish(),
  max_tokens: integer(0, MAX_TOKENS_CAP).nullish(),
  max_completion_tokens: integer(0, MAX_TOKENS_CAP).nullish(),
};

/** Sampling fields of the text endpoints. */
const sampling = {
  temperature: number.nullish(),
  top_p: number.nullish(),
  stop: z.union([string, z.array(string)], { error: 'a string or an array of strings' }).nullish(),
  logit_bias: object.nullish(),
};

// ------------------------------------------------------------------ chat

const KNOWN_PART_TYPES = new Set(['text', 'image_url', 'input_audio', 'file']);

/**
 * For the catch-all branch of a union ("any other type"): aborting, so that when a known type
 * fails its own branch, zod reports both branches and {@link deepest} can pick the telling one.
 */
const OTHER = { abort: true, error: 'another type' };

/** A content part: `{type, ...}` with the fields its type requires; other types pass as they are. */
const contentPart = z.union(
  [
    z.discriminatedUnion('type', [
      z.looseObject({ type: z.literal('text'), text: string }),
      z.looseObject({
        type: z.literal('image_url'),
        image_url: z.union([string, z.looseObject({ url: string, detail: string.nullish() })], { error: 'a string or an object with a url' }),
      }),
      z.looseObject({ type: z.literal('input_audio'), input_audio: object }),
      z.looseObject({ type: z.literal('file'), file: object }),
    ]),
    z.looseObject({ type: string.refine((t) => !KNOWN_PART_TYPES.has(t), OTHER) }),
  ],
  { error: 'an object with a string type' },
);

/** `{name, arguments}` of a tool call or a legacy function call; both strings. */
const functionCall = z.looseObject({ name: string, arguments: string }, { error: 'an object with name and arguments' });

const toolCall = z.union(
  [
    z.looseObject({ id: string.nullish(), type: z.literal('function', { error: 'a string' }).nullish(), function: functionCall }),
    // Other tool types (e.g. `custom`) carry their own field instead of `function`.
    z.looseObject({ id: string.nullish(), type: string.refine((t) => t !== 'function', OTHER) }),
  ],
  { error: 'an object' },
);

const message = z.looseObject(
  {
    role: nonEmptyString,
    content: z.union([string, z.array(contentPart)], { error: 'a string, null or an array of content parts' }).nullish(),
    name: string.nullish(),
    tool_call_id: string.nullish(),
    tool_calls: z.array(toolCall, { error: 'an array' }).nullish(),
    function_call: functionCall.nullish(),
  },
  { error: 'an object' },
);

/** `{name, description?, parameters?}` of a tool's function or a legacy `functions` entry. */
const functionDefinition = z.looseObject({ name: string, description: string.nullish(), parameters: object.nullish() }, { error: 'an object with a name' });

const tool = z.union(
  [
    z.looseObject({ type: z.literal('function', { error: 'a string' }), function: functionDefinition }),
    z.looseObject({ type: string.refine((t) => t !== 'function', OTHER) }),
  ],
  { error: 'an object' },
);

const chatBody = z.looseObject({
  ...common,
  ...sampling,
  messages: z.array(message, { error: 'a non-empty array' }).min(1, { error: 'a non-empty array' }),
  tools: z.array(tool, { error: 'an array' }).nullish(),
  functions: z.array(functionDefinition, { error: 'an array' }).nullish(),
  tool_choice: stringOrObject.nullish(),
  function_call: stringOrObject.nullish(),
});

// ------------------------------------------------------------------ other endpoints

/** `prompt` / `input`: a string, strings, token ids or arrays of token ids. */
const textInput = z.union(
  [string, z.array(z.union([string, tokenId, z.array(tokenId, { error: 'an array' })], { error: 'a string, a token id or an array of token ids' }))],
  { error: 'a string, an array of strings, an array of token ids or an array of token id arrays' },
);

/** Moderations also take multimodal parts (`{type: "text" | "image_url", ...}`). */
const moderationInput = z.union(
  [string, z.array(z.union([string, tokenId, z.array(tokenId), contentPart], { error: 'a string, a token id, an array of token ids or a content part' }))],
  { error: 'a string or an array' },
);

const completionsBody = z.looseObject({ ...common, ...sampling, prompt: textInput.nullish() });

const embeddingsBody = z.looseObject({
  ...common,
  input: textInput,
  encoding_format: string.nullish(),
  dimensions: integer(1, 1_000_000).nullish(),
});

const moderationsBody = z.looseObject({ ...common, input: moderationInput });

const imagesBody = z.looseObject({
  ...common,
  prompt: nonEmptyString,
  size: string.nullish(),
  quality: string.nullish(),
  response_format: string.nullish(),
  style: string.nullish(),
});

const speechBody = z.looseObject({
  ...common,
  input: nonEmptyString,
  // A built-in voice's name, or a custom voice as `{id}`.
  voice: z.union([string, z.looseObject({ id: string })], { error: 'a string or an object with an id' }).nullish(),
  response_format: string.nullish(),
  instructions: string.nullish(),
  speed: number.nullish(),
  stream_format: z.enum(['audio', 'sse'], { error: '"audio" or "sse"' }).nullish(),
});

const editsBody = z.looseObject({ ...common, instruction: string, input: string.nullish(), temperature: number.nullish(), top_p: number.nullish() });

/** Multipart fields are strings by construction; the numeric ones must read as numbers. */
const audioFields = z.looseObject({
  temperature: z
    .string()
    .refine((t) => t.trim() === '' || Number.isFinite(Number(t)), { error: 'a number' })
    .optional(),
});

// ------------------------------------------------------------------ running a check

type Issue = z.core.$ZodIssue;
interface Found {
  path: PropertyKey[];
  message: string;
  /** False for a refinement or an unmatched discriminator: another branch says it better. */
  telling: boolean;
}

/**
 * The issue to report: inside a union whose branches all failed, the branch issue that got
 * furthest into the value (a bad `url` inside an `image_url` object rather than "not a string"),
 * or the union's own message when every branch failed at the union itself. Paths of branch
 * issues are relative to the union.
 */
function deepest(issue: Issue): Found {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: Found | null = null;
    let bestScore = 0;
    // Each branch's first issue, as for the whole body: the first problem, not every one.
    for (const branch of issue.errors) {
      if (branch.length === 0) continue;
      const found = deepest(branch[0]);
      const score = found.path.length * 2 + (found.telling ? 1 : 0);
      if (found.path.length > 0 && score > bestScore) {
        best = found;
        bestScore = score;
      }
    }
    if (best) return { ...best, path: [...issue.path, ...best.path] };
  }
  const telling = issue.code !== 'custom' && !(issue.code === 'invalid_union' && issue.errors.length === 0);
  return { path: issue.path, message: issue.message, telling };
}

function pathText(path: PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

export function check(schema: z.ZodType, json: unknown): void {
  const result = schema.safeParse(json);
  if (result.success) return;
  const { path, message } = deepest(result.error.issues[0]);
  const param = pathText(path);
  // Every schema above carries its own phrase; zod's defaults ("Invalid input…") read badly after "must be".
  const text = message.startsWith('Invalid') ? `${param} is invalid` : `${param} must be ${message}`;
  throw new RelayException(RelayErrorCode.InvalidRequest, text, param);
}

/** POST /v1/chat/completions */
export function checkChatBody(json: Json): void {
  check(chatBody, json);
}

/** POST /v1/completions */
export function checkCompletionsBody(json: Json): void {
  check(completionsBody, json);
}

/** POST /v1/embeddings (also /v1/engines/:model/embeddings) */
export function checkEmbeddingsBody(json: Json): void {
  check(embeddingsBody, json);
}

/** POST /v1/moderations */
export function checkModerationsBody(json: Json): void {
  check(moderationsBody, json);
}

/** POST /v1/images/generations */
export function checkImagesBody(json: Json): void {
  check(imagesBody, json);
}

/** POST /v1/audio/speech */
export function checkSpeechBody(json: Json): void {
  check(speechBody, json);
}

/** POST /v1/edits */
export function checkEditsBody(json: Json): void {
  check(editsBody, json);
}

/** The text fields of POST /v1/audio/transcriptions and /translations (multipart: all strings). */
export function checkAudioFields(fields: Record<string, string>): void {
  check(audioFields, fields);
}
