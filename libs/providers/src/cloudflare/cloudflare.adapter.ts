import { OPENAI_PATHS, type ChannelContext, type RelayMode } from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError, ChannelConfigError } from '../errors';
import { OpenAIAdapter } from '../openai/openai.adapter';
import type { CompatibleProfile } from '../openai/compatible-profiles';

/**
 * Workers AI's OpenAI-compatible endpoints (https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility/):
 * chat and embeddings. The body passes through as One API sends it, `stream_options` included,
 * so streamed usage comes from the upstream.
 */
export const CLOUDFLARE_PROFILE: CompatibleProfile = { versionPath: '/v1', endpoints: ['chat', 'embeddings'], acceptsStreamOptions: true };

/** An AI Gateway URL for Workers AI already names the account (One API's isAIGateWay). */
export function isWorkersAiGateway(baseUrl: string): boolean {
  return baseUrl.startsWith('https://gateway.ai.cloudflare.com') && baseUrl.endsWith('/workers-ai');
}

/** The account id: One API keeps it in the channel config as `user_id`; `account_id` is accepted too. */
export function cloudflareAccountId(ch: ChannelContext): string {
  const id = (ch.config.user_id ?? ch.config.account_id ?? '').trim();
  if (id === '') throw new ChannelConfigError(ch.id, 'Cloudflare Workers AI needs the account id (config user_id)');
  return id;
}

/**
 * Cloudflare Workers AI (37), as One API's relay/adaptor/cloudflare: OpenAI's wire format at
 * `{base}/client/v4/accounts/{account_id}/ai/v1/chat/completions` (and `/embeddings`) with the
 * API token as Bearer; an AI Gateway base URL (`.../workers-ai`) is used as it is.
 */
export class CloudflareAdapter extends OpenAIAdapter {
  constructor(name: string, channelType: number, defaultModels: readonly string[]) {
    super(name, channelType, CLOUDFLARE_PROFILE, defaultModels);
  }

  override requestUrl(ch: ChannelContext, mode: RelayMode, _model: string): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const base = resolveBaseUrl(ch);
    const prefix = isWorkersAiGateway(base) ? base : `${base}/client/v4/accounts/${encodeURIComponent(cloudflareAccountId(ch))}/ai`;
    return prefix + OPENAI_PATHS[mode];
  }
}
