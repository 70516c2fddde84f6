import type { ChannelContext, ConversionContext } from '../adapter.types';
import { toAnthropicRequest } from '../anthropic/anthropic-chat';
import { ChannelConfigError } from '../errors';
import type { BedrockClaudeRequest, BedrockCredentials } from './bedrock.types';

/** The Messages API version Bedrock takes in the body. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/**
 * Anthropic model names → Bedrock model ids, as One API maps them (relay/adaptor/aws/claude/main.go)
 * plus later models (https://docs.aws.amazon.com/bedrock/latest/userguide/model-ids.html). Other
 * names (already Bedrock ids such as `anthropic.…` or `us.anthropic.…` inference profiles) are sent as they are.
 */
export const BEDROCK_MODEL_IDS: Readonly<Record<string, string>> = {
  'claude-instant-1.2': 'anthropic.claude-instant-v1',
  'claude-2.0': 'anthropic.claude-v2',
  'claude-2.1': 'anthropic.claude-v2:1',
  'claude-3-haiku-20240307': 'anthropic.claude-3-haiku-20240307-v1:0',
  'claude-3-sonnet-20240229': 'anthropic.claude-3-sonnet-20240229-v1:0',
  'claude-3-opus-20240229': 'anthropic.claude-3-opus-20240229-v1:0',
  'claude-3-5-sonnet-20240620': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'claude-3-5-sonnet-20241022': 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  'claude-3-5-sonnet-latest': 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  'claude-3-5-haiku-20241022': 'anthropic.claude-3-5-haiku-20241022-v1:0',
  'claude-3-7-sonnet-20250219': 'anthropic.claude-3-7-sonnet-20250219-v1:0',
  'claude-sonnet-4-20250514': 'anthropic.claude-sonnet-4-20250514-v1:0',
  'claude-opus-4-20250514': 'anthropic.claude-opus-4-20250514-v1:0',
};

export function bedrockModelId(model: string): string {
  return BEDROCK_MODEL_IDS[model] ?? model;
}

/**
 * The channel's AWS credentials: One API stores them as the key `AK|SK|region` (its console
 * joins config.ak, config.sk and config.region that way) and in the config; the key wins.
 */
export function bedrockCredentials(ch: ChannelContext): BedrockCredentials {
  const parts = ch.key.split('|').map((p) => p.trim());
  const [accessKeyId, secretAccessKey, region] = parts.length >= 3 ? parts : [ch.config.ak ?? '', ch.config.sk ?? '', ch.config.region ?? ''];
  if (!accessKeyId || !secretAccessKey || !region) throw new ChannelConfigError(ch.id, 'AWS credentials must be "ACCESS_KEY|SECRET_KEY|region"');
  return { accessKeyId, secretAccessKey, region };
}

/** OpenAI chat body → InvokeModel body (the Anthropic conversion, reshaped for Bedrock). */
export function toBedrockClaudeRequest(body: Record<string, unknown>, ctx: ConversionContext): BedrockClaudeRequest {
  // Bedrock refuses these keys ("extraneous key [model] is not permitted"): the URL carries model and stream.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { model, stream, metadata, ...rest } = toAnthropicRequest(body, ctx);
  return { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...rest };
}
