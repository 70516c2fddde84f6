import { ChannelType } from '@oneapi/domain';
import { GEMINI_OPENAI_PROFILE } from '../openai/compatible-profiles';
import { OpenAIAdapter } from '../openai/openai.adapter';

/**
 * Gemini (24) goes through Google's OpenAI-compatible endpoint
 * (`{base}/v1beta/openai/chat/completions`, Bearer API key; https://ai.google.dev/gemini-api/docs/openai)
 * until a native generateContent adapter replaces it; bodies pass through unchanged.
 */
export function createGeminiAdapter(defaultModels: readonly string[]): OpenAIAdapter {
  return new OpenAIAdapter('Google Gemini', ChannelType.Gemini, GEMINI_OPENAI_PROFILE, defaultModels);
}
