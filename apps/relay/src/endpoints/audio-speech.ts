import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';

/**
 * POST /v1/audio/speech: priced per input character up front; the audio is relayed as it
 * arrives (bytes, or SSE events with `stream_format: "sse"`), never buffered whole.
 */
export const audioSpeech: Endpoint = {
  mode: 'audio.speech',
  path: '/v1/audio/speech',
  parse: (body, contentType) => parseRequest('audio.speech', body, contentType),
  reply: (p) => (p.json.stream_format === 'sse' ? 'raw-sse' : 'binary'),
  promptTokens: () => 0,
  reserve: (p, _prompt, ratios, pricing) => pricing.speech(String(p.json.input), ratios),
  // Logged as prompt = characters, the unit text-to-speech is priced in.
  bill: (_produced, p, priced) => ({ prompt: [...String(p.json.input)].length, completion: 0, quota: priced.reserved }),
};
