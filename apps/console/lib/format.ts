/** Display helpers shared by the pages (pure; no React). */

// Quota and money: lib/money.ts (the one money formatter).

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
