/** Display helpers shared by the pages (pure; no React). */

export const DEFAULT_QUOTA_PER_UNIT = 500000;

export interface QuotaDisplay {
  displayInCurrency: boolean;
  quotaPerUnit: number;
}

/** 12345678 → "12.3M", as One API's renderNumber. */
export function compactNumber(num: number): string {
  if (num >= 1e9) return `${(num / 1e9).toFixed(1)}B`;
  if (num >= 1e6) return `${(num / 1e6).toFixed(1)}M`;
  if (num >= 1e4) return `${(num / 1e3).toFixed(1)}k`;
  return String(num);
}

/** Quota in USD (`$1.23`) or raw units, per the `display_in_currency` status flag. */
export function formatQuota(quota: number, display: QuotaDisplay, digits = 2): string {
  if (display.displayInCurrency) {
    const perUnit = display.quotaPerUnit > 0 ? display.quotaPerUnit : DEFAULT_QUOTA_PER_UNIT;
    return `$${(quota / perUnit).toFixed(digits)}`;
  }
  return compactNumber(quota);
}

/** USD → quota units, rounded down (quota is an integer). */
export function usdToQuota(usd: number, quotaPerUnit: number): number {
  return Math.floor(usd * (quotaPerUnit > 0 ? quotaPerUnit : DEFAULT_QUOTA_PER_UNIT));
}

/** Unix seconds → "YYYY-MM-DD HH:mm:ss" local time; empty for 0. */
export function formatTimestamp(seconds: number | null | undefined): string {
  if (!seconds) return '';
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Relay base URL for display: status `relay_url`, else `server_address`, else this host on port 3000. */
export function relayBaseUrl(status: { relay_url?: string; server_address?: string } | undefined, location?: { protocol: string; hostname: string }): string {
  const configured = status?.relay_url || status?.server_address;
  if (configured) return configured.replace(/\/+$/, '');
  if (location) return `${location.protocol}//${location.hostname}:3000`;
  return 'http://localhost:3000';
}

/** Comma list → trimmed unique non-empty entries. */
export function splitList(value: string | null | undefined): string[] {
  if (!value) return [];
  return [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
}

/** Validates a JSON object string (model mapping, ratios); empty is allowed when `allowEmpty`. */
export function jsonObjectError(value: string | null | undefined, allowEmpty = true): string | null {
  const text = (value ?? '').trim();
  if (!text) return allowEmpty ? null : 'empty';
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not-object';
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : 'invalid';
  }
}

/** Quotes a CSV cell (RFC 4180). */
export function csvCell(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Triggers a browser download of text content. */
export function downloadText(text: string, filename: string, type = 'text/plain;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
