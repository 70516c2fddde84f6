import { isDisablingFailure } from './channel-failure';

describe('isDisablingFailure', () => {
  it('recognises a revoked Gemini key (Google answers 400 API_KEY_INVALID)', () => {
    expect(isDisablingFailure({ status: 400, type: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.' })).toBe(true);
  });

  it('disables on authentication and billing errors', () => {
    expect(isDisablingFailure({ status: 401, message: 'Incorrect API key provided' })).toBe(true);
    expect(isDisablingFailure({ status: 403, message: 'forbidden' })).toBe(true);
    expect(isDisablingFailure({ status: 400, type: 'insufficient_quota', message: 'x' })).toBe(true);
    expect(isDisablingFailure({ status: 429, type: 'insufficient_quota', message: 'You exceeded your current quota' })).toBe(true);
    expect(isDisablingFailure({ status: 400, code: 'account_deactivated', message: 'x' })).toBe(true);
    expect(isDisablingFailure({ status: 400, message: 'Your credit balance is too low to access the API' })).toBe(true);
  });

  it('never disables on transient failures', () => {
    expect(isDisablingFailure({ status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests' })).toBe(false);
    expect(isDisablingFailure({ status: 500, message: 'server error' })).toBe(false);
    expect(isDisablingFailure({ status: 502, message: 'bad gateway' })).toBe(false);
    expect(isDisablingFailure({ status: 0, message: 'connect ECONNREFUSED' })).toBe(false);
    expect(isDisablingFailure({ status: 400, type: 'invalid_request_error', message: 'model not found' })).toBe(false);
  });
});
