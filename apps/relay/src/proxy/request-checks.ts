/**
 * Structural checks of each endpoint's request body, following OpenAI's documented request
 * shapes: every field the relay or the token counter reads is checked for its type, with a
 * message and `param` naming the field's path (`messages[2].tool_calls[0].function.arguments`).
 * Unknown fields are not checked and reach the upstream untouched (clients rely on provider
 * extensions). `null` counts as absent for optional fields, as in OpenAI's API.
 */
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

type Json = Record<string, unknown>;

/** Beyond this, `max_tokens` is a mistake rather than a request (no model generates 1M tokens). */
export const MAX_TOKENS_CAP = 1_000_000;

function fail(param: string, expected: string): never {
  throw new RelayException(RelayErrorCode.InvalidRequest, `${param} must be ${expected}`, param);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

// Each helper checks `parent[key]` and names it `${at}${key}` only when it fails.

function optString(parent: Json, key: string, at = ''): void {
  const v = parent[key];
  if (v !== undefined && v !== null && typeof v !== 'string') fail(at + key, 'a string');
}

function optNumber(parent: Json, key: string, at = ''): void {
  const v = parent[key];
  if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) fail(at + key, 'a number');
}

function optBoolean(parent: Json, key: string, at = ''): void {
  const v = parent[key];
  if (v !== undefined && v !== null && typeof v !== 'boolean') fail(at + key, 'a boolean');
}

function optObject(parent: Json, key: string, at = ''): void {
  const v = parent[key];
  if (v !== undefined && v !== null && !isObject(v)) fail(at + key, 'an object');
}

function optStringOrObject(parent: Json, key: string): void {
  const v = parent[key];
  if (v !== undefined && v !== null && typeof v !== 'string' && !isObject(v)) fail(key, 'a string or an object');
}

function optIntegerIn(parent: Json, key: string, min: number, max: number): void {
  const v = parent[key];
  if (v === undefined || v === null) return;
  if (!isInteger(v) || v < min) fail(key, min === 0 ? 'a non-negative integer' : `an integer between ${min} and ${max}`);
  if (v > max) fail(key, min === 0 ? `at most ${max}` : `an integer between ${min} and ${max}`);
}

function requiredString(parent: Json, key: string, at = ''): void {
  if (typeof parent[key] !== 'string') fail(at + key, 'a string');
}

function requiredNonEmptyString(parent: Json, key: string): void {
  const v = parent[key];
  if (typeof v !== 'string' || v === '') fail(key, 'a non-empty string');
}

// ------------------------------------------------------------------ shared by the JSON endpoints

/**
 * Fields every JSON endpoint may carry and the relay reads: `stream`, `stream_options`, `n`,
 * `max_tokens` and `max_completion_tokens`.
 */
function checkCommon(json: Json): void {
  optBoolean(json, 'stream');
  const so = json.stream_options;
  if (so !== undefined && so !== null) {
    if (!isObject(so)) fail('stream_options', 'an object');
    optBoolean(so, 'include_usage', 'stream_options.');
  }
  optIntegerIn(json, 'n', 1, 128);
  optIntegerIn(json, 'max_tokens', 0, MAX_TOKENS_CAP);
  optIntegerIn(json, 'max_completion_tokens', 0, MAX_TOKENS_CAP);
}

/** Sampling fields of the text endpoints. */
function checkSampling(json: Json): void {
  optNumber(json, 'temperature');
  optNumber(json, 'top_p');
  const stop = json.stop;
  if (stop !== undefined && stop !== null && typeof stop !== 'string') {
    if (!Array.isArray(stop)) fail('stop', 'a string or an array of strings');
    for (let i = 0; i < stop.length; i++) if (typeof stop[i] !== 'string') fail(`stop[${i}]`, 'a string');
  }
  optObject(json, 'logit_bias');
}

