import type { LogEntity } from '@oneapi/data';
import type { LogView } from '@oneapi/domain';

export type { LogView };

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
    system_prompt_reset: l.systemPromptReset,
  };
  if (withChannel) view.channel = l.channelId;
  return view;
}
