import { ChannelConfigError } from '../errors';
import { toVertexRequest, vertexHost, vertexTarget } from './vertex-chat';

const SA = { client_email: 'a@p.iam.gserviceaccount.com', private_key: 'PEM', project_id: 'from-json' };
const ch = (key: string, config: Record<string, string> = {}) => ({ id: 7, type: 42, key, config });

describe('Vertex AI channel settings and request conversion', () => {
  it('reads region, project and service account from the config, else from the key region|project|json', () => {
    expect(vertexTarget(ch('x', { region: 'europe-west4', vertex_ai_project_id: 'p1', vertex_ai_adc: JSON.stringify(SA) }))).toEqual({ region: 'europe-west4', projectId: 'p1', serviceAccount: SA });
    expect(vertexTarget(ch(`us-central1|p2|${JSON.stringify(SA)}`))).toEqual({ region: 'us-central1', projectId: 'p2', serviceAccount: SA });
    expect(vertexTarget(ch(JSON.stringify(SA), { region: 'us-east5' })).projectId).toBe('from-json');
    expect(() => vertexTarget(ch('us-central1|p|not json'))).toThrow(ChannelConfigError);
  });

  it('uses the regional host, and the bare host for the global location', () => {
    expect(vertexHost('us-central1')).toBe('https://us-central1-aiplatform.googleapis.com');
    expect(vertexHost('global')).toBe('https://aiplatform.googleapis.com');
  });

  it('converts to Gemini for Google models and to Claude-on-Vertex for claude models', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 9 };
    expect(toVertexRequest(body, { requestModel: 'g', upstreamModel: 'gemini-2.0-flash' })).toMatchObject({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 9 } });
    expect(toVertexRequest(body, { requestModel: 'c', upstreamModel: 'claude-3-7-sonnet@20250219' })).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 9, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
  });
});
