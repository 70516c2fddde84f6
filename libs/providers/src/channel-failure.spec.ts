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

  it('402 Payment Required is a billing failure', () => {
    expect(isDisablingFailure({ status: 402, message: 'Payment required' })).toBe(true);
  });

  it("a caller's 400 never disables on a loose word from its own input", () => {
    expect(isDisablingFailure({ status: 400, type: 'invalid_request_error', message: "Invalid value for 'user': 'balance-sheet-bot'" })).toBe(false);
    expect(isDisablingFailure({ status: 422, message: 'field credit_card is not allowed' })).toBe(false);
    expect(isDisablingFailure({ status: 404, message: 'The model `billing-gpt` does not exist' })).toBe(false);
  });

  it("OpenAI's plain rate limit mentioning its billing page is not a billing failure", () => {
    const message =
      'Rate limit reached for default-gpt-3.5-turbo in organization org-x on requests per min. Limit: 3 / min. Please add a payment method to your account to increase your rate limit. Visit https://platform.openai.com/account/billing to add a payment method.';
    expect(isDisablingFailure({ status: 429, type: 'requests', code: 'rate_limit_exceeded', message })).toBe(false);
    expect(isDisablingFailure({ status: 429, message: 'You exceeded your current quota, please check your plan and billing details.' })).toBe(true);
  });

  it('loose words still count for other statuses (an error inside a 200 reply)', () => {
    expect(isDisablingFailure({ status: 200, message: 'insufficient balance' })).toBe(true);
    expect(isDisablingFailure({ status: 200, message: 'the model is busy' })).toBe(false);
  });
});
