/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * A small multipart/form-data parser for the fakes (audio uploads): enough to record fields and
 * file sizes, not a general-purpose implementation.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return [];
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    // Part = CRLF headers CRLF CRLF data CRLF
    const part = body.subarray(start + 2, next - 2);
    const sep = part.indexOf('\r\n\r\n');
    if (sep !== -1) {
      const head = part.subarray(0, sep).toString('utf8');
      const name = /name="([^"]*)"/i.exec(head)?.[1] ?? '';
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      parts.push({ name, filename, contentType: type, data: part.subarray(sep + 4) });
    }
    pos = next;
  }
  return parts;
}

/** What OpenAI's image edit/variation endpoints read from a valid upload. */
export interface ImageUpload {
  model: string;
  n: number;
  images: MultipartPart[];
  mask?: MultipartPart;
  fields: Record<string, string>;
}

/**
 * Checks a multipart `POST /v1/images/edits` or `/v1/images/variations` body as OpenAI documents
 * it (https://platform.openai.com/docs/api-reference/images/createEdit): the image file part(s)
 * (`image`, or `image[]` for several), a prompt for edits, a mask only on edits, dall-e-2 alone
 * for variations, `n` from 1 to 10. Returns the error message OpenAI would give, or the upload.
 */
export function checkImageUpload(task: 'images/edits' | 'images/variations', parts: readonly MultipartPart[]): ImageUpload | string {
  const fields = Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString('utf8')]));
  const images = parts.filter((p) => p.filename !== undefined && (p.name === 'image' || p.name === 'image[]'));
  const mask = parts.find((p) => p.filename !== undefined && p.name === 'mask');
  const model = fields.model || 'dall-e-2';
  if (images.length === 0) return "'image' is a required property";
  if (images.some((p) => p.data.length === 0)) return 'Invalid input image: the file is empty';
  if (task === 'images/edits' && !fields.prompt) return "'prompt' is a required property";
  if (task === 'images/variations') {
    if (model !== 'dall-e-2') return `Invalid model ${model}. The model must be dall-e-2 for variations.`;
    if (mask || fields.prompt !== undefined) return 'Unrecognized request argument supplied: ' + (mask ? 'mask' : 'prompt');
  }
  if (model === 'dall-e-2' && images.length > 1) return 'dall-e-2 accepts exactly one image';
  const n = fields.n === undefined ? 1 : Number(fields.n);
  if (!Number.isInteger(n) || n < 1 || n > 10) return `Invalid value for 'n': ${fields.n}`;
  return { model, n, images, mask, fields };
}
