/**
 * @oneapi/providers — upstream adapters keyed by One API's channel types, and balance queries.
 *
 *   const adapter = getAdapter(channel.type);
 *   if (!adapter.endpoints.has(mode)) → 501 api_not_implemented
 *   const url = adapter.requestUrl(ch, mode, upstreamModel);
 *   const headers = adapter.requestHeaders(ch, mode, { contentType, accept });
 *   const body = adapter.convertRequest ? JSON.stringify(adapter.convertRequest(mode, json, ctx)) : clientBytes (model replaced if mapped);
 *
 * or, in one step shared by the relay and the worker's channel test (exchange/):
 *   const ch = channelContextOf(row, decodeKey);
 *   const req = prepareUpstreamRequest(adapter, ch, mode, input);   // url, headers, body, wantUsage
 *   const call = upstreamClient.send(req);  ... call.stream(sink) | call.collect(limit)
 *   const verdict = classifyUpstreamError(adapter, { status, headers, text, secrets: [ch.key] });
 *   const result = await exchange(upstreamClient, adapter, ch, mode, body, opts);  // all of it, read to the end
 */
export * from './adapter.types';
export * from './errors';
export { resolveBaseUrl } from './base-url';
export { getAdapter } from './registry';
export { OpenAIAdapter } from './openai/openai.adapter';
export { COMPATIBLE_PROFILES, DEFAULT_PROFILE, GEMINI_OPENAI_PROFILE, compatibleProfile, type CompatibleProfile } from './openai/compatible-profiles';
export { readUsage, readResponsesUsage, usageFromStreamData } from './openai/usage';
export { AzureAdapter, azureApiVersion } from './azure/azure.adapter';
export { NotImplementedAdapter } from './not-implemented.adapter';
export * from './stop-reasons';
export { queryBalance, isBalanceQuerySupported, type BalanceResult, type BalanceOptions } from './balance/balance';
export { undiciBalanceFetch, createBalanceFetch, type BalanceFetch } from './balance/balance-http';
export { proxyUrlProblem, createProxyAgent, PROXY_PROTOCOLS } from './exchange/proxy';
export { UserContentFetcher, inlineImageUrls, type UserContentOptions } from './exchange/user-content';
export { AnthropicAdapter, ANTHROPIC_VERSION, anthropicBetaHeader } from './anthropic/anthropic.adapter';
export { toAnthropicRequest, fromAnthropicResponse, anthropicErrorToOpenAI, anthropicUsage, ANTHROPIC_DEFAULT_MAX_TOKENS } from './anthropic/anthropic-chat';
export { convertAnthropicStreamEvent } from './anthropic/anthropic-stream';
export { GeminiAdapter, GEMINI_DEFAULT_API_VERSION, geminiApiVersion, setGeminiDefaultVersion } from './gemini/gemini.adapter';
export { toGeminiRequest, fromGeminiResponse, geminiErrorToOpenAI, geminiUsage } from './gemini/gemini-chat';
export { convertGeminiStreamEvent } from './gemini/gemini-stream';
export { CohereAdapter } from './cohere/cohere.adapter';
export { toCohereRerankRequest, fromCohereRerankResponse, rerankDocumentText } from './cohere/rerank';
export { toGeminiEmbeddingRequest, fromGeminiEmbeddingResponse } from './gemini/gemini-embeddings';
export { newStreamState, type OpenAIErrorBody } from './native/openai-chunks';
export { callAdapter, type AdapterCallResult, type AdapterCallOptions } from './native/adapter-call';
export * from './channel-failure';
export {
  UpstreamCall,
  UpstreamClient,
  UpstreamBodyTooLargeError,
  type UpstreamClientOptions,
  type UpstreamRequest,
  type UpstreamSink,
  type UpstreamSource,
} from './exchange/upstream-client';
export { channelContextOf, modelMappingOf, channelModelsOf, type ChannelContextRow } from './exchange/channel-context';
export { setMultipartField, upstreamBody, type ClientRequestBody } from './exchange/request-body';
export { prepareUpstreamRequest, type PrepareInput, type PreparedUpstreamRequest } from './exchange/prepare';
export { authorizeUpstreamRequest, classifyAuthorizationFailure, upstreamAuthHttp } from './exchange/authorize';
export { DecodedSource } from './exchange/decoded-source';
export { assembleStreamedReply } from './native/assemble-stream';
export { sanitizeUpstreamText, SANITIZED_MAX_LENGTH } from './exchange/sanitize';
export {
  classifyUpstreamError,
  classifyTransportError,
  classifyUnreadableReply,
  retryAfterSecondsOf,
  upstreamErrorToOpenAI,
  type OpenAIErrorObject,
  type UpstreamErrorKind,
  type UpstreamErrorReply,
  type UpstreamErrorVerdict,
} from './exchange/classify';
export { exchange, type ExchangeOptions, type ExchangeResult, type ExchangeSuccess, type ExchangeFailure } from './exchange/exchange';
