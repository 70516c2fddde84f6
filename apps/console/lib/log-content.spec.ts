import { parseLogContent } from './log-content';
import { DEFAULT_MONEY_DISPLAY, type MoneyDisplay } from './money';

const usd = DEFAULT_MONEY_DISPLAY;
const cny: MoneyDisplay = { ...usd, currency: 'CNY', usdExchangeRate: 7.3 };
const units: MoneyDisplay = { ...usd, displayInCurrency: false };

describe('parseLogContent', () => {
  it('reads the consume sentence with exact ratios and the stream end reason', () => {
    expect(parseLogContent('model ratio 0.075, completion ratio 4, group ratio 1', usd)).toEqual({
      key: 'consume',
      values: { modelRatio: '0.075', completionRatio: '4', groupRatio: '1', endReason: '' },
    });
    expect(parseLogContent('model ratio 2, completion ratio 3, group ratio 1 (stream ended: idle timeout)', usd)).toMatchObject({
      key: 'consumeStreamEnded',
      values: { endReason: 'idle timeout' },
    });
  });

  it('re-formats amounts in the display currency or units, whatever mode wrote them', () => {
    expect(parseLogContent('topped up $2.000000 quota with a redemption code', usd)).toEqual({ key: 'redeemed', values: { amount: '$2.00' } });
    expect(parseLogContent('topped up $2.000000 quota with a redemption code', cny)).toEqual({ key: 'redeemed', values: { amount: '¥14.60' } });
    expect(parseLogContent('topped up $2.000000 quota with a redemption code', units)).toEqual({ key: 'redeemed', values: { amount: '1,000,000' } });
    expect(parseLogContent('new user bonus: 1000000 quota', usd)).toEqual({ key: 'newUserBonus', values: { amount: '$2.00' } });
    expect(parseLogContent("admin changed the user's quota from $1.000000 quota to $0.000014 quota", usd)).toEqual({
      key: 'quotaChanged',
      values: { from: '$1.00', to: '$0.000014' },
    });
  });

  it('leaves sentences it does not know alone', () => {
    expect(parseLogContent('channel test passed', usd)).toBeNull();
  });
});
