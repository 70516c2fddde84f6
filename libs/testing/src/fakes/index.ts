/** Fake upstream providers (real HTTP servers on 127.0.0.1) for relay and worker tests. */
export { startFakeOpenAI, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
export { startFakeAzure } from './fake-azure';
export type { FakeUpstreamRequest, UpstreamServer } from './fake-server';
export { peakInFlight } from './fake-server';
export { DEFAULT_BALANCE, DEFAULT_KNOBS, knobsFromModel, openAIError, type FakeBalance, type FakeKnobs } from './openai-responder';
export { startFakeAnthropic, anthropicError } from './anthropic.fake';
export { startFakeGemini, geminiError } from './gemini.fake';
export { startFakeBedrock, encodeEventStreamMessage, bedrockChunk, bedrockException, type FakeBedrockOptions } from './bedrock.fake';
export { startFakeRerank, fakeRerankTokens, type FakeRerankOptions, type RerankFlavor } from './rerank.fake';
export { startFakeVertex, type FakeVertex, type FakeVertexOptions } from './vertex.fake';
export { startFakeCohere, COHERE_TEMPLATE_TOKENS } from './cohere.fake';
export { startFakeCloudflare, type FakeCloudflare, type FakeCloudflareOptions } from './cloudflare.fake';
export { startFakeBaidu, type FakeBaidu, type FakeBaiduOptions } from './baidu.fake';
export { startFakeTencent, type FakeTencentOptions } from './tencent.fake';
export { startFakeReplicate } from './replicate.fake';
export { startFakeCoze } from './coze.fake';
export { startFakeAIProxyLibrary } from './aiproxy-library.fake';
export { startFakeDeepL } from './deepl.fake';
