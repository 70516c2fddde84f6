/** ERNIE (Qianfan v1, wenxinworkshop) chat shapes: https://cloud.baidu.com/doc/WENXINWORKSHOP/s/jlil56u11 */

export interface BaiduMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface BaiduChatRequest {
  messages: BaiduMessage[];
  system?: string;
  temperature?: number;
  top_p?: number;
  stream?: boolean;
  max_output_tokens?: number;
  stop?: string[];
  user_id?: string;
}

export interface BaiduUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** A reply, or one stream event (`is_end` on the last); errors come as `error_code`/`error_msg`, often with HTTP 200. */
export interface BaiduChatResponse {
  id?: string;
  created?: number;
  result?: string;
  is_end?: boolean;
  finish_reason?: string;
  usage?: BaiduUsage;
  error_code?: number;
  error_msg?: string;
}
