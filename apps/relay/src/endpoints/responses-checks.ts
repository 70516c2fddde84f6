/**
 * Structural check of a `POST /v1/responses` body (https://platform.openai.com/docs/api-reference/responses/create):
 * the fields the relay reads or converts, typed; unknown fields pass to the upstream (OpenAI
 * itself refuses them there). Messages follow request-checks.ts: "<param> must be …".
 */
import { z } from 'zod';
import { check, MAX_TOKENS_CAP } from './request-checks';

const string = z.string({ error: 'a string' });
const number = z.number({ error: 'a number' });
const boolean = z.boolean({ error: 'a boolean' });
const object = z.looseObject({}, { error: 'an object' });
const typed = z.looseObject({ type: string }, { error: 'an object with a string type' });

/** A message's content: text, or parts each with a type (`input_text`, `input_image`, `input_file`, `output_text`...). */
const content = z.union([string, z.array(typed, { error: 'an array' })], { error: 'a string or an array of content parts' });

/** One input item: a message (`type` optional), or a typed item with the fields its type requires. */
const inputItem = z.union(
  [
    z.looseObject({ type: z.literal('message').optional(), role: z.enum(['user', 'assistant', 'system', 'developer'], { error: 'one of user, assistant, system, developer' }), content }),
    z.looseObject({ type: z.literal('function_call'), call_id: string, name: string, arguments: string }),
    z.looseObject({ type: z.literal('function_call_output'), call_id: string, output: z.union([string, z.array(typed)], { error: 'a string or an array' }) }),
    z.looseObject({ type: string.refine((t) => t !== 'message' && t !== 'function_call' && t !== 'function_call_output', { abort: true, error: 'another type' }) }),
  ],
  { error: 'an input item (a message or an object with a type)' },
);

const responsesBody = z.looseObject({
  input: z.union([string, z.array(inputItem, { error: 'an array' })], { error: 'a string or an array of input items' }).nullish(),
  instructions: string.nullish(),
  stream: boolean.nullish(),
  store: boolean.nullish(),
  background: boolean.nullish(),
  max_output_tokens: z.int({ error: 'a non-negative integer' }).min(0, { error: 'a non-negative integer' }).max(MAX_TOKENS_CAP, { error: `at most ${MAX_TOKENS_CAP}` }).nullish(),
  temperature: number.nullish(),
  top_p: number.nullish(),
  parallel_tool_calls: boolean.nullish(),
  previous_response_id: string.nullish(),
  tools: z.array(typed, { error: 'an array' }).nullish(),
  tool_choice: z.union([string, object], { error: 'a string or an object' }).nullish(),
  text: z.looseObject({ format: typed.nullish() }, { error: 'an object' }).nullish(),
  reasoning: z.looseObject({ effort: string.nullish() }, { error: 'an object' }).nullish(),
  metadata: object.nullish(),
});

/** POST /v1/responses */
export function checkResponsesBody(json: Record<string, unknown>): void {
  check(responsesBody, json);
}
