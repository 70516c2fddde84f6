/**
 * The admin API's JSON shapes (One API's `json:` field names): what `apps/admin` sends and what
 * `apps/console` reads. One definition for both sides of the wire.
 */

/** A user as the API shows it (One API's JSON names); never the password hash or access token. */
export interface UserView {
  id: number;
  username: string;
  display_name: string;
  role: number;
  status: number;
  email: string;
  github_id: string;
  wechat_id: string;
  quota: number;
  used_quota: number;
  request_count: number;
  group: string;
  aff_code: string;
  inviter_id: number;
}

/** A token as One API serialises it (`json:` tags of model.Token). Only ever sent to its owner. */
export interface TokenView {
  id: number;
  user_id: number;
  /** 48 characters without the `sk-` prefix (One API's field); clients send `sk-<key>`. */
  key: string;
  status: number;
  name: string;
  created_time: number;
  accessed_time: number;
  expired_time: number;
  remain_quota: number;
  unlimited_quota: boolean;
  used_quota: number;
  models: string;
  subnet: string;
}

/** A channel as One API serialises it, with the key masked (the full key is never sent after creation). */
export interface ChannelView {
  id: number;
  type: number;
  /** Masked: first and last 4 characters of long keys, `****` otherwise. */
  key: string;
  status: number;
  name: string;
  weight: number;
  priority: number;
  created_time: number;
  test_time: number;
  response_time: number;
  /** Model of the last test, and why it failed ('' when it passed or none ran). */
  test_model: string;
  test_error: string;
  base_url: string;
  other: string;
  balance: number;
  balance_updated_time: number;
  models: string;
  group: string;
  used_quota: number;
  model_mapping: string;
  config: string;
  system_prompt: string;
  /** Requests at once across all relays; 0 = unlimited. */
  max_concurrency: number;
  /** Requests per minute; 0 = unlimited. */
  rpm: number;
  /** Prompt + completion tokens per minute; 0 = unlimited. */
  tpm: number;
}

/** A redemption code as One API serialises it, plus `used_by`. Admins only. */
export interface RedemptionView {
  id: number;
  user_id: number;
  key: string;
  status: number;
  name: string;
  quota: number;
  created_time: number;
  redeemed_time: number;
  used_by: number;
}

/** A log row with One API's `json:` names (its ChannelId serialises as `channel`). */
export interface LogView {
  id: number;
  user_id: number;
  created_at: number;
  type: number;
  content: string;
  username: string;
  token_name: string;
  model_name: string;
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Admin views only: which channel served the request. */
  channel?: number;
  request_id: string;
  elapsed_time: number;
  is_stream: boolean;
  /** The channel's system prompt replaced the client's or was put first (One API's field). */
  system_prompt_reset: boolean;
}
