import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { decodeJsonBody } from './json-body';
import { MAX_TOKENS_CAP } from './request-checks';
import type { ParsedRequest } from './request-body';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(param: string, message: string): never {
  throw new RelayException(RelayErrorCode.InvalidRequest, `${param}: ${message}`, param);
}

/** Content block types of Anthropic's Messages API a request may carry (https://docs.anthropic.com/en/api/messages). */
const BLOCK_TYPES = new Set([
  'text',
  'image',
  'document',
  'search_result',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'code_execution_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
]);

function checkBlocks(content: unknown, param: string): void {
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) bad(param, 'must be a string or a list of content blocks');
  content.forEach((b, j) => {
    if (!isObject(b) || typeof b.type !== 'string') bad(`${param}.${j}`, 'must be a content block with a type');
    if (!BLOCK_TYPES.has(b.type)) bad(`${param}.${j}.type`, `unknown content block type ${JSON.stringify(b.type)}`);
    if (b.type === 'text' && typeof b.text !== 'string') bad(`${param}.${j}.text`, 'must be a string');
  });
}

/**
 * The structure of a Messages request, checked before any quota or upstream work (400 naming the
 * field, Anthropic's way: `messages.1.role: ...`). Unknown fields and blocks' own fields are left
 * to the upstream, which knows its API version; `max_tokens` is required except for count_tokens.
 */
export function parseMessagesRequest(mode: 'messages' | 'messages.count_tokens', body: Buffer | undefined, contentType: string): ParsedRequest {
  const { text, json } = decodeJsonBody(body, contentType);
  if (typeof json.model !== 'string' || json.model === '') bad('model', 'Field required (a non-empty string)');
  const maxTokens = json.max_tokens;
  if (mode === 'messages' && maxTokens === undefined) bad('max_tokens', 'Field required');
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1 || (maxTokens as number) > MAX_TOKENS_CAP)) {
    bad('max_tokens', `must be an integer between 1 and ${MAX_TOKENS_CAP}`);
  }
  if (!Array.isArray(json.messages)) bad('messages', 'Field required (a list of messages)');
  if (json.messages.length === 0) bad('messages', 'at least one message is required');
  json.messages.forEach((m, i) => {
    if (!isObject(m)) bad(`messages.${i}`, 'must be an object');
    if (m.role !== 'user' && m.role !== 'assistant') bad(`messages.${i}.role`, `must be 'user' or 'assistant'`);
    checkBlocks(m.content, `messages.${i}.content`);
  });
  if (json.system !== undefined) checkBlocks(json.system, 'system');
  if (json.stream !== undefined && typeof json.stream !== 'boolean') bad('stream', 'must be a boolean');
  if (json.tools !== undefined && !Array.isArray(json.tools)) bad('tools', 'must be a list');
  if (json.stop_sequences !== undefined && (!Array.isArray(json.stop_sequences) || json.stop_sequences.some((s) => typeof s !== 'string'))) {
    bad('stop_sequences', 'must be a list of strings');
  }
  for (const k of ['temperature', 'top_p', 'top_k'] as const) if (json[k] !== undefined && typeof json[k] !== 'number') bad(k, 'must be a number');
  const stream = mode === 'messages' && json.stream === true;
  return { mode, json, text, model: json.model, stream, maxTokens: typeof maxTokens === 'number' ? maxTokens : null, includeUsage: false, multipart: false };
}
