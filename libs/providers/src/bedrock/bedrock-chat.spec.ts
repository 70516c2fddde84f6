import { ChannelConfigError } from '../errors';
import { BEDROCK_ANTHROPIC_VERSION, bedrockCredentials, bedrockModelId, toBedrockClaudeRequest } from './bedrock-chat';

const ch = (key: string, config: Record<string, string> = {}) => ({ id: 9, type: 33, key, config });

describe('Bedrock Claude request conversion', () => {
  it('is the Anthropic body without model, stream and metadata, with anthropic_version', () => {
    const body = toBedrockClaudeRequest(
      { model: 'claude-3-5-sonnet-20241022', stream: true, user: 'u-1', max_tokens: 30, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] },
      { requestModel: 'claude-3-5-sonnet-20241022', upstreamModel: 'claude-3-5-sonnet-20241022' },
    );
    expect(body).toEqual({ anthropic_version: BEDROCK_ANTHROPIC_VERSION, system: 'Be brief.', max_tokens: 30, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
  });

  it('maps Anthropic model names to Bedrock ids (One API’s table) and passes Bedrock ids through', () => {
    expect(bedrockModelId('claude-3-5-sonnet-20241022')).toBe('anthropic.claude-3-5-sonnet-20241022-v2:0');
    expect(bedrockModelId('us.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBe('us.anthropic.claude-3-7-sonnet-20250219-v1:0');
  });

  it('reads credentials from the key AK|SK|region, else from config ak/sk/region', () => {
    expect(bedrockCredentials(ch('AKIA1|s3cr3t|eu-west-1'))).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t', region: 'eu-west-1' });
    expect(bedrockCredentials(ch('', { ak: 'AKIA2', sk: 'x', region: 'us-east-1' }))).toEqual({ accessKeyId: 'AKIA2', secretAccessKey: 'x', region: 'us-east-1' });
    expect(() => bedrockCredentials(ch('only-a-key'))).toThrow(ChannelConfigError);
  });
});
