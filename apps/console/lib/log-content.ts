/**
 * Log rows carry an English sentence written by the relay or the admin service (`content`). The
 * console reads the sentences it knows into a message key and values, so the log page shows them
 * in the reader's language with amounts through the money formatter (`$2.000000 quota` becomes
 * `$2.00`, or `¥14.60`, or `1,000,000`). Sentences it does not know are shown as written.
 */
import { formatUnits, formatUsd, type MoneyDisplay } from './money';

export interface LogSentence {
  /** Message key under `logs.content`. */
  key: string;
  values: Record<string, string>;
}

/** `$0.002000 quota` (currency mode) or `1000 quota` (raw units), as the services write amounts. */
const AMOUNT = String.raw`(\$-?[\d.]+|-?\d+)(?: quota)?`;

const SENTENCES: [RegExp, string, string[]][] = [
  [/^model ratio ([\d.e-]+), completion ratio ([\d.e-]+), group ratio ([\d.e-]+)(?: \(stream ended: (.+)\))?$/, 'consume', ['modelRatio', 'completionRatio', 'groupRatio', 'endReason']],
  [new RegExp(`^topped up ${AMOUNT} with a redemption code$`), 'redeemed', ['amount']],
  [new RegExp(`^new user bonus: ${AMOUNT}$`), 'newUserBonus', ['amount']],
  [new RegExp(`^invitation code bonus: ${AMOUNT}$`), 'inviteeBonus', ['amount']],
  [new RegExp(`^bonus for inviting a user: ${AMOUNT}$`), 'inviterBonus', ['amount']],
  [new RegExp(`^admin changed the user's quota from ${AMOUNT} to ${AMOUNT}$`), 'quotaChanged', ['from', 'to']],
];

/** An amount as written in a log sentence, in the console's display (dollars are re-rounded, units grouped). */
function amount(text: string, display: MoneyDisplay): string {
  if (text.startsWith('$')) return formatUsd(Number(text.slice(1)), display);
  return display.displayInCurrency ? formatUsd(Number(text) / display.quotaPerUnit, display) : formatUnits(Number(text));
}

/** The sentence's key and values, or null for a sentence the console does not know. */
export function parseLogContent(content: string, display: MoneyDisplay): LogSentence | null {
  const text = content.trim();
  for (const [pattern, key, names] of SENTENCES) {
    const match = pattern.exec(text);
    if (!match) continue;
    const values: Record<string, string> = {};
    names.forEach((name, i) => {
      const raw = match[i + 1] ?? '';
      values[name] = ['amount', 'from', 'to'].includes(name) ? amount(raw, display) : raw;
    });
    // The consume sentence has an optional tail: its own key, so no language needs ICU select for it.
    if (key === 'consume' && values['endReason']) return { key: 'consumeStreamEnded', values };
    return { key, values };
  }
  return null;
}
