import { NotImplementedAdapter } from '../not-implemented.adapter';

/**
 * Anthropic (14) needs a native Messages API adapter (request, response and stream conversion):
 * Anthropic has no OpenAI-compatible endpoint to fall back on, so until that adapter exists
 * every endpoint answers 501. Its stop reasons are already mapped in `stop-reasons.ts`.
 */
export function createAnthropicAdapter(defaultModels: readonly string[]): NotImplementedAdapter {
  return new NotImplementedAdapter(
    'Anthropic Claude',
    'the Anthropic adapter is not implemented yet (Anthropic has no OpenAI-compatible endpoint)',
    defaultModels,
  );
}
