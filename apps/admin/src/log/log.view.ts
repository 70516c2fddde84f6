import type { LogEntity } from '@oneapi/data';

/** A log row with One API's `json:` names (its ChannelId serialises as `channel`). */
export interface LogView {
  id: number;
  user_id: number;
  created_at: number;
  type: number;
  content: string;
  username: string;
  token_name: string;
  model_name: string;
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Admin views only: which channel served the request. */
  channel?: number;
  request_id: string;
  elapsed_time: number;
  is_stream: boolean;
}

export function toLogView(l: LogEntity, withChannel: boolean): LogView {
  const view: LogView = {
    id: l.id,
    user_id: l.userId,
    created_at: l.createdAt,
    type: l.type,
    content: l.content ?? '',
    username: l.username,
    token_name: l.tokenName,
    model_name: l.modelName,
    quota: l.quota,
    prompt_tokens: l.promptTokens,
    completion_tokens: l.completionTokens,
    request_id: l.requestId,
    elapsed_time: l.elapsedTime,
    is_stream: l.isStream,
  };
  if (withChannel) view.channel = l.channelId;
  return view;
}
