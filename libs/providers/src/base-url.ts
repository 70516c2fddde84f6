import { getChannelType } from '@oneapi/domain';
import type { ChannelContext } from './adapter.types';
import { ChannelConfigError } from './errors';

/**
 * The base URL requests go to: the channel's `base_url` when set, else the type's default
 * (One API's `channeltype.ChannelBaseURLs`), without trailing slashes. Throws `ChannelConfigError`
 * when neither exists (Custom, Azure and OpenAI-compatible channels must set one).
 */
export function resolveBaseUrl(ch: ChannelContext): string {
  const own = (ch.baseUrl ?? '').trim();
  const base = own !== '' ? own : (getChannelType(ch.type)?.defaultBaseUrl ?? '');
  if (base === '') throw new ChannelConfigError(ch.id, 'base URL is required for this channel type');
  return base.replace(/\/+$/, '');
}

/** Cloudflare AI Gateway fronts OpenAI/Azure with the provider prefix already in its URL. */
export function isCloudflareGateway(baseUrl: string): boolean {
  return baseUrl.startsWith('https://gateway.ai.cloudflare.com');
}