/** Token ids: non-negative integers. */
function isTokenIds(v: unknown[]): boolean {
  for (let i = 0; i < v.length; i++) {
    const t = v[i];
    if (!isInteger(t) || t < 0) return false;
  }
  return true;
}

/**
 * `prompt` / `input`: a string, an array of strings, an array of token ids or an array of such
 * arrays. Moderations also take multimodal parts (`{type: "text" | "image_url", ...}`).
 */
function checkTextInput(json: Json, key: 'prompt' | 'input', required: boolean, parts = false): void {
  const v = json[key];
  if (v === undefined || v === null) {
    if (required) fail(key, 'a string or an array');
    return;
  }
  if (typeof v === 'string') return;
  if (!Array.isArray(v)) fail(key, 'a string, an array of strings, an array of token ids or an array of token id arrays');
  for (let i = 0; i < v.length; i++) {
    const item = v[i];
    if (typeof item === 'string') continue;
    if (isInteger(item) && item >= 0) continue;
    if (Array.isArray(item) && isTokenIds(item)) continue;
    if (parts && isObject(item) && typeof item.type === 'string') {
      checkPart(item, `${key}[${i}].`);
      continue;
    }
    fail(`${key}[${i}]`, parts ? 'a string, a token id, an array of token ids or a content part' : 'a string, a token id or an array of token ids');
  }
}

// ------------------------------------------------------------------ chat

/** A content part: `{type, ...}` with the fields its type requires (unknown types pass). */
function checkPart(part: Json, at: string): void {
  const type = part.type;
  if (typeof type !== 'string') fail(`${at}type`, 'a string');
  switch (type) {
    case 'text':
      requiredString(part, 'text', at);
      break;
    case 'image_url': {
      const ref = part.image_url;
      if (typeof ref === 'string') break;
      if (!isObject(ref)) fail(`${at}image_url`, 'a string or an object with a url');
      requiredString(ref, 'url', `${at}image_url.`);
      optString(ref, 'detail', `${at}image_url.`);
      break;
    }
    case 'input_audio':
    case 'file':
      if (!isObject(part[type])) fail(at + type, 'an object');
      break;
  }
}

/** `{name, arguments}` of a tool call or a legacy function call; both strings. */
function checkFunctionCall(call: unknown, at: string): void {
  if (!isObject(call)) fail(at.slice(0, -1), 'an object with name and arguments');
  requiredString(call, 'name', at);
  requiredString(call, 'arguments', at);
}

function checkMessage(m: unknown, i: number): void {
  if (!isObject(m)) fail(`messages[${i}]`, 'an object');
  const role = m.role;
  if (typeof role !== 'string' || role === '') fail(`messages[${i}].role`, 'a non-empty string');
  const content = m.content;
  if (content !== undefined && content !== null && typeof content !== 'string') {
    if (!Array.isArray(content)) fail(`messages[${i}].content`, 'a string, null or an array of content parts');
    for (let j = 0; j < content.length; j++) {
      const part = content[j];
      if (!isObject(part)) fail(`messages[${i}].content[${j}]`, 'an object');
      checkPart(part, `messages[${i}].content[${j}].`);
    }
  }
  if (m.name !== undefined) optString(m, 'name', `messages[${i}].`);
  if (m.tool_call_id !== undefined) optString(m, 'tool_call_id', `messages[${i}].`);
  const calls = m.tool_calls;
  if (calls !== undefined && calls !== null) {
    if (!Array.isArray(calls)) fail(`messages[${i}].tool_calls`, 'an array');
    for (let j = 0; j < calls.length; j++) {
      const call = calls[j];
      if (!isObject(call)) fail(`messages[${i}].tool_calls[${j}]`, 'an object');
      optString(call, 'id', `messages[${i}].tool_calls[${j}].`);
      optString(call, 'type', `messages[${i}].tool_calls[${j}].`);
      // Other tool types (e.g. `custom`) carry their own field instead of `function`.
      if (call.type === undefined || call.type === null || call.type === 'function') {
        checkFunctionCall(call.function, `messages[${i}].tool_calls[${j}].function.`);
      }
    }
  }
  if (m.function_call !== undefined && m.function_call !== null) checkFunctionCall(m.function_call, `messages[${i}].function_call.`);
}

