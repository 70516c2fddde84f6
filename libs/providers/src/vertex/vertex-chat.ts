import type { ChannelContext, ConversionContext } from '../adapter.types';
import { toAnthropicRequest } from '../anthropic/anthropic-chat';
import { ChannelConfigError } from '../errors';
import { toGeminiRequest } from '../gemini/gemini-chat';
import type { GeminiRequest } from '../gemini/gemini.types';
import type { ServiceAccountKey, VertexClaudeRequest, VertexTarget } from './vertex.types';

/** The Messages API version Claude on Vertex takes in the body (https://docs.anthropic.com/en/api/claude-on-vertex-ai). */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Claude models are Anthropic's publisher on Vertex; everything else is Google's (Gemini). */
export function isVertexClaude(model: string): boolean {
  return model.startsWith('claude');
}

function parseServiceAccount(json: string): ServiceAccountKey | undefined {
  try {
    const v = JSON.parse(json) as Partial<ServiceAccountKey>;
    return typeof v.client_email === 'string' && typeof v.private_key === 'string' ? (v as ServiceAccountKey) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Region, project and service account of a channel: One API keeps them in the config
 * (`region`, `vertex_ai_project_id`, `vertex_ai_adc`) and its console joins them into the key as
 * `region|project|adc-json`; the config wins because a pasted key JSON spans lines. A key that
 * is the JSON alone works too (project from its `project_id`).
 */
export function vertexTarget(ch: ChannelContext): VertexTarget {
  const c = ch.config;
  let region = (c.region ?? '').trim();
  let projectId = (c.vertex_ai_project_id ?? '').trim();
  let sa = c.vertex_ai_adc ? parseServiceAccount(c.vertex_ai_adc) : undefined;
  if (!sa) {
    const key = ch.key.trim();
    if (key.startsWith('{')) sa = parseServiceAccount(key);
    else {
      const [r, p, ...rest] = key.split('|');
      sa = parseServiceAccount(rest.join('|'));
      region ||= (r ?? '').trim();
      projectId ||= (p ?? '').trim();
    }
  }
  if (!sa) throw new ChannelConfigError(ch.id, 'Vertex AI needs a service-account JSON key (config vertex_ai_adc or key region|project|json)');
  projectId ||= sa.project_id ?? '';
  if (!region || !projectId) throw new ChannelConfigError(ch.id, 'Vertex AI needs a region and a project id');
  return { region, projectId, serviceAccount: sa };
}

/** Vertex's regional endpoint; the `global` location has no region prefix. */
export function vertexHost(region: string): string {
  return region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
}

/** OpenAI chat body → the publisher's body: Gemini's generateContent or Claude's Messages (rawPredict). */
export function toVertexRequest(body: Record<string, unknown>, ctx: ConversionContext): GeminiRequest | VertexClaudeRequest {
  if (!isVertexClaude(ctx.upstreamModel)) return toGeminiRequest(body);
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { model, ...rest } = toAnthropicRequest(body, ctx);
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
}
