import type { ClientProtocol } from '../client-protocol';
import { chatToMessage, messagesIgnored, messagesToChat } from './messages-chat';
import { messagesErrorBody } from './messages-errors';
import { MessagesEventReader, MessagesStreamWriter, usageOfAnthropic } from './messages-stream';

/**
 * Anthropic's Messages API as a client protocol: native on channels whose adapter declares
 * `messages` (Anthropic), through the chat bridge on every other chat channel, errors in
 * Anthropic's shape. `anthropic-version` and `anthropic-beta` reach native upstreams.
 */
export const anthropicMessages: ClientProtocol = {
  name: 'anthropic-messages',
  mode: 'messages',
  // @anthropic-ai/sdk reads `request-id` into `_request_id`.
  requestIdHeader: 'request-id',
  forwardHeaders: ['anthropic-version', 'anthropic-beta'],
  errorBody: messagesErrorBody,
  replyUsage: (body) => usageOfAnthropic(typeof body === 'object' && body !== null ? (body as { usage?: unknown }).usage : undefined),
  nativeStream: () => new MessagesEventReader(),
  toChat: messagesToChat,
  fromChat: chatToMessage,
  chatStream: (ctx) => new MessagesStreamWriter(ctx),
  bridgeIgnored: messagesIgnored,
};
