import type { RedemptionEntity } from '@oneapi/data';
import type { RedemptionView } from '@oneapi/domain';

export type { RedemptionView };

export function toRedemptionView(r: RedemptionEntity): RedemptionView {
  return {
    id: r.id,
    user_id: r.userId,
    key: r.key,
    status: r.status,
    name: r.name,
    quota: r.quota,
    created_time: r.createdTime,
    redeemed_time: r.redeemedTime,
    used_by: r.usedBy,
  };
}

/** One CSV cell (RFC 4180 quoting; a leading = + - @ is neutralised so spreadsheets do not run it). */
function csvCell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const REDEMPTION_CSV_COLUMNS = ['id', 'name', 'key', 'quota', 'status', 'created_time', 'redeemed_time', 'used_by'] as const;

export function redemptionsCsv(rows: RedemptionEntity[]): string {
  const lines = [REDEMPTION_CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push([r.id, r.name, r.key, r.quota, r.status, r.createdTime, r.redeemedTime, r.usedBy].map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
