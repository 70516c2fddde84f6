import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { checkImageRequest, billImages, reserveImages } from './images';
import { multipartForm, type MultipartFile, type ParsedRequest } from './request-body';
import type { Endpoint } from './endpoint';

const MiB = 1024 * 1024;

/** OpenAI's input limits (https://platform.openai.com/docs/api-reference/images/createEdit). */
const DALL_E_2_MAX_BYTES = 4 * MiB;
const GPT_IMAGE_MAX_BYTES = 50 * MiB;
const GPT_IMAGE_MAX_IMAGES = 16;

type ImageUploadMode = 'images.edits' | 'images.variations';

function bad(message: string, param: string | null, code: string | null = null): never {
  throw new RelayException(RelayErrorCode.InvalidRequest, message, param, code);
}

function isGptImage(model: string): boolean {
  return model.startsWith('gpt-image');
}

/** Upload limits per model family; models the relay does not know go to their upstream unchecked. */
function checkFiles(mode: ImageUploadMode, model: string, images: MultipartFile[], mask: MultipartFile | undefined): void {
  if (model === 'dall-e-3' || (mode === 'images.variations' && isGptImage(model))) {
    bad(`${model} does not support image ${mode === 'images.edits' ? 'edits' : 'variations'}${mode === 'images.variations' ? '; use dall-e-2' : '; use dall-e-2 or gpt-image-1'}`, 'model', 'model_not_supported');
  }
  if (model === 'dall-e-2') {
    if (images.length > 1) bad('dall-e-2 takes exactly one image', 'image');
    for (const f of [...images, ...(mask ? [mask] : [])]) {
      if (f.bytes >= DALL_E_2_MAX_BYTES) bad(`${f.name} is too large: dall-e-2 takes images smaller than 4 MB`, f.name, 'image_too_large');
    }
  } else if (isGptImage(model)) {
    if (images.length > GPT_IMAGE_MAX_IMAGES) bad(`${model} takes at most ${GPT_IMAGE_MAX_IMAGES} images`, 'image');
    for (const f of images) if (f.bytes >= GPT_IMAGE_MAX_BYTES) bad(`${f.name} is too large: ${model} takes images smaller than 50 MB`, f.name, 'image_too_large');
  }
}

function parseUpload(mode: ImageUploadMode, body: Buffer | undefined, contentType: string): ParsedRequest {
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw new RelayException(RelayErrorCode.UnsupportedMediaType, 'this endpoint expects multipart/form-data (an image upload)');
  }
  const { fields, files } = multipartForm(body ?? Buffer.alloc(0), contentType);
  // OpenAI's SDKs send one image as `image` and several as `image[]`.
  const images = files.filter((f) => f.name === 'image' || f.name === 'image[]');
  if (images.length === 0) bad('image is required: upload it as a file part named image', 'image', 'image_missing');
  if (images.some((f) => f.bytes === 0)) bad('image is empty', 'image');
  const mask = files.find((f) => f.name === 'mask');
  if (mode === 'images.variations' && mask) bad('image variations take no mask', 'mask');
  if (fields.stream === 'true') bad('streamed image edits are not supported by this gateway; omit stream', 'stream');

  const json: Record<string, unknown> = { ...fields };
  if (fields.n !== undefined) {
    const n = Number(fields.n);
    if (!Number.isInteger(n) || n < 1 || n > 10) bad('n must be an integer between 1 and 10', 'n', 'n_not_within_range');
    json.n = n;
  }
  if (mode === 'images.edits' && !fields.prompt) bad('prompt is required', 'prompt', 'prompt_missing');
  const model = fields.model || 'dall-e-2';
  checkFiles(mode, model, images, mask);
  return { mode, json, text: '', model, stream: false, maxTokens: null, includeUsage: false, multipart: true, contentType };
}

/**
 * A multipart image upload endpoint: the body is forwarded as bytes (only a mapped `model` field
 * is rewritten), priced like generations — per image by size and quality × n, or on gpt-image's
 * token usage when the reply reports it.
 */
function imageUploadEndpoint(mode: ImageUploadMode, path: string): Endpoint {
  return {
    mode,
    path,
    parse: (body, contentType) => parseUpload(mode, body, contentType),
    reply: () => 'json',
    // One API's size, n and prompt-length rules for the model (variations have no prompt to check).
    check: (p) => checkImageRequest(mode === 'images.variations' ? { ...p, json: { ...p.json, prompt: 'variation' } } : p),
    promptTokens: () => 0,
    reserve: (p, _prompt, ratios, pricing) => reserveImages(p, ratios, pricing),
    bill: (produced, _p, priced, pricing) => billImages(produced, priced, pricing),
  };
}

/** POST /v1/images/edits (multipart: image or image[], mask, prompt, model, n, size, quality...). */
export const imagesEdits = imageUploadEndpoint('images.edits', '/v1/images/edits');
/** POST /v1/images/variations (multipart: image, model, n, size, response_format; dall-e-2). */
export const imagesVariations = imageUploadEndpoint('images.variations', '/v1/images/variations');
