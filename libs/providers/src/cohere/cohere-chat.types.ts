/** Cohere Chat API v2 shapes (https://docs.cohere.com/reference/chat), the parts the relay uses. */

export type CohereContent = string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } })[];

export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type CohereMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: CohereContent }
  | { role: 'assistant'; content?: string; tool_calls?: CohereToolCall[]; tool_plan?: string }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  stream?: boolean;
  tools?: CohereTool[];
  tool_choice?: 'REQUIRED' | 'NONE';
  max_tokens?: number;
  stop_sequences?: string[];
  temperature?: number;
  p?: number;
  k?: number;
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  response_format?: { type: 'text' | 'json_object'; json_schema?: Record<string, unknown> };
}

export interface CohereUsage {
  /** What Cohere bills. */
  billed_units?: { input_tokens?: number; output_tokens?: number };
  /** What the model saw (prompt template included). */
  tokens?: { input_tokens?: number; output_tokens?: number };
}

export interface CohereChatResponse {
  id: string;
  finish_reason?: string;
  message?: { role: 'assistant'; content?: { type: string; text?: string }[]; tool_calls?: CohereToolCall[]; tool_plan?: string };
  usage?: CohereUsage;
}