/** `{name, description?, parameters?}` of a tool's function or a legacy `functions` entry. */
function checkFunctionDefinition(fn: unknown, at: string): void {
  if (!isObject(fn)) fail(at.slice(0, -1), 'an object with a name');
  requiredString(fn, 'name', at);
  optString(fn, 'description', at);
  optObject(fn, 'parameters', at);
}

function checkDefinitions(json: Json, key: 'tools' | 'functions'): void {
  const list = json[key];
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) fail(key, 'an array');
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (key === 'functions') {
      checkFunctionDefinition(item, `functions[${i}].`);
      continue;
    }
    if (!isObject(item)) fail(`tools[${i}]`, 'an object');
    requiredString(item, 'type', `tools[${i}].`);
    if (item.type === 'function') checkFunctionDefinition(item.function, `tools[${i}].function.`);
  }
}

/** POST /v1/chat/completions */
export function checkChatBody(json: Json): void {
  checkCommon(json);
  checkSampling(json);
  const messages = json.messages;
  if (!Array.isArray(messages) || messages.length === 0) fail('messages', 'a non-empty array');
  for (let i = 0; i < messages.length; i++) checkMessage(messages[i], i);
  checkDefinitions(json, 'tools');
  checkDefinitions(json, 'functions');
  optStringOrObject(json, 'tool_choice');
  optStringOrObject(json, 'function_call');
}

// ------------------------------------------------------------------ other endpoints

/** POST /v1/completions */
export function checkCompletionsBody(json: Json): void {
  checkCommon(json);
  checkSampling(json);
  checkTextInput(json, 'prompt', false);
}

/** POST /v1/embeddings (also /v1/engines/:model/embeddings) */
export function checkEmbeddingsBody(json: Json): void {
  checkCommon(json);
  checkTextInput(json, 'input', true);
  optString(json, 'encoding_format');
  optIntegerIn(json, 'dimensions', 1, 1_000_000);
}

/** POST /v1/moderations */
export function checkModerationsBody(json: Json): void {
  checkCommon(json);
  checkTextInput(json, 'input', true, true);
}

/** POST /v1/images/generations */
export function checkImagesBody(json: Json): void {
  checkCommon(json);
  requiredNonEmptyString(json, 'prompt');
  optString(json, 'size');
  optString(json, 'quality');
  optString(json, 'response_format');
  optString(json, 'style');
}

/** POST /v1/audio/speech */
export function checkSpeechBody(json: Json): void {
  checkCommon(json);
  requiredNonEmptyString(json, 'input');
  const voice = json.voice;
  // A built-in voice's name, or a custom voice as `{id}`.
  if (voice !== undefined && voice !== null && typeof voice !== 'string') {
    if (!isObject(voice)) fail('voice', 'a string or an object with an id');
    requiredString(voice, 'id', 'voice.');
  }
  optString(json, 'response_format');
  optString(json, 'instructions');
  optNumber(json, 'speed');
  const format = json.stream_format;
  if (format !== undefined && format !== null && format !== 'audio' && format !== 'sse') fail('stream_format', '"audio" or "sse"');
}

/** POST /v1/edits */
export function checkEditsBody(json: Json): void {
  checkCommon(json);
  requiredString(json, 'instruction');
  optString(json, 'input');
  optNumber(json, 'temperature');
  optNumber(json, 'top_p');
}

/** The text fields of POST /v1/audio/transcriptions and /translations (multipart: all strings). */
export function checkAudioFields(fields: Record<string, string>): void {
  const t = fields.temperature;
  if (t !== undefined && t.trim() !== '' && !Number.isFinite(Number(t))) fail('temperature', 'a number');
}
