import { multipartFields, parseRequest, setMultipartField, upstreamBody } from './request-body';

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

describe('setMultipartField', () => {
  // Bytes that look like a delimiter prefix and a model header inside the file must survive.
  const file = Buffer.concat([Buffer.from([0, 255, 13, 10, 45, 45]), Buffer.from('name="model"\r\n\r\nx'), Buffer.alloc(300, 7)]);

  it('replaces the model field and leaves the file part byte for byte', () => {
    const body = form([
      { name: 'file', value: file, filename: 'a.mp3' },
      { name: 'model', value: 'whisper-from' },
      { name: 'language', value: 'de' },
    ]);
    const out = setMultipartField(body, CT, 'model', 'whisper-to')!;
    expect(multipartFields(out, CT)).toEqual({ model: 'whisper-to', language: 'de' });
    expect(out.includes(file)).toBe(true);
    expect(out.length).toBe(body.length - 'whisper-from'.length + 'whisper-to'.length);
  });

  it('adds the field before the closing delimiter when the form has none', () => {
    const body = form([{ name: 'file', value: file, filename: 'a.mp3' }]);
    const out = setMultipartField(body, CT, 'model', 'whisper-1')!;
    expect(multipartFields(out, CT)).toEqual({ model: 'whisper-1' });
    expect(out.includes(file)).toBe(true);
    expect(out.toString('latin1').endsWith('------b0undary--\r\n')).toBe(true);
  });

  it('does not take a file part named model for the field', () => {
    const body = form([
      { name: 'model', value: 'not-a-field', filename: 'model.txt' },
      { name: 'model', value: 'm1' },
    ]);
    expect(multipartFields(setMultipartField(body, CT, 'model', 'm2')!, CT).model).toBe('m2');
    expect(setMultipartField(body, CT, 'model', 'm2')!.includes(Buffer.from('not-a-field'))).toBe(true);
  });

  it('returns null without a boundary', () => {
    expect(setMultipartField(Buffer.from('x'), 'multipart/form-data', 'model', 'm')).toBeNull();
  });

  it('upstreamBody maps the model of a transcription and keeps the body when nothing changes', () => {
    const body = form([
      { name: 'file', value: file, filename: 'a.mp3' },
      { name: 'model', value: 'whisper-from' },
    ]);
    const parsed = parseRequest('audio.transcriptions', body, CT);
    expect(upstreamBody(parsed, body, 'whisper-from', false, '')).toBe(body);
    const mapped = upstreamBody(parsed, body, 'whisper-to', false, '') as Buffer;
    expect(multipartFields(mapped, CT).model).toBe('whisper-to');
  });
});
