import { ChannelType } from '@oneapi/domain';
import { getAdapter } from '../registry';
import { classifyTransportError, classifyUnreadableReply, classifyUpstreamError, retryAfterSecondsOf, upstreamErrorToOpenAI } from './classify';

const openai = getAdapter(ChannelType.OpenAI);
const azure = getAdapter(ChannelType.Azure);
const anthropic = getAdapter(ChannelType.Anthropic);
const gemini = getAdapter(ChannelType.Gemini);

const KEY = 'sk-abcdEFGH1234ijklMNOPwxyz';

/** OpenAI's error body. */
const oai = (message: string, type: string, code: string | null = null, param: string | null = null) => JSON.stringify({ error: { message, type, param, code } });
/** Anthropic's error body. */
const ant = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message } });
/** Google's error body. */
const goo = (code: number, status: string, message: string) => JSON.stringify({ error: { code, message, status, details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }] } });

describe('classifyUpstreamError', () => {
  it.each([400, 404, 409, 413, 415, 422])("a %i is the caller's mistake: passed on with its status and sanitised fields, no retry, no cooling, no disabling", (status) => {
    const v = classifyUpstreamError(openai, {
      status,
      text: oai("Invalid 'messages[0].content': see https://platform.openai.com/docs/x for the shape", 'invalid_request_error', 'invalid_value', 'messages'),
      secrets: [KEY],
    });
    expect(v).toEqual({
      kind: 'caller',
      retry: false,
      coolChannel: false,
      disableChannel: false,
      status,
      error: { message: "Invalid 'messages[0].content': see [url] for the shape", type: 'invalid_request_error', param: 'messages', code: 'invalid_value' },
      retryAfterSeconds: null,
      upstream: { message: "Invalid 'messages[0].content': see [url] for the shape", type: 'invalid_request_error', param: 'messages', code: 'invalid_value' },
    });
  });

  it('a 400 that quotes a loose word of the caller ("balance") is still the caller’s mistake', () => {
    const v = classifyUpstreamError(openai, { status: 400, text: oai("Invalid value for 'user': 'balance-bot'", 'invalid_request_error'), secrets: [] });
    expect(v).toMatchObject({ kind: 'caller', coolChannel: false, disableChannel: false, status: 400 });
  });

  it("OpenAI's dead key: 502 upstream_auth_error with a generic message, retry, cool, disable; the upstream's words kept sanitised for the operator", () => {
    const text = oai('Incorrect API key provided: sk-abcd************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
    const v = classifyUpstreamError(openai, { status: 401, headers: { 'retry-after': '5' }, text, secrets: [KEY] });
    expect(v).toEqual({
      kind: 'credentials',
      retry: true,
      coolChannel: true,
      disableChannel: true,
      status: 502,
      error: { message: "the upstream rejected this channel's credentials", type: 'upstream_error', param: null, code: 'upstream_auth_error' },
      retryAfterSeconds: null,
      upstream: { message: 'Incorrect API key provided: [redacted]. You can find your API key at [url].', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
  });

  it.each([
    ['Azure 401', azure, 401, JSON.stringify({ statusCode: 401, message: 'Access denied due to invalid subscription key or wrong API endpoint.' })],
    ['Azure 403', azure, 403, JSON.stringify({ error: { code: 'AuthenticationTypeDisabled', message: 'Key based authentication is disabled for this resource.' } })],
    ['OpenAI 402', openai, 402, oai('Payment required', 'billing_error')],
    ['OpenAI 429 insufficient_quota', openai, 429, oai('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota')],
    ['Anthropic 401', anthropic, 401, ant('authentication_error', 'invalid x-api-key')],
    ['Anthropic 400 credit', anthropic, 400, ant('invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.')],
    ['Gemini 400 API_KEY_INVALID', gemini, 400, goo(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.')],
    ['Gemini 403', gemini, 403, goo(403, 'PERMISSION_DENIED', 'Permission denied: Consumer has been suspended.')],
  ] as const)('%s is about the channel’s key or billing', (_name, adapter, status, text) => {
    const v = classifyUpstreamError(adapter, { status, text, secrets: [KEY] });
    // Nothing of the upstream's words reaches the client: SDKs would read them as the caller's own key problem.
    expect(v).toMatchObject({ kind: 'credentials', retry: true, coolChannel: true, disableChannel: true, status: 502, retryAfterSeconds: null });
    expect(v.error).toEqual({ message: "the upstream rejected this channel's credentials", type: 'upstream_error', param: null, code: 'upstream_auth_error' });
  });

  it('a rate limit: 429 upstream_rate_limited with the upstream’s Retry-After, retry, cool, never disable', () => {
    const text = oai(
      'Rate limit reached for gpt-4o in organization org-AbCdEf123456GhIjKl789012 on requests per min (RPM): Limit 3, Used 3. Visit https://platform.openai.com/account/billing to add a payment method.',
      'requests',
      'rate_limit_exceeded',
    );
    const v = classifyUpstreamError(openai, { status: 429, headers: { 'retry-after': '20' }, text, secrets: [KEY] });
    expect(v).toEqual({
      kind: 'rate_limit',
      retry: true,
      coolChannel: true,
      disableChannel: false,
      status: 429,
      error: {
        message: 'Rate limit reached for gpt-4o in organization [redacted] on requests per min (RPM): Limit 3, Used 3. Visit [url] to add a payment method.',
        type: 'rate_limit_error',
        param: null,
        code: 'upstream_rate_limited',
      },
      retryAfterSeconds: 20,
      upstream: expect.objectContaining({ type: 'requests', code: 'rate_limit_exceeded' }),
    });
    expect(classifyUpstreamError(gemini, { status: 429, text: goo(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).') }).retryAfterSeconds).toBeNull();
    expect(classifyUpstreamError(anthropic, { status: 429, headers: { 'retry-after-ms': '1500' }, text: ant('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit') })).toMatchObject({
      kind: 'rate_limit',
      retryAfterSeconds: 2,
    });
  });

  it('server errors: retry and cool, never disable; the client gets the sanitised message (502, or 503/504 kept)', () => {
    const e500 = classifyUpstreamError(openai, { status: 500, text: oai('The server had an error while processing your request. Sorry about that!', 'server_error'), secrets: [KEY] });
    expect(e500).toMatchObject({ kind: 'server', retry: true, coolChannel: true, disableChannel: false, status: 502, error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'upstream_error', code: 'upstream_error' } });
    const gateway = classifyUpstreamError(openai, { status: 502, text: '<html><head><title>502 Bad Gateway</title></head><body>nginx/1.25.3 at 10.0.0.7</body></html>' });
    expect(gateway).toMatchObject({ kind: 'server', status: 502, error: { message: 'upstream error (status 502)' } });
    const plain = classifyUpstreamError(openai, { status: 500, text: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111 to http://10.2.3.4:8000/v1' });
    expect(plain.error.message).toBe('upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111 to [url]');
    const overloaded = classifyUpstreamError(anthropic, { status: 529, headers: { 'retry-after': '3' }, text: ant('overloaded_error', 'Overloaded') });
    expect(overloaded).toMatchObject({ kind: 'overloaded', retry: true, coolChannel: true, disableChannel: false, status: 503, retryAfterSeconds: 3, error: { message: 'Overloaded', code: 'upstream_overloaded' } });
    expect(classifyUpstreamError(gemini, { status: 503, text: goo(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.') })).toMatchObject({ kind: 'overloaded', status: 503 });
    expect(classifyUpstreamError(openai, { status: 504, text: '' })).toMatchObject({ kind: 'timeout', status: 504, error: { code: 'upstream_timeout', message: 'upstream error (status 504)' } });
    expect(classifyUpstreamError(openai, { status: 408, text: '' })).toMatchObject({ kind: 'timeout', status: 504, retry: true, coolChannel: true });
    expect(classifyUpstreamError(openai, { status: 418, text: oai("I'm a teapot", 'x') })).toMatchObject({ kind: 'server', status: 502, retry: true });
  });

  it('a 5xx never disables, even when its words sound like billing', () => {
    expect(classifyUpstreamError(openai, { status: 500, text: oai('billing service unavailable', 'server_error') })).toMatchObject({ kind: 'server', disableChannel: false });
  });

  it('identifiers that are not identifiers are dropped; a message is never empty', () => {
    const v = classifyUpstreamError(openai, { status: 400, text: JSON.stringify({ error: { message: 'bad', type: 'see http://x.example/a b', param: 'messages', code: 'sk-abcdEFGH1234ijklMNOPwxyz' } }), secrets: [KEY] });
    expect(v.error).toEqual({ message: 'bad', type: 'invalid_request_error', param: 'messages', code: null });
    expect(classifyUpstreamError(anthropic, { status: 400, text: ant('invalid_request_error', '') }).error.message).toBe('upstream error');
    expect(classifyUpstreamError(openai, { status: 400, text: '' }).error.message).toBe('upstream error (status 400)');
  });
});

describe('upstreamErrorToOpenAI', () => {
  it('uses each provider’s converter, then OpenAI’s shapes, then the text', () => {
    expect(upstreamErrorToOpenAI(anthropic, 401, ant('authentication_error', 'invalid x-api-key'))).toEqual({ error: { message: 'invalid x-api-key', type: 'authentication_error', param: null, code: 'authentication_error' } });
    expect(upstreamErrorToOpenAI(gemini, 400, goo(400, 'INVALID_ARGUMENT', 'API key not valid.'))).toEqual({ error: { message: 'API key not valid.', type: 'invalid_argument', param: null, code: '400' } });
    expect(upstreamErrorToOpenAI(openai, 400, JSON.stringify({ error: 'plain string' })).error.message).toBe('plain string');
    expect(upstreamErrorToOpenAI(azure, 401, JSON.stringify({ statusCode: 401, message: 'Access denied' })).error.message).toBe('Access denied');
    expect(upstreamErrorToOpenAI(openai, 500, 'not json')).toEqual({ error: { message: 'not json', type: 'upstream_error', param: null, code: null } });
    expect(upstreamErrorToOpenAI(openai, 500, JSON.stringify({ unexpected: true })).error.message).toBe('upstream error (status 500)');
  });
});

describe('retryAfterSecondsOf', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds, HTTP dates and retry-after-ms; null when absent or unreadable', () => {
    expect(retryAfterSecondsOf({ 'retry-after': '7' }, now)).toBe(7);
    expect(retryAfterSecondsOf({ 'retry-after': '0.2' }, now)).toBe(1);
    expect(retryAfterSecondsOf({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(30);
    expect(retryAfterSecondsOf({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterSecondsOf({ 'retry-after-ms': '2500', 'retry-after': '9' }, now)).toBe(3);
    expect(retryAfterSecondsOf({ 'retry-after': ['4', '5'] }, now)).toBe(4);
    expect(retryAfterSecondsOf({ 'retry-after': '99999999' }, now)).toBe(86_400);
    expect(retryAfterSecondsOf({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(retryAfterSecondsOf({}, now)).toBeNull();
    expect(retryAfterSecondsOf(undefined, now)).toBeNull();
  });
});

describe('classifyTransportError', () => {
  it('no answer: retry and cool, never disable; timeouts are 504, the rest 502, the cause sanitised', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:8080'), { code: 'ECONNREFUSED' });
    expect(classifyTransportError(refused)).toEqual({
      kind: 'unreachable',
      retry: true,
      coolChannel: true,
      disableChannel: false,
      status: 502,
      error: { message: 'the upstream could not be reached', type: 'upstream_error', param: null, code: 'upstream_unreachable' },
      retryAfterSeconds: null,
      upstream: { message: 'connect ECONNREFUSED [ip]', type: 'upstream_error', param: null, code: 'ECONNREFUSED' },
    });
    const headers = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(classifyTransportError(headers)).toMatchObject({ kind: 'timeout', status: 504, error: { code: 'upstream_timeout' } });
    expect(classifyTransportError(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }))).toMatchObject({ kind: 'timeout' });
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(classifyTransportError(reset, { afterHead: true })).toMatchObject({ kind: 'bad_reply', status: 502, retry: true, coolChannel: true, error: { message: 'the upstream reply broke off' } });
  });

  it('an unreadable 2xx reply is a channel fault too', () => {
    expect(classifyUnreadableReply('Anthropic reply is not a message: unexpected body')).toMatchObject({ kind: 'bad_reply', status: 502, retry: true, coolChannel: true, disableChannel: false, upstream: { message: 'Anthropic reply is not a message: unexpected body' } });
  });
});
