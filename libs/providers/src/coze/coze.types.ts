/** Coze chat API v3 (https://www.coze.com/docs/developer_guides/chat_v3), the parts the relay uses. */

export interface CozeMessage {
  role: 'user' | 'assistant';
  content: string;
  content_type: 'text';
  type?: 'question' | 'answer';
}

export interface CozeChatRequest {
  bot_id: string;
  user_id: string;
  stream: true;
  auto_save_history: boolean;
  additional_messages: CozeMessage[];
}

/** `conversation.message.delta` / `.completed` data. */
export interface CozeStreamMessage {
  role?: string;
  type?: string;
  content?: string;
  content_type?: string;
}

/** `conversation.chat.completed` / `.failed` data. */
export interface CozeChat {
  status?: string;
  usage?: { token_count?: number; output_count?: number; input_count?: number };
  last_error?: { code?: number; msg?: string };
}

/** What Coze answers (HTTP 200) when it refuses a request before streaming. */
export interface CozeErrorBody {
  code?: number;
  msg?: string;
}
