/**
 * Channel-type registry text (`@oneapi/domain`: field labels, hints, placeholders and type
 * descriptions, written in English) in the console's language. English is the registry's own
 * text; other languages translate it under `channels.registry` in their message file, by the
 * text's role (a label, a hint shape such as "Optional; defaults to URL.") or by type id. Text a
 * language lacks stays English, so a new registry entry is never blank.
 */
import type { ChannelFormField, ChannelTypeInfo } from '@oneapi/domain';

/** The subset of next-intl's translator this needs (scoped to `channels.registry`). */
export interface RegistryTranslator {
  (key: string, values?: Record<string, string>): string;
  has(key: string): boolean;
}

/** Registry English → message key, for labels, fixed hints and wordy placeholders. */
const FIXED: Record<string, string> = {
  'API key': 'labels.apiKey',
  'Base URL': 'labels.baseUrl',
  'API version': 'labels.apiVersion',
  Region: 'labels.region',
  'Project id': 'labels.projectId',
  'Service-account JSON key': 'labels.serviceAccountJson',
  'AWS credentials': 'labels.awsCredentials',
  'Service account': 'labels.serviceAccount',
  'API key|Secret key': 'labels.apiKeySecretKey',
  'API token': 'labels.apiToken',
  'Account ID': 'labels.accountId',
  'AppId|SecretId|SecretKey': 'labels.tencentCredentials',
  'Authentication key': 'labels.authenticationKey',
  'Authorization value': 'labels.authorizationValue',
  'Library ID': 'labels.libraryId',
  'Personal access token': 'labels.personalAccessToken',
  'APPID|APISecret|APIKey': 'labels.sparkCredentials',
  'Azure resource key': 'placeholders.azureKey',
  'Required.': 'hints.required',
  'One key per line creates one channel per key.': 'hints.keyPerLine',
  'Sent as the api-key header. One key per line creates one channel per key.': 'hints.azureKey',
  'Your resource endpoint, e.g. https://my-resource.openai.azure.com': 'hints.azureBaseUrl',
  'The api-version query parameter, e.g. 2024-10-21.': 'hints.apiVersion',
  'Required, without /v1, e.g. https://llm.internal.example.com': 'hints.customBaseUrl',
  'Required, including the version path, e.g. https://api.example.com/v1': 'hints.compatibleBaseUrl',
  'Ollama ignores it; any non-empty value works.': 'hints.ollamaKey',
  'ACCESS_KEY|SECRET_KEY|region, as One API stores them. One per line creates one channel per key.': 'hints.awsKey',
  'region|project id|service-account JSON, as One API stores it (or set the config fields below).': 'hints.vertexKey',
  'API_KEY|SECRET_KEY of your Qianfan application, as One API stores them. One per line creates one channel per key.': 'hints.qianfanKey',
  'AppId|SecretId|SecretKey, as One API stores them. One per line creates one channel per key.': 'hints.tencentKey',
  'Optional; free keys (ending in :fx) use https://api-free.deepl.com, others https://api.deepl.com.': 'hints.deeplBaseUrl',
  'Required: the upstream the proxy path is appended to.': 'hints.proxyBaseUrl',
  'Sent as the Authorization header as it is. One key per line creates one channel per key.': 'hints.authorizationKey',
  'The knowledge base to ask (One API stores it as library_id).': 'hints.libraryId',
  'The APPID, APISecret and APIKey of your iFlytek application, joined with |, as One API stores them.': 'hints.sparkKey',
  'Used when the model name does not name a version (v1.1, v2.1, v3.1, v3.5, v4.0).': 'hints.sparkVersion',
  'Your Cloudflare account id (One API stores it as user_id). Not needed with an AI Gateway base URL ending in /workers-ai.': 'hints.cloudflareAccount',
};

/** Registry sentences with a variable part: pattern → message key taking `{value}`. */
const PATTERNS: [RegExp, string][] = [
  [/^Optional; defaults to (.+)\.$/, 'hints.optionalDefault'],
  [/^OpenAI-compatible proxy (.+); requests pass through with the channel key\.$/, 'descriptions.proxy'],
  [/^([^,;]+), OpenAI-compatible\.$/, 'descriptions.compatible'],
];

/** `text` in the translator's language, or `text` itself when there is no translation. */
export function registryText(t: RegistryTranslator, text: string | undefined): string | undefined {
  if (!text) return text;
  const fixed = FIXED[text];
  if (fixed && t.has(fixed)) return t(fixed);
  for (const [pattern, key] of PATTERNS) {
    const match = pattern.exec(text);
    if (match?.[1] !== undefined && t.has(key)) return t(key, { value: match[1] });
  }
  return text;
}

/** A form field's label, hint and placeholder, translated. */
export function channelFieldText(t: RegistryTranslator, field: ChannelFormField): { label: string; hint?: string; placeholder?: string } {
  return {
    label: registryText(t, field.label) ?? field.label,
    hint: registryText(t, field.hint),
    placeholder: registryText(t, field.placeholder),
  };
}

/** A channel type's description, translated (by type id first, then by sentence shape). */
export function channelTypeDescription(t: RegistryTranslator, type: ChannelTypeInfo): string {
  const byId = `descriptions.type${type.id}`;
  if (t.has(byId)) return t(byId);
  return registryText(t, type.description) ?? type.description;
}
