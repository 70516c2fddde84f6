import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';

/** The text of a transcription reply: `text` of a JSON reply, else the body (text, srt, vtt). */
function transcript(body: Buffer | undefined, contentType: string | undefined): string {
  const raw = body?.toString('utf8') ?? '';
  if (!contentType?.includes('json')) return raw;
  try {
    return String((JSON.parse(raw) as { text?: unknown }).text ?? '');
  } catch {
    return raw;
  }
}

function transcriptionEndpoint(mode: 'audio.transcriptions' | 'audio.translations', path: string): Endpoint {
  return {
    mode,
    path,
    parse: (body, contentType) => parseRequest(mode, body, contentType),
    reply: () => 'json',
    promptTokens: () => 0,
    // The audio's length is unknown until the reply: a fixed reservation, then priced on the text.
    reserve: (_p, _prompt, ratios, pricing) => pricing.audioReserve(ratios),
    bill: (produced, p, priced, pricing) => {
      const prompt = pricing.textTokens(transcript(produced.body, produced.contentType), p.model);
      return { prompt, completion: 0, quota: pricing.transcription(prompt, priced.ratios) };
    },
  };
}

/** POST /v1/audio/transcriptions (multipart). */
export const audioTranscriptions = transcriptionEndpoint('audio.transcriptions', '/v1/audio/transcriptions');
/** POST /v1/audio/translations (multipart). */
export const audioTranslations = transcriptionEndpoint('audio.translations', '/v1/audio/translations');
