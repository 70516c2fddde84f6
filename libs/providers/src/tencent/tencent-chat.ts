import type { ChannelContext, ConversionContext, ResponseConversion, Usage } from '../adapter.types';
import { ChannelConfigError, UnsupportedParameterError, UpstreamReplyError } from '../errors';
import { asChatRequest, functionTools, num, partsOf, stopList, textOf } from '../native/openai-chat.types';
import { completionId, usageOf } from '../native/openai-chunks';
import type { OpenAIFinishReason } from '../stop-reasons';
import type { TencentChatRequest, TencentChatResponse, TencentCredentials, TencentMessage, TencentToolCall, TencentUsage } from './tencent.types';

/** The key `AppId|SecretId|SecretKey` (One API's tencent ParseConfig); the AppId is not used by API 3.0. */
export function tencentCredentials(ch: ChannelContext): TencentCredentials {
  const parts = ch.key.split('|').map((p) => p.trim());
  if (parts.length !== 3 || !parts[1] || !parts[2]) throw new ChannelConfigError(ch.id, 'Tencent Hunyuan keys are "AppId|SecretId|SecretKey"');
  return { secretId: parts[1], secretKey: parts[2] };
}

/**
 * OpenAI chat body → Hunyuan ChatCompletions: roles and tool turns keep their meaning (tool
 * schemas as JSON strings, as Hunyuan wants them); `tool_choice` required or a named function
 * becomes `custom` over that tool. Image parts answer 400 naming the message (text models).
 */
export function toTencentChatRequest(body: Record<string, unknown>, ctx: ConversionContext): TencentChatRequest {
  const req = asChatRequest(body);
  if ((num(req.n) ?? 1) > 1) throw new UnsupportedParameterError('n', 'n: Tencent Hunyuan returns one choice');
  const messages: TencentMessage[] = [];
  for (const [i, m] of req.messages.entries()) {
    if (partsOf(m.content).some((p) => p.type !== 'text')) throw new UnsupportedParameterError(`messages[${i}].content`, `messages[${i}].content: only text is relayed to Tencent Hunyuan`);
    const content = textOf(m.content);
    switch (m.role) {
      case 'system':
      case 'developer':
        messages.push({ Role: 'system', Content: content });
        break;
      case 'user':
        messages.push({ Role: 'user', Content: content });
        break;
      case 'assistant': {
        const calls = (m.tool_calls ?? []).filter((c) => c?.type === 'function');
        messages.push({
          Role: 'assistant',
          ...(content !== '' || calls.length === 0 ? { Content: content } : {}),
          ...(calls.length > 0 ? { ToolCalls: calls.map((c) => ({ Id: c.id, Type: 'function' as const, Function: { Name: c.function.name, Arguments: c.function.arguments || '{}' } })) } : {}),
        });
        break;
      }
      case 'tool':
        messages.push({ Role: 'tool', Content: content, ToolCallId: m.tool_call_id ?? '' });
        break;
      default:
        throw new UnsupportedParameterError(`messages[${i}].role`, `messages[${i}].role: ${m.role} is not a Tencent Hunyuan role`);
    }
  }
  const out: TencentChatRequest = { Model: ctx.upstreamModel, Messages: messages };
  if (req.stream === true) out.Stream = true;
  const temperature = num(req.temperature);
  if (temperature !== undefined) out.Temperature = temperature;
  const topP = num(req.top_p);
  if (topP !== undefined) out.TopP = topP;
  const stop = stopList(req.stop);
  if (stop) out.Stop = stop;
  const seed = num(req.seed);
  if (seed !== undefined) out.Seed = seed;
  const tools = functionTools(req.tools).map((f) => ({
    Type: 'function' as const,
    Function: { Name: f.name, Parameters: JSON.stringify(f.parameters ?? { type: 'object', properties: {} }), ...(f.description ? { Description: f.description } : {}) },
  }));
  if (tools.length > 0) {
    out.Tools = tools;
    const choice = req.tool_choice;
    if (choice === 'none') out.ToolChoice = 'none';
    else if (choice === 'required' && tools.length === 1) {
      out.ToolChoice = 'custom';
      out.CustomTool = tools[0];
    } else if (typeof choice === 'object' && choice?.type === 'function') {
      const named = tools.find((t) => t.Function.Name === choice.function.name);
      if (!named) throw new UnsupportedParameterError('tool_choice', `tool_choice: no tool named ${choice.function.name}`);
      out.ToolChoice = 'custom';
      out.CustomTool = named;
    } else if (choice === 'required') throw new UnsupportedParameterError('tool_choice', 'tool_choice: Hunyuan can force one named tool, not "any of several"');
  }
  return out;
}

