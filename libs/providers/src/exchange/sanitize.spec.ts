import { sanitizeUpstreamText } from './sanitize';

describe('sanitizeUpstreamText', () => {
  it("OpenAI's invalid-key message loses the masked key and the URL, keeps the sentence", () => {
    const text = 'Incorrect API key provided: sk-abcd************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.';
    expect(sanitizeUpstreamText(text)).toBe('Incorrect API key provided: [redacted]. You can find your API key at [url].');
  });

  it('removes the channel key and every ≥ 6-character fragment of it', () => {
    const key = 'sk-proj-Xy7Qw9Lm2Np4Rt6Vb8Zc';
    expect(sanitizeUpstreamText(`bad key ${key} here`, [key])).toBe('bad key [redacted] here');
    // A fragment in the middle of other text (no sk- prefix to recognise it by).
    expect(sanitizeUpstreamText('key ending ...Lm2Np4Rt6V was revoked', [key])).toBe('key ending ...[redacted] was revoked');
    // Five characters are not a fragment: too short to identify a key, too common to remove.
    expect(sanitizeUpstreamText('value Rt6Vb rejected', [key])).toBe('value Rt6Vb rejected');
    // A key that is not in any known format is still found.
    expect(sanitizeUpstreamText('api key 7f1e2d3c-lowercase-custom rejected', ['7f1e2d3c-lowercase-custom'])).toBe('api key [redacted] rejected');
  });

  it('removes keys of known formats without being told the key', () => {
    expect(sanitizeUpstreamText('key sk-ant-api03-abcDEF123_ghiJKL456-mnoPQR789 is invalid')).toBe('key [redacted] is invalid');
    expect(sanitizeUpstreamText('key sk-wrong is invalid')).toBe('key [redacted] is invalid');
    expect(sanitizeUpstreamText('API key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW not valid')).toBe('API key [redacted] not valid');
    expect(sanitizeUpstreamText('got header Authorization: Bearer abc.def-ghi')).toBe('got header Authorization: Bearer [redacted]');
    expect(sanitizeUpstreamText('masked abcd****wxyz and ab***')).toBe('masked [redacted] and [redacted]');
    expect(sanitizeUpstreamText('called with api_key=abcdef123 and key=zzzz9999&x=1')).toBe('called with api_key=[redacted] and key=[redacted]&x=1');
  });

  it('removes long base64 and hex runs (tokens, signatures), not long words', () => {
    expect(sanitizeUpstreamText('token 3f2a9c0e1b4d5f6a7b8c9d0e1f2a3b4c expired')).toBe('token [redacted] expired');
    expect(sanitizeUpstreamText('sig eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 bad')).toBe('sig [redacted] bad');
    expect(sanitizeUpstreamText('Pneumonoultramicroscopicsilicovolcanoconiosis is long')).toBe('Pneumonoultramicroscopicsilicovolcanoconiosis is long');
    expect(sanitizeUpstreamText('model claude-3-5-sonnet-20241022 is overloaded')).toBe('model claude-3-5-sonnet-20241022 is overloaded');
  });

  it('removes OpenAI organisation ids (they name the channel’s account)', () => {
    expect(sanitizeUpstreamText('Rate limit reached for gpt-4o in organization org-AbCdEf123456GhIjKl789012 on tokens per min (TPM): Limit 30000, Used 29000.')).toBe(
      'Rate limit reached for gpt-4o in organization [redacted] on tokens per min (TPM): Limit 30000, Used 29000.',
    );
  });

  it('removes addresses: IPv4 with port, URLs with ports, hosts with ports, IPv6', () => {
    expect(sanitizeUpstreamText('connect ECONNREFUSED 10.1.2.3:8080')).toBe('connect ECONNREFUSED [ip]');
    expect(sanitizeUpstreamText('upstream http://internal.corp.example:9000/v1/x failed')).toBe('upstream [url] failed');
    expect(sanitizeUpstreamText('getaddrinfo ENOTFOUND my-llm.internal')).toBe('getaddrinfo ENOTFOUND [host]');
    expect(sanitizeUpstreamText('dial tcp redis-7:6379: i/o timeout')).toBe('dial tcp [host]: i/o timeout');
    expect(sanitizeUpstreamText('connect ECONNREFUSED ::1:443')).toBe('connect ECONNREFUSED [ip]');
    expect(sanitizeUpstreamText('via [2001:db8::8a2e:370:7334]:8443 and fe80::1%eth0')).toBe('via [ip] and [ip]');
    expect(sanitizeUpstreamText('from 2001:0db8:85a3:0000:0000:8a2e:0370:7334 too')).toBe('from [ip] too');
    expect(sanitizeUpstreamText('Access denied: myresource.openai.azure.com rejected the call')).toBe('Access denied: [host] rejected the call');
  });

  it('keeps what is not an address: times, code paths, field paths, file names, model names', () => {
    for (const text of [
      'try again at 12:30:45',
      'panic in std::io::Error',
      'messages.0.content.0.type: Field required',
      "* GenerateContentRequest.contents: contents is not specified",
      'config.json is invalid. Please retry.',
      'gpt-3.5-turbo and gemini-1.5-pro are fine',
      "Invalid value for 'temperature': 3.5 is greater than the maximum of 2",
    ]) {
      expect(sanitizeUpstreamText(text)).toBe(text);
    }
  });

  it('realistic provider bodies come out safe and still readable', () => {
    const azure = 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
    expect(sanitizeUpstreamText(azure, ['0123456789abcdef0123456789abcdef'])).toBe(azure);
    const azureFilter =
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766";
    expect(sanitizeUpstreamText(azureFilter)).toBe(azureFilter.replace('https://go.microsoft.com/fwlink/?linkid=2198766', '[url]'));
    expect(sanitizeUpstreamText('invalid x-api-key', ['sk-ant-api03-secret-value'])).toBe('invalid x-api-key');
    expect(sanitizeUpstreamText('API key not valid. Please pass a valid API key.', ['AIza-wrong'])).toBe('API key not valid. Please pass a valid API key.');
    expect(sanitizeUpstreamText('Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.')).toBe(
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    );
  });

  it('puts the text on one line, caps it at 500 characters and never answers empty', () => {
    expect(sanitizeUpstreamText('line one\nline two\r\n\tthree')).toBe('line one line two three');
    const long = sanitizeUpstreamText('word '.repeat(400));
    expect(long.length).toBeLessThanOrEqual(500);
    expect(long.endsWith('…')).toBe(true);
    expect(sanitizeUpstreamText('')).toBe('upstream error');
    expect(sanitizeUpstreamText(' \n ')).toBe('upstream error');
    expect(sanitizeUpstreamText('x'.repeat(50), [], 10)).toBe('xxxxxxxxx…');
  });

  it('a huge body is scanned only in part, and a key cut at the scan limit leaves no fragment', () => {
    const key = 'zK8pQ2mW7xR4tY9u';
    const text = `${'a '.repeat(2046)}x${key}`; // the key straddles the 4096th character
    const out = sanitizeUpstreamText(text, [key], 10_000);
    expect(out).not.toMatch(/zK8|Q2mW|tY9u/);
  });

  it('does not take placeholders apart or repeat them', () => {
    const key = 'sk-abcdEFGH1234ijklMNOP';
    expect(sanitizeUpstreamText(`${key} ${key} Bearer ${key}`, [key])).toBe('[redacted] Bearer [redacted]');
  });
});
