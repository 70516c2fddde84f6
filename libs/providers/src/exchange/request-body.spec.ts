import { setMultipartField, upstreamBody, type ClientRequestBody } from './request-body';

const CT = 'multipart/form-data; boundary=----b0undary';
function form(parts: Array<{ name: string; value: string | Buffer; filename?: string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `Content-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    const type = p.filename ? '\r\nContent-Type: audio/mpeg' : '';
    chunks.push(Buffer.from(`------b0undary\r\n${disp}${type}\r\n\r\n`, 'latin1'), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from('------b0undary--\r\n'));
  return Buffer.concat(chunks);
}

/** The text fields of a multipart body (file parts skipped), as an upstream reads them. */
function fields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of body.toString('latin1').split('------b0undary')) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name && !/filename=/i.test(headers)) out[name] = Buffer.from(part.slice(headerEnd + 4).replace(/\r\n$/, ''), 'latin1').toString('utf8');
  }
  return out;
}

/** `setMultipartField` that must succeed. */
function setField(body: Buffer, name: string, value: string): Buffer {
  const out = setMultipartField(body, CT, name, value);
  if (!out) throw new Error('no boundary found');
  return out;
}

describe('setMultipartField', () => {
  // Bytes that look like a delimiter prefix and a model header inside the file must survive.
  const file = Buffer.concat([Buffer.from([0, 255, 13, 10, 45, 45]), Buffer.from('name="model"\r\n\r\nx'), Buffer.alloc(300, 7)]);

  it('replaces the model field and leaves the file part byte for byte', () => {
    const body = form([
      { name: 'file', value: file, filename: 'a.mp3' },
      { name: 'model', value: 'whisper-from' },
      { name: 'language', value: 'de' },
    ]);
    const out = setField(body, 'model', 'whisper-to');
    expect(fields(out)).toEqual({ model: 'whisper-to', language: 'de' });
    expect(out.includes(file)).toBe(true);
    expect(out.length).toBe(body.length - 'whisper-from'.length + 'whisper-to'.length);
  });

  it('adds the field before the closing delimiter when the form has none', () => {
    const body = form([{ name: 'file', value: file, filename: 'a.mp3' }]);
    const out = setField(body, 'model', 'whisper-1');
    expect(fields(out)).toEqual({ model: 'whisper-1' });
    expect(out.includes(file)).toBe(true);
    expect(out.toString('latin1').endsWith('------b0undary--\r\n')).toBe(true);
  });

  it('does not take a file part named model for the field', () => {
    const body = form([
      { name: 'model', value: 'not-a-field', filename: 'model.txt' },
      { name: 'model', value: 'm1' },
    ]);
    expect(fields(setField(body, 'model', 'm2')).model).toBe('m2');
    expect(setField(body, 'model', 'm2').includes(Buffer.from('not-a-field'))).toBe(true);
  });

  it('returns null without a boundary', () => {
    expect(setMultipartField(Buffer.from('x'), 'multipart/form-data', 'model', 'm')).toBeNull();
  });
});

/** A JSON client request as the relay parses it. */
function json(text: string, mode: ClientRequestBody['mode'] = 'chat', over: Partial<ClientRequestBody> = {}): { req: ClientRequestBody; raw: Buffer } {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const so = parsed.stream_options as { include_usage?: unknown } | undefined;
  return {
    req: { mode, json: parsed, text, model: String(parsed.model), multipart: false, includeUsage: parsed.stream === true && so?.include_usage === true, ...over },
    raw: Buffer.from(text),
  };
}

describe('upstreamBody', () => {
  const CHAT = '{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "stream": true}';

  it('forwards the client’s bytes themselves when nothing must change', () => {
    const { req, raw } = json(CHAT);
    expect(upstreamBody(req, raw, 'gpt-4o', false, '')).toBe(raw);
  });

  it('replaces the model in the bytes, keeping everything else as written', () => {
    const { req, raw } = json(CHAT);
    expect(upstreamBody(req, raw, 'gpt-4o-2024-08-06', false, '')).toBe('{"model":"gpt-4o-2024-08-06", "messages": [{"role": "user", "content": "hi"}], "stream": true}');
  });

  it('re-serialises when the model text is ambiguous (the same pair also nested)', () => {
    const text = '{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"model":"m"}}}]}';
    const { req, raw } = json(text);
    const out = JSON.parse(upstreamBody(req, raw, 'mapped', false, '') as string) as Record<string, unknown>;
    expect(out.model).toBe('mapped');
    expect(JSON.stringify(out.tools)).toContain('"model":"m"');
  });

  it('asks for usage at the front when the client did not, in place', () => {
    const { req, raw } = json(CHAT);
    const out = upstreamBody(req, raw, 'gpt-4o', true, '') as string;
    expect(out.startsWith('{"stream_options":{"include_usage":true},')).toBe(true);
    expect(JSON.parse(out)).toMatchObject({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true } });
  });

  it('leaves the body alone when the client asked for usage itself, and merges into its own stream_options otherwise', () => {
    const asked = json('{"model":"gpt-4o","messages":[],"stream":true,"stream_options":{"include_usage":true}}');
    expect(upstreamBody(asked.req, asked.raw, 'gpt-4o', true, '')).toBe(asked.raw);
    const other = json('{"model":"gpt-4o","messages":[],"stream":true,"stream_options":{"include_usage":false,"x":1}}');
    expect(JSON.parse(upstreamBody(other.req, other.raw, 'gpt-4o', true, '') as string).stream_options).toEqual({ include_usage: true, x: 1 });
  });

  it('strips the client’s stream_options for an upstream that rejects them', () => {
    const { req, raw } = json('{"model":"mistral-small","messages":[],"stream":true,"stream_options":{"include_usage":true}}');
    expect(JSON.parse(upstreamBody(req, raw, 'mistral-small', false, '', true) as string)).toEqual({ model: 'mistral-small', messages: [], stream: true });
  });

  it('puts the channel’s system prompt first in chat messages only', () => {
    const { req, raw } = json(CHAT);
    expect(JSON.parse(upstreamBody(req, raw, 'gpt-4o', false, 'Be brief.') as string).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
    const emb = json('{"model":"text-embedding-3-small","input":"x"}', 'embeddings');
    expect(upstreamBody(emb.req, emb.raw, 'text-embedding-3-small', false, 'Be brief.')).toBe(emb.raw);
  });

  it('replaces the client’s own first system message with the channel’s (One API)', () => {
    const { req, raw } = json('{"model":"gpt-4o","messages":[{"role":"system","content":"Be chatty."},{"role":"user","content":"hi"}]}');
    expect(JSON.parse(upstreamBody(req, raw, 'gpt-4o', false, 'Be brief.') as string).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('sets the model when the client gave none (a default model)', () => {
    const { req, raw } = json('{"input":"x"}', 'moderations', { model: 'text-moderation-latest' });
    expect(JSON.parse(upstreamBody(req, raw, 'text-moderation-latest', false, '') as string)).toEqual({ input: 'x', model: 'text-moderation-latest' });
  });

  it('decodes the bytes itself when the caller has no text', () => {
    const { req, raw } = json(CHAT, 'chat', { text: undefined });
    expect(upstreamBody(req, raw, 'other', false, '')).toBe('{"model":"other", "messages": [{"role": "user", "content": "hi"}], "stream": true}');
  });

  it('maps the model of a transcription and keeps the body when nothing changes', () => {
    const file = Buffer.alloc(100, 9);
    const body = form([
      { name: 'file', value: file, filename: 'a.mp3' },
      { name: 'model', value: 'whisper-from' },
    ]);
    const req: ClientRequestBody = { mode: 'audio.transcriptions', json: { model: 'whisper-from' }, model: 'whisper-from', multipart: true, contentType: CT, includeUsage: false };
    expect(upstreamBody(req, body, 'whisper-from', false, '')).toBe(body);
    expect(fields(upstreamBody(req, body, 'whisper-to', false, '') as Buffer).model).toBe('whisper-to');
  });
});
