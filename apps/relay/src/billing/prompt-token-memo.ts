import { EXACT_BUDGET_CHARS, type ChatMessageLike } from '@oneapi/domain';

/** Counts whole messages with @oneapi/domain's One API formula (+3 reply priming included). */
export type CountMessages = (messages: readonly ChatMessageLike[]) => number;

/** The reply priming countMessagesTokens adds once per call. */
const REPLY_PRIMING = 3;

/**
 * A bounded memo of prompt tokens per chat message (model, role, name, content), so the
 * system prompt and the earlier turns a client resends with every request are BPE-counted once
 * (counting was ≈ 4-6 % of the relay's CPU per request).
 *
 * Exactness: @oneapi/domain counts a call exactly while its texts fit in EXACT_BUDGET_CHARS and
 * samples past that, so the memo is used only for calls whose texts all fit; then the sum of the
 * per-message counts is exactly the whole call's count. Anything else (tool calls, content parts,
 * long prompts) goes to the domain as a whole.
 *
 * Bounded: at most `maxChars` characters of keys are kept (oldest dropped first), and messages
 * longer than `maxMessageChars` are never stored.
 */
export class PromptTokenMemo {
  private readonly memo = new Map<string, number>();
  private chars = 0;

  constructor(
    private readonly maxChars = 1_000_000,
    private readonly maxMessageChars = 4096,
  ) {}

  /** Entries and key characters held (tests). */
  get size(): { entries: number; chars: number } {
    return { entries: this.memo.size, chars: this.chars };
  }

  messagesTokens(model: string, messages: unknown, count: CountMessages): number {
    if (!Array.isArray(messages)) return count(messages as readonly ChatMessageLike[]);
    let budget = 0;
    for (const m of messages as unknown[]) {
      if (!isPlain(m)) return count(messages as readonly ChatMessageLike[]);
      budget += textLength(m.role) + textLength(m.content) + textLength(m.name);
    }
    if (budget > EXACT_BUDGET_CHARS) return count(messages as readonly ChatMessageLike[]);
    let total = REPLY_PRIMING;
    for (const m of messages as ChatMessageLike[]) total += this.message(model, m, count);
    return total;
  }

  private message(model: string, m: ChatMessageLike, count: CountMessages): number {
    const role = typeof m.role === 'string' ? m.role : '';
    const content = typeof m.content === 'string' ? m.content : '';
    // A name of '' still costs the per-name token, an absent one does not: -1 marks absence.
    const name = typeof m.name === 'string' ? m.name : null;
    if (role.length + content.length + (name?.length ?? 0) > this.maxMessageChars) return count([m]) - REPLY_PRIMING;
    // Lengths make the key unambiguous whatever characters the fields hold.
    const key = `${model.length}:${model}${role.length}:${role}${name === null ? -1 : name.length}:${name ?? ''}${content}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const n = count([{ role, content, ...(name === null ? {} : { name }) }]) - REPLY_PRIMING;
    this.memo.set(key, n);
    this.chars += key.length;
    while (this.chars > this.maxChars) {
      const oldest = this.memo.keys().next().value as string;
      this.memo.delete(oldest);
      this.chars -= oldest.length;
    }
    return n;
  }
}

function textLength(v: unknown): number {
  return typeof v === 'string' ? v.length : 0;
}

/** role/content/name only (content a string or absent): what the memo can key exactly. */
function isPlain(m: unknown): m is ChatMessageLike {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as ChatMessageLike;
  if (msg.tool_calls != null || msg.function_call != null) return false;
  if (msg.content != null && typeof msg.content !== 'string') return false;
  if (msg.role != null && typeof msg.role !== 'string') return false;
  return msg.name == null || typeof msg.name === 'string';
}
