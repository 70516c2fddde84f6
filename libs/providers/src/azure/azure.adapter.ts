import { AZURE_DEFAULT_API_VERSION } from '@oneapi/domain';
import {
  OPENAI_PATHS,
  type ChannelContext,
  type IncomingHeaders,
  type ProviderAdapter,
  type RelayMode,
} from '../adapter.types';
import { isCloudflareGateway, resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { commonHeaders } from '../openai/openai.adapter';

/** The `api-version` a channel uses: its `config.api_version`, else One API's default. */
export function azureApiVersion(ch: ChannelContext): string {
  const v = (ch.config.api_version ?? '').trim();
  return v !== '' ? v : AZURE_DEFAULT_API_VERSION;
}

/**
 * Azure OpenAI: OpenAI's wire format at
 * `{base}/openai/deployments/{deployment}/{task}?api-version={version}` with an `api-key` header.
 * The deployment is the (mapped) model name with dots removed, as One API does, because Azure
 * deployment names cannot contain dots (https://github.com/songquanpeng/one-api/issues/1191):
 * `gpt-3.5-turbo` → deployment `gpt-35-turbo`.
 * https://learn.microsoft.com/en-us/azure/ai-services/openai/reference
 */
export class AzureAdapter implements ProviderAdapter {
  readonly name = 'Azure OpenAI';
  readonly wireFormat = 'openai' as const;
  // Azure OpenAI has no moderations or edits endpoint.
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>([
    'chat',
    'completions',
    'embeddings',
    'images',
    // gpt-image deployments: /openai/deployments/{deployment}/images/edits (Azure has no variations).
    'images.edits',
    'audio.speech',
    'audio.transcriptions',
    'audio.translations',
    'responses',
  ]);

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, model: string): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const base = resolveBaseUrl(ch);
    // The Responses API lives only on Azure's OpenAI-compatible v1 surface: no deployment in the
    // URL and no api-version; the body's `model` names the deployment.
    // https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/responses
    if (mode === 'responses') return `${base}/openai/v1/responses`;
    const deployment = encodeURIComponent(model.replace(/\./g, ''));
    const task = OPENAI_PATHS[mode].slice('/v1/'.length);
    const query = `?api-version=${encodeURIComponent(azureApiVersion(ch))}`;
    // Cloudflare AI Gateway's Azure route already contains the resource and "deployments" part.
    if (isCloudflareGateway(base)) return `${base}/${deployment}/${task}${query}`;
    return `${base}/openai/deployments/${deployment}/${task}${query}`;
  }

  /**
   * Only the Responses body changes: its `model` names the deployment, so it gets the mapped model
   * with dots removed, as chat's URL does (clients send the model name, e.g. `gpt-4.1`). Every
   * other mode passes through (undefined).
   */
  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: { upstreamModel: string }): Record<string, unknown> | undefined {
    if (mode !== 'responses') return undefined;
    return { ...body, model: ctx.upstreamModel.replace(/\./g, '') };
  }

  requestHeaders(ch: ChannelContext, _mode: RelayMode, incoming: IncomingHeaders): Record<string, string> {
    return { ...commonHeaders(incoming), 'api-key': ch.key };
  }

  /**
   * `stream_options` arrived in api-version 2024-09-01-preview; older versions answer 400
   * "Unrecognized request argument supplied: stream_options".
   */
  acceptsStreamOptions(ch: ChannelContext): boolean {
    return azureApiVersion(ch).slice(0, 10) >= '2024-09-01';
  }
}
