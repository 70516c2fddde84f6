import type { AnthropicRequest } from '../anthropic/anthropic.types';

/** The fields of a Google service-account JSON key that the token exchange needs. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  /** Defaults to https://oauth2.googleapis.com/token. */
  token_uri?: string;
}

/** Where a Vertex AI channel sends requests and with which identity. */
export interface VertexTarget {
  region: string;
  projectId: string;
  serviceAccount: ServiceAccountKey;
}

/** Claude on Vertex: the Messages body without `model` (it is in the URL), with Vertex's `anthropic_version`. */
export type VertexClaudeRequest = Omit<AnthropicRequest, 'model'> & { anthropic_version: string };
