/** Chat messages with the channel's system prompt applied, and whether it was applied. */
export interface SystemPromptResult {
  messages: unknown[];
  /** One API's `system_prompt_reset` log flag: the channel's prompt was put in (replacing or prepended). */
  reset: boolean;
}

function isSystem(m: unknown): boolean {
  return typeof m === 'object' && m !== null && (m as { role?: unknown }).role === 'system';
}

/**
 * One API's `setSystemPrompt` (relay/controller/helper.go): with a channel system prompt and at
 * least one message, a first `system` message gets the channel's prompt as its content (the
 * client's is dropped), otherwise a system message is put first. Either way the request is
 * flagged `reset`. Pure: `messages` is not modified.
 */
export function applyChannelSystemPrompt(messages: readonly unknown[], prompt: string): SystemPromptResult {
  if (prompt === '' || messages.length === 0) return { messages: [...messages], reset: false };
  if (isSystem(messages[0])) return { messages: [{ ...(messages[0] as Record<string, unknown>), content: prompt }, ...messages.slice(1)], reset: true };
  return { messages: [{ role: 'system', content: prompt }, ...messages], reset: true };
}

/**
 * The same rule in the shape of the client protocols the relay passes through natively: a
 * Messages body's `system` (Anthropic) and a Responses body's `instructions` (OpenAI) are their
 * system message, so with a channel prompt and a non-empty conversation the field is set to the
 * prompt (the client's dropped) and the request flagged `reset`. Other modes and bodies: undefined.
 */
export function applyChannelSystemPromptTo(mode: string, body: Readonly<Record<string, unknown>>, prompt: string): { body: Record<string, unknown>; reset: boolean } | undefined {
  if (prompt === '') return undefined;
  if (mode === 'messages' && Array.isArray(body.messages) && body.messages.length > 0) return { body: { ...body, system: prompt }, reset: true };
  const input = body.input;
  const hasInput = (typeof input === 'string' && input !== '') || (Array.isArray(input) && input.length > 0);
  if (mode === 'responses' && hasInput) return { body: { ...body, instructions: prompt }, reset: true };
  return undefined;
}
