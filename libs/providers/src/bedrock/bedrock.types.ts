import type { AnthropicRequest } from '../anthropic/anthropic.types';

/** AWS credentials of a Bedrock channel. */
export interface BedrockCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/**
 * The InvokeModel body for Anthropic models: the Messages API body without `model` (it is in the
 * URL), `stream` (the URL says it) and `metadata`, which Bedrock refuses as extraneous keys, plus
 * `anthropic_version` (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html).
 */
export type BedrockClaudeRequest = Omit<AnthropicRequest, 'model' | 'stream' | 'metadata'> & { anthropic_version: string };

/** One decoded AWS event-stream message (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html). */
export interface EventStreamMessage {
  headers: Record<string, string>;
  payload: Buffer;
}
