/**
 * The console's one money formatter (pure; no React). Every quota, price, balance and ratio on
 * screen goes through here so rows, totals and statistics agree:
 * - money: grouped (`$1,000,000,000.00`), two decimals from one unit up, and below that enough
 *   decimals for two significant digits (`$0.000014`, `$0.075`), so a small charge never reads
 *   as `$0.00` and a total computed from the raw sum shows the same digits as its rows;
 * - raw quota units: grouped integers (`500,000`);
 * - ratios: exactly as configured (`0.075`), never rounded to two places.
 * The status options decide the mode: `display_in_currency`, `quota_per_unit`,
 * `display_currency` (USD or CNY) and `usd_exchange_rate`.
 */

export const DEFAULT_QUOTA_PER_UNIT = 500000;
export const DEFAULT_USD_EXCHANGE_RATE = 7.3;

export type Currency = 'USD' | 'CNY';

const SYMBOLS: Record<Currency, string> = { USD: '$', CNY: '¥' };

/** How quota is shown: money in a currency, or raw units. */
export interface MoneyDisplay {
  displayInCurrency: boolean;
  /** Quota per US dollar (`QuotaPerUnit`). */
  quotaPerUnit: number;
  currency: Currency;
  /** Yuan per US dollar (`USDExchangeRate`), used for CNY. */
  usdExchangeRate: number;
}

export const DEFAULT_MONEY_DISPLAY: MoneyDisplay = {
  displayInCurrency: true,
  quotaPerUnit: DEFAULT_QUOTA_PER_UNIT,
  currency: 'USD',
  usdExchangeRate: DEFAULT_USD_EXCHANGE_RATE,
};

/** The display options from `GET /api/status` (missing or invalid values take the defaults). */
export function moneyDisplayFromStatus(status: { display_in_currency?: boolean; quota_per_unit?: number; display_currency?: string; usd_exchange_rate?: number } | undefined): MoneyDisplay {
  return {
    displayInCurrency: status?.display_in_currency ?? true,
    quotaPerUnit: positive(status?.quota_per_unit) ?? DEFAULT_QUOTA_PER_UNIT,
    currency: status?.display_currency === 'CNY' ? 'CNY' : 'USD',
    usdExchangeRate: positive(status?.usd_exchange_rate) ?? DEFAULT_USD_EXCHANGE_RATE,
  };
}

function positive(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** At most this many decimals: smaller amounts than 10⁻⁸ show as zero. */
const MAX_DECIMALS = 8;

/** Decimals that keep two significant digits of `value` (at least two, at most {@link MAX_DECIMALS}). */
function decimalsFor(value: number): number {
  const abs = Math.abs(value);
  if (abs === 0 || abs >= 1) return 2;
  return Math.min(MAX_DECIMALS, Math.max(2, 1 - Math.floor(Math.log10(abs))));
}

/** `1234567.891` → `1,234,567.89`; small values keep two significant digits (`0.000014`). */
export function formatDecimal(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const decimals = decimalsFor(value);
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals }).format(value);
  // -0.00 after rounding reads as a charge; zero has no sign.
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/** An amount already in `currency` (e.g. an upstream balance in USD): `$1,234.50`, `-$0.0012`. */
export function formatAmount(amount: number, currency: Currency = 'USD'): string {
  const text = formatDecimal(amount);
  return text.startsWith('-') ? `-${SYMBOLS[currency]}${text.slice(1)}` : `${SYMBOLS[currency]}${text}`;
}

/** US dollars in the display currency (CNY at the exchange rate). */
export function usdInDisplayCurrency(usd: number, display: MoneyDisplay): number {
  return display.currency === 'CNY' ? usd * display.usdExchangeRate : usd;
}

/** Quota → the number shown: money in the display currency, or the quota itself in raw-unit mode. */
export function quotaValue(quota: number, display: MoneyDisplay): number {
  if (!display.displayInCurrency) return quota;
  return usdInDisplayCurrency(quota / (display.quotaPerUnit > 0 ? display.quotaPerUnit : DEFAULT_QUOTA_PER_UNIT), display);
}

/** A count of raw units or tokens: `500,000`. */
export function formatUnits(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
}

/** Quota for display: `$0.000014`, `¥7.30`, or `500,000` in raw-unit mode. */
export function formatQuota(quota: number, display: MoneyDisplay): string {
  if (!display.displayInCurrency) return formatUnits(quota);
  return formatAmount(quotaValue(quota, display), display.currency);
}

/** US dollars (a price) in the display currency; raw-unit mode shows the quota it buys. */
export function formatUsd(usd: number, display: MoneyDisplay): string {
  if (!display.displayInCurrency) return formatUnits(usd * display.quotaPerUnit);
  return formatAmount(usdInDisplayCurrency(usd, display), display.currency);
}

/** A ratio exactly as configured: `0.075`, `1,000`, `0.0000125` (never exponent notation). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 20 }).format(ratio);
}

/** Display units (money in the display currency, or raw units) → quota, rounded down: quota is an integer. */
export function displayToQuota(value: number, display: MoneyDisplay): number {
  if (!display.displayInCurrency) return Math.floor(value);
  const usd = display.currency === 'CNY' ? value / display.usdExchangeRate : value;
  return Math.floor(usd * display.quotaPerUnit);
}
