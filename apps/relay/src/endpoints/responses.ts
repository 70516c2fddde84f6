import type { RoutingTable } from '../routing/channel-router.service';
import { homeOf, keyHash, type ResponseAffinity } from '../protocols/responses-affinity';
import { countableMessages } from '../protocols/responses-chat';
import { responsesProtocol, takeCreatedId } from '../protocols/responses-protocol';
import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';
import { billTokens } from './token-billing';

/**
 * POST /v1/responses (OpenAI's Responses API): native on OpenAI and Azure channels, through the
 * stateless chat bridge elsewhere (protocols/responses-*). A follow-up (`previous_response_id`)
 * goes to the channel that created the response and nowhere else; a stored response created
 * natively is recorded there. Priced like chat: prompt counted from the input, usage billed, with
 * cached input tokens at the cache-read ratio.
 */
export const responses: Endpoint = {
  mode: 'responses',
  path: '/v1/responses',
  protocol: responsesProtocol,
  parse: (body, contentType) => parseRequest('responses', body, contentType),
  reply: (p) => (p.stream ? 'sse' : 'json'),
  promptTokens: (p, pricing) => pricing.messagesTokens(countableMessages(p.json), p.model),
  reserve: (p, promptTokens, ratios, pricing) => pricing.reserve(promptTokens, p.maxTokens, ratios),
  bill: (produced, p, priced, pricing) => {
    const usage = produced.usage;
    if (!usage) return billTokens(produced, p, priced, pricing, true);
    // Cached input tokens (input_tokens_details.cached_tokens) at the domain's cache-read ratio.
    const prompt = usage.prompt_tokens || priced.promptTokens;
    const cache = { read: usage.cache_read_tokens ?? 0, write: usage.cache_write_tokens ?? 0 };
    return { prompt, completion: usage.completion_tokens, quota: pricing.settle(prompt, usage.completion_tokens, priced.ratios, cache) };
  },
  home: (p, caller, table: RoutingTable, homes: ResponseAffinity) => {
    const previous = p.json.previous_response_id;
    if (typeof previous !== 'string' || previous === '') return Promise.resolve(null);
    return homeOf(homes, table.channels, caller.user.id, previous, 'previous_response_id', true);
  },
  delivered: (rq, d, homes) => {
    const json = d.produced.json as { id?: unknown } | undefined;
    const id = d.stream ? takeCreatedId(rq.req.id) : typeof json?.id === 'string' ? json.id : undefined;
    // Bridged replies keep no state upstream; `store: false` ones neither.
    if (!id || rq.parsed.json.store === false || !d.channel.adapter.endpoints.has('responses')) return;
    void homes.remember(id, { channelId: d.channel.id, keyHash: keyHash(d.channel.ctx.key), userId: rq.caller.user.id });
  },
};
