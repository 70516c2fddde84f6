import type { ConversionContext, ResponseConversion, Usage } from '../adapter.types';
import { UnsupportedParameterError, UpstreamReplyError } from '../errors';
import { asChatRequest, num, partsOf, stopList, textOf } from '../native/openai-chat.types';
import { completionId, usageOf } from '../native/openai-chunks';
import type { BaiduChatRequest, BaiduChatResponse, BaiduMessage, BaiduUsage } from './baidu.types';

/**
 * Model name → wenxinworkshop endpoint (One API's relay/adaptor/baidu/adaptor.go GetRequestURL);
 * other names are lower-cased, which is Baidu's naming for the newer endpoints.
 */
export const BAIDU_CHAT_ENDPOINTS: Readonly<Record<string, string>> = {
  'ERNIE-4.0': 'completions_pro',
  'ERNIE-Bot-4': 'completions_pro',
  'ERNIE-Bot': 'completions',
  'ERNIE-Bot-turbo': 'eb-instant',
  'ERNIE-Speed': 'ernie_speed',
  'ERNIE-4.0-8K': 'completions_pro',
  'ERNIE-3.5-8K': 'completions',
  'ERNIE-3.5-8K-0205': 'ernie-3.5-8k-0205',
  'ERNIE-3.5-8K-1222': 'ernie-3.5-8k-1222',
  'ERNIE-Bot-8K': 'ernie_bot_8k',
  'ERNIE-3.5-4K-0205': 'ernie-3.5-4k-0205',
  'ERNIE-Speed-8K': 'ernie_speed',
  'ERNIE-Speed-128K': 'ernie-speed-128k',
  'ERNIE-Lite-8K-0922': 'eb-instant',
  'ERNIE-Lite-8K-0308': 'ernie-lite-8k',
  'ERNIE-Tiny-8K': 'ernie-tiny-8k',
  'BLOOMZ-7B': 'bloomz_7b1',
};

export function baiduChatEndpoint(model: string): string {
  return BAIDU_CHAT_ENDPOINTS[model] ?? model.toLowerCase();
}

/**
 * OpenAI chat body → ERNIE chat: system messages join `system`, user/assistant turns keep their
 * text. ERNIE v1 has no tools and no image input: those answer 400 naming the parameter.
 */
export function toBaiduChatRequest(body: Record<string, unknown>): BaiduChatRequest {
  const req = asChatRequest(body);
  if (Array.isArray(req.tools) && req.tools.length > 0) throw new UnsupportedParameterError('tools', 'tools: Baidu ERNIE (v1) has no function calling; use Baidu Qianfan V2 (47)');
  if (num(req.n) !== undefined && (num(req.n) ?? 1) > 1) throw new UnsupportedParameterError('n', 'n: Baidu ERNIE returns one choice');
  const system: string[] = [];
  const messages: BaiduMessage[] = [];
  for (const [i, m] of req.messages.entries()) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(textOf(m.content));
      continue;
    }
    if (m.role !== 'user' && m.role !== 'assistant') throw new UnsupportedParameterError(`messages[${i}].role`, `messages[${i}].role: ${m.role} messages are not supported by Baidu ERNIE (v1)`);
    if (partsOf(m.content).some((p) => p.type !== 'text')) throw new UnsupportedParameterError(`messages[${i}].content`, `messages[${i}].content: Baidu ERNIE (v1) takes text only`);
    messages.push({ role: m.role, content: textOf(m.content) });
  }
  const out: BaiduChatRequest = { messages };
  if (system.length > 0) out.system = system.join('\n');
  if (req.stream === true) out.stream = true;
  const temperature = num(req.temperature);
  // ERNIE's temperature is (0, 1]: 0 would be refused, so it becomes the smallest value it takes.
  if (temperature !== undefined) out.temperature = Math.min(1, Math.max(0.01, temperature));
  const topP = num(req.top_p);
  if (topP !== undefined) out.top_p = topP;
  const maxTokens = num(req.max_completion_tokens) ?? num(req.max_tokens);
  if (maxTokens !== undefined) out.max_output_tokens = maxTokens;
  const stop = stopList(req.stop);
  if (stop) out.stop = stop;
  if (typeof req.user === 'string' && req.user !== '') out.user_id = req.user;
  return out;
}

/** Baidu's usage; completion tokens derived from the total as One API does when they are missing. */
export function baiduUsage(u: BaiduUsage | undefined): Usage | undefined {
  if (!u || (u.total_tokens === undefined && u.prompt_tokens === undefined)) return undefined;
  const prompt = num(u.prompt_tokens) ?? 0;
  const completion = num(u.completion_tokens) ?? Math.max(0, (num(u.total_tokens) ?? prompt) - prompt);
  return usageOf(prompt, completion);
}

/** HTTP status each ERNIE error code stands for (https://cloud.baidu.com/doc/WENXINWORKSHOP/s/tlmyncueh). */
function baiduErrorStatus(code: number): number {
  if ([4, 6, 13, 14, 15, 100, 110, 111].includes(code)) return 401; // auth: no permission, invalid or expired token
  if ([17, 18, 19, 336501, 336502].includes(code)) return 429; // daily limit, QPS limit, total limit
  if (code === 3) return 404;
  if (code >= 336000 && code < 336100) return 400; // invalid argument, bad messages
  return 500;
}

/** ERNIE's error fields (it answers them with HTTP 200) as the error they stand for. */
export function baiduError(r: BaiduChatResponse): UpstreamReplyError | undefined {
  if (typeof r.error_code !== 'number' || r.error_code === 0) return undefined;
  return new UpstreamReplyError(baiduErrorStatus(r.error_code), `Baidu error ${r.error_code}: ${r.error_msg ?? ''}`, 'baidu_error');
}

/** ERNIE reply → OpenAI `chat.completion`. */
export function fromBaiduChatResponse(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  const r = body as BaiduChatResponse;
  if (typeof r !== 'object' || r === null) throw new Error('not a Baidu chat reply');
  const error = baiduError(r);
  if (error) throw error;
  const usage = baiduUsage(r.usage);
  const finish = r.finish_reason === 'length' ? 'length' : r.finish_reason === 'content_filter' ? 'content_filter' : 'stop';
  const out: Record<string, unknown> = {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: ctx.requestModel,
    choices: [{ index: 0, message: { role: 'assistant', content: r.result ?? '' }, logprobs: null, finish_reason: finish }],
  };
  if (usage) out.usage = usage;
  return { body: out, usage };
}
