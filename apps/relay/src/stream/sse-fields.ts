/** The fields of one SSE event that the stream engine acts on. */
export interface SseFields {
  /** `event:` value, undefined when absent. */
  event: string | undefined;
  /** `data:` values joined with `\n` (the SSE rule), undefined when the event has no data line. */
  data: string | undefined;
}

/**
 * Parses the field lines of one event (its text without the blank line), per the SSE spec:
 * `name: value` with one optional space after the colon, `name` alone meaning an empty value,
 * lines starting with `:` being comments. `id` and `retry` are of no use to the relay.
 */
export function parseSseFields(text: string): SseFields {
  const s = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  let event: string | undefined;
  let data: string | undefined;
  let from = 0;
  while (from <= s.length) {
    let to = s.indexOf('\n', from);
    if (to === -1) to = s.length;
    if (to > from && s.charCodeAt(from) !== 0x3a) {
      const colon = s.indexOf(':', from);
      let name: string;
      let value: string;
      if (colon === -1 || colon > to) {
        name = s.slice(from, to);
        value = '';
      } else {
        name = s.slice(from, colon);
        value = s.slice(s.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1, to);
      }
      if (name === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else if (name === 'event') event = value;
    }
    from = to + 1;
  }
  return { event, data };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null;
}

/**
 * The generated text of one OpenAI chat or completions chunk (or whole response): content,
 * legacy `text`, tool-call and function-call names and arguments. Used to count completion
 * tokens locally when the upstream reports no usage.
 */
export function chunkText(chunk: unknown): string {
  if (!isObject(chunk)) return '';
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const choice of choices) {
    if (!isObject(choice)) continue;
    if (typeof choice.text === 'string') text += choice.text;
    const part = choice.delta ?? choice.message;
    if (!isObject(part)) continue;
    if (typeof part.content === 'string') text += part.content;
    const calls = part.tool_calls;
    if (Array.isArray(calls)) {
      for (const call of calls) {
        const fn = isObject(call) ? call.function : undefined;
        if (!isObject(fn)) continue;
        if (typeof fn.name === 'string') text += fn.name;
        if (typeof fn.arguments === 'string') text += fn.arguments;
      }
    }
    const legacy = part.function_call;
    if (isObject(legacy)) {
      if (typeof legacy.name === 'string') text += legacy.name;
      if (typeof legacy.arguments === 'string') text += legacy.arguments;
    }
  }
  return text;
}

/** OpenAI's usage-only stream chunk: `{"choices": [], "usage": {...}}`. */
export function isUsageOnlyChunk(chunk: unknown): boolean {
  return isObject(chunk) && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage);
}