/** Hunyuan's finish reasons (`sensitive`: the reply was filtered). */
export function tencentFinishReason(reason: string | undefined, hadCalls: boolean): OpenAIFinishReason {
  if (reason === 'tool_calls' || hadCalls) return 'tool_calls';
  if (reason === 'length') return 'length';
  if (reason === 'sensitive') return 'content_filter';
  return 'stop';
}

export function tencentUsage(u: TencentUsage | undefined): Usage | undefined {
  if (!u || u.PromptTokens === undefined) return undefined;
  const prompt = num(u.PromptTokens) ?? 0;
  return usageOf(prompt, num(u.CompletionTokens) ?? Math.max(0, (num(u.TotalTokens) ?? prompt) - prompt));
}

/** HTTP status of a Tencent Cloud error code (https://cloud.tencent.com/document/api/1729/101840). */
function tencentErrorStatus(code: string): number {
  if (code.startsWith('AuthFailure') || code === 'UnauthorizedOperation' || code.startsWith('UnauthorizedOperation.')) return 401;
  if (code.startsWith('RequestLimitExceeded') || code.startsWith('LimitExceeded')) return 429;
  if (code.startsWith('InvalidParameter') || code.startsWith('MissingParameter') || code.startsWith('UnknownParameter') || code.startsWith('UnsupportedOperation')) return 400;
  if (code.startsWith('FailedOperation.ServiceNotActivated') || code.startsWith('ResourceInsufficient') || code.startsWith('ResourceUnavailable')) return 402;
  return 500;
}

/** A `Response.Error` (Tencent answers errors with HTTP 200) as the error it stands for. */
export function tencentError(r: TencentChatResponse | undefined): UpstreamReplyError | undefined {
  const code = r?.Error?.Code;
  if (!code) return undefined;
  return new UpstreamReplyError(tencentErrorStatus(code), `${code}: ${r?.Error?.Message ?? ''}`, 'tencent_error');
}

export function openAIToolCalls(calls: TencentToolCall[] | undefined): Record<string, unknown>[] {
  return (calls ?? []).map((c) => ({ id: c.Id, type: 'function', function: { name: c.Function?.Name ?? '', arguments: c.Function?.Arguments ?? '' } }));
}

/** `{Response: {...}}` → OpenAI `chat.completion`. */
export function fromTencentChatResponse(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  const r = (body as { Response?: TencentChatResponse } | null)?.Response;
  if (typeof r !== 'object' || r === null) throw new Error('not a Tencent Hunyuan reply');
  const error = tencentError(r);
  if (error) throw error;
  const choice = r.Choices?.[0];
  const calls = openAIToolCalls(choice?.Message?.ToolCalls);
  const usage = tencentUsage(r.Usage);
  const message: Record<string, unknown> = { role: 'assistant', content: choice?.Message?.Content || (calls.length > 0 ? null : '') };
  if (calls.length > 0) message.tool_calls = calls;
  const out: Record<string, unknown> = {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: ctx.requestModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: tencentFinishReason(choice?.FinishReason, calls.length > 0) }],
  };
  if (usage) out.usage = usage;
  return { body: out, usage };
}
