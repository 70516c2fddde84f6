import { ChannelType } from '@oneapi/domain';
import type { ChannelContext, RelayMode } from '../adapter.types';
import { AdapterNotImplementedError, ChannelConfigError } from '../errors';
import { getAdapter } from '../registry';

const azure = getAdapter(ChannelType.Azure);
const ch = (config: Record<string, string> = {}, baseUrl = 'https://res.openai.azure.com/'): ChannelContext => ({
  id: 3,
  type: ChannelType.Azure,
  key: 'azure-key',
  baseUrl,
  config,
});

describe('Azure adapter', () => {
  it.each<[RelayMode, string]>([
    ['chat', 'chat/completions'],
    ['completions', 'completions'],
    ['embeddings', 'embeddings'],
    ['images', 'images/generations'],
    ['audio.speech', 'audio/speech'],
    ['audio.transcriptions', 'audio/transcriptions'],
    ['audio.translations', 'audio/translations'],
  ])('%s → /openai/deployments/{model without dots}/%s?api-version=…', (mode, task) => {
    expect(azure.requestUrl(ch(), mode, 'gpt-3.5-turbo')).toBe(
      `https://res.openai.azure.com/openai/deployments/gpt-35-turbo/${task}?api-version=2024-03-01-preview`,
    );
  });

  it('responses → the v1 surface, no deployment in the URL and no api-version', () => {
    expect(azure.requestUrl(ch({ api_version: '2024-10-21' }), 'responses', 'gpt-4.1-mini')).toBe('https://res.openai.azure.com/openai/v1/responses');
  });

  it("uses the channel's api_version", () => {
    expect(azure.requestUrl(ch({ api_version: '2024-10-21' }), 'chat', 'gpt-4.1-mini')).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt-41-mini/chat/completions?api-version=2024-10-21',
    );
  });

  it('sends api-key instead of Authorization', () => {
    const headers = azure.requestHeaders(ch(), 'chat', {});
    expect(headers).toEqual({ 'Content-Type': 'application/json', 'api-key': 'azure-key' });
  });

  it('has no moderations or edits, and requires a base URL', () => {
    expect(() => azure.requestUrl(ch(), 'moderations', 'm')).toThrow(AdapterNotImplementedError);
    expect(() => azure.requestUrl(ch(), 'edits', 'm')).toThrow(AdapterNotImplementedError);
    expect(() => azure.requestUrl(ch({}, ''), 'chat', 'm')).toThrow(ChannelConfigError);
  });

  it('asks for stream usage only on api-versions that accept stream_options', () => {
    expect(azure.acceptsStreamOptions(ch())).toBe(false);
    expect(azure.acceptsStreamOptions(ch({ api_version: '2024-10-21' }))).toBe(true);
    expect(azure.acceptsStreamOptions(ch({ api_version: '2025-01-01-preview' }))).toBe(true);
  });
});
