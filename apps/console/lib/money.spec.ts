import { DEFAULT_MONEY_DISPLAY, displayToQuota, formatAmount, formatDecimal, formatQuota, formatRatio, formatUnits, formatUsd, moneyDisplayFromStatus, type MoneyDisplay } from './money';

const usd = DEFAULT_MONEY_DISPLAY;
const cny: MoneyDisplay = { ...usd, currency: 'CNY', usdExchangeRate: 7.2 };
const units: MoneyDisplay = { ...usd, displayInCurrency: false };

describe('formatQuota', () => {
  it('keeps small charges visible with two significant digits', () => {
    expect(formatQuota(7, usd)).toBe('$0.000014');
    expect(formatQuota(1, usd)).toBe('$0.000002');
    expect(formatQuota(37_500, usd)).toBe('$0.075');
    expect(formatQuota(250_000, usd)).toBe('$0.50');
    expect(formatQuota(0, usd)).toBe('$0.00');
  });

  it('a total formatted from the raw sum agrees with its rows', () => {
    const rows = [7, 7];
    expect(rows.map((q) => formatQuota(q, usd))).toEqual(['$0.000014', '$0.000014']);
    expect(formatQuota(rows.reduce((a, b) => a + b, 0), usd)).toBe('$0.000028');
  });

  it('groups large amounts and shows two decimals from one unit up', () => {
    expect(formatQuota(500_000_000_000_000, usd)).toBe('$1,000,000,000.00');
    expect(formatQuota(1_000_000, usd)).toBe('$2.00');
    expect(formatQuota(617_283, usd)).toBe('$1.23');
  });

  it('honours QuotaPerUnit, CNY at its rate, and raw-unit mode', () => {
    expect(formatQuota(1_000, { ...usd, quotaPerUnit: 1_000 })).toBe('$1.00');
    expect(formatQuota(500_000, cny)).toBe('¥7.20');
    expect(formatQuota(7, cny)).toBe('¥0.0001');
    expect(formatQuota(500_000, units)).toBe('500,000');
    expect(formatQuota(500_000_000_000, units)).toBe('500,000,000,000');
  });

  it('prints negative balances with the sign before the symbol, and never -0', () => {
    expect(formatQuota(-250_000, usd)).toBe('-$0.50');
    expect(formatDecimal(-0.000000001)).toBe('0.00');
  });
});

describe('formatUsd, formatAmount, formatUnits, formatRatio, displayToQuota', () => {
  it('prices follow the display currency; amounts keep their own currency', () => {
    expect(formatUsd(0.075, usd)).toBe('$0.075');
    expect(formatUsd(1, cny)).toBe('¥7.20');
    expect(formatUsd(0.002, units)).toBe('1,000');
    expect(formatAmount(1234.5)).toBe('$1,234.50');
  });

  it('prints ratios exactly', () => {
    expect(formatRatio(0.075)).toBe('0.075');
    expect(formatRatio(0.0000125)).toBe('0.0000125');
    expect(formatRatio(1000)).toBe('1,000');
    expect(formatUnits(1234567)).toBe('1,234,567');
  });

  it('converts display values back to integer quota', () => {
    expect(displayToQuota(2, usd)).toBe(1_000_000);
    expect(displayToQuota(7.2, cny)).toBe(500_000);
    expect(displayToQuota(1234.9, units)).toBe(1234);
  });
});

describe('moneyDisplayFromStatus', () => {
  it('reads the status options, with defaults for missing or invalid values', () => {
    expect(moneyDisplayFromStatus(undefined)).toEqual(usd);
    expect(moneyDisplayFromStatus({ display_in_currency: false, quota_per_unit: 1000, display_currency: 'CNY', usd_exchange_rate: 7 })).toEqual({
      displayInCurrency: false,
      quotaPerUnit: 1000,
      currency: 'CNY',
      usdExchangeRate: 7,
    });
    expect(moneyDisplayFromStatus({ quota_per_unit: 0, display_currency: 'EUR', usd_exchange_rate: -1 })).toEqual(usd);
  });
});
