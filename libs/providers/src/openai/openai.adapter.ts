import { ChannelType } from '@oneapi/domain';
import {
  OPENAI_PATHS,
  type ChannelContext,
  type IncomingHeaders,
  type ProviderAdapter,
  type RelayMode,
} from '../adapter.types';
import { isCloudflareGateway, resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import type { CompatibleProfile } from './compatible-profiles';

/**
 * Content-Type and Accept carried over from the client (One API's SetupCommonRequestHeader):
 * multipart bodies keep their boundary; JSON is the default.
 */
export function commonHeaders(incoming: IncomingHeaders): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': incoming.contentType || 'application/json' };
  if (incoming.accept) headers.Accept = incoming.accept;
  return headers;
}

/**
 * The OpenAI wire-format adapter: OpenAI and every OpenAI-compatible provider, parameterised by
 * a `CompatibleProfile`. Bodies pass through untouched (no `convertRequest`).
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode>;

  constructor(
    readonly name: string,
    private readonly channelType: number,
    private readonly profile: CompatibleProfile,
    readonly defaultModels: readonly string[],
  ) {
    this.endpoints = new Set(profile.endpoints);
  }

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const base = resolveBaseUrl(ch);
    const override = this.profile.paths?.[mode];
    if (override) return base + override;
    const task = OPENAI_PATHS[mode].slice('/v1'.length);
    // Cloudflare AI Gateway's OpenAI route already ends in /openai (One API GetFullRequestURL).
    if (this.channelType === ChannelType.OpenAI && isCloudflareGateway(base)) return base + task;
    return base + this.profile.versionPath + task;
  }

  requestHeaders(ch: ChannelContext, _mode: RelayMode, incoming: IncomingHeaders): Record<string, string> {
    return { ...commonHeaders(incoming), Authorization: `Bearer ${ch.key}`, ...this.profile.headers };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return this.profile.acceptsStreamOptions;
  }
}
