import { CHANNEL_TYPES, getChannelType, type ChannelTypeInfo } from '@oneapi/domain';
import type { ProviderAdapter } from './adapter.types';
import { AIProxyLibraryAdapter } from './aiproxy-library/aiproxy-library.adapter';
import { createAnthropicAdapter } from './anthropic/anthropic.adapter';
import { AzureAdapter } from './azure/azure.adapter';
import { BaiduAdapter } from './baidu/baidu.adapter';
import { createBedrockAdapter } from './bedrock/bedrock.adapter';
import { CloudflareAdapter } from './cloudflare/cloudflare.adapter';
import { CohereAdapter } from './cohere/cohere.adapter';
import { CozeAdapter } from './coze/coze.adapter';
import { XunfeiAdapter } from './xunfei/xunfei.adapter';
import { DeepLAdapter } from './deepl/deepl.adapter';
import { createGeminiAdapter } from './gemini/gemini.adapter';
import { NotImplementedAdapter } from './not-implemented.adapter';
import { compatibleProfile } from './openai/compatible-profiles';
import { OpenAIAdapter } from './openai/openai.adapter';
import { ReplicateAdapter } from './replicate/replicate.adapter';
import { TencentAdapter } from './tencent/tencent.adapter';
import { createVertexAdapter } from './vertex/vertex.adapter';

function buildAdapter(info: ChannelTypeInfo): ProviderAdapter {
  switch (info.adapter) {
    case 'openai':
      return new OpenAIAdapter(info.name, info.id, compatibleProfile(info.id), info.defaultModels);
    case 'azure':
      return new AzureAdapter(info.defaultModels);
    case 'anthropic':
      return createAnthropicAdapter(info.defaultModels);
    case 'gemini':
      return createGeminiAdapter(info.defaultModels);
    case 'cohere':
      return new CohereAdapter(info.defaultModels);
    case 'bedrock':
      return createBedrockAdapter(info.defaultModels);
    case 'vertex':
      return createVertexAdapter(info.defaultModels);
    case 'cloudflare':
      return new CloudflareAdapter(info.name, info.id, info.defaultModels);
    case 'baidu':
      return new BaiduAdapter(info.defaultModels);
    case 'tencent':
      return new TencentAdapter(info.defaultModels);
    case 'replicate':
      return new ReplicateAdapter(info.defaultModels);
    case 'coze':
      return new CozeAdapter(info.defaultModels);
    case 'xunfei':
      return new XunfeiAdapter(info.defaultModels);
    case 'aiproxy-library':
      return new AIProxyLibraryAdapter(info.defaultModels);
    case 'deepl':
      return new DeepLAdapter(info.defaultModels);
    case 'proxy':
      // Served by the relay's /v1/oneapi/proxy route, not through an adapter: every OpenAI endpoint says so.
      return new NotImplementedAdapter(info.name, 'Proxy channels serve only /v1/oneapi/proxy/{channel id}/{path}, not the OpenAI endpoints', info.defaultModels);
    case 'unsupported':
      return new NotImplementedAdapter(info.name, info.notImplementedReason ?? `channel type ${info.name} (${info.id}) is not supported yet`, info.defaultModels);
  }
}

/** One adapter per registry entry; adapters are stateless, so they are shared. */
const ADAPTERS = new Map<number, ProviderAdapter>(CHANNEL_TYPES.map((info) => [info.id, buildAdapter(info)]));

/**
 * The adapter for One API's numeric channel type. Unknown ids get an adapter that answers 501
 * for everything, so callers never need a null check.
 */
export function getAdapter(channelType: number): ProviderAdapter {
  return (
    ADAPTERS.get(channelType) ??
    new NotImplementedAdapter(getChannelType(channelType)?.name ?? `unknown type ${channelType}`, `unknown channel type ${channelType}`)
  );
}
