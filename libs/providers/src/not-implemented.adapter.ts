import type { ChannelContext, IncomingHeaders, ProviderAdapter, RelayMode } from './adapter.types';
import { AdapterNotImplementedError } from './errors';

/**
 * An adapter that serves nothing: every endpoint answers 501 `api_not_implemented`. Used for
 * channel types we keep for One API imports but cannot relay yet (Anthropic until its native
 * adapter lands, Baidu v1, Tencent, ...) and for unknown type ids.
 */
export class NotImplementedAdapter implements ProviderAdapter {
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>();

  constructor(
    readonly name: string,
    readonly notImplementedReason: string,
    readonly defaultModels: readonly string[] = [],
  ) {}

  requestUrl(_ch: ChannelContext, mode: RelayMode, _model: string): string {
    throw new AdapterNotImplementedError(this.name, mode, this.notImplementedReason);
  }

  requestHeaders(_ch: ChannelContext, mode: RelayMode, _incoming: IncomingHeaders): Record<string, string> {
    throw new AdapterNotImplementedError(this.name, mode, this.notImplementedReason);
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }
}
