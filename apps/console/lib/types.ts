/**
 * Shapes of the admin API's `data` payloads, as One API's own web console reads them
 * (songquanpeng/one-api web/default/src). Fields the console does not use are omitted.
 */

/** Envelope of every `/api` answer. */
export interface ApiEnvelope<T> {
  success: boolean;
  message: string;
  data: T;
  /** Optional total row count on list endpoints. */
  total?: number;
}

/** `GET /api/status`. */
export interface SystemStatus {
  version?: string;
  start_time?: number;
  system_name?: string;
  logo?: string;
  footer_html?: string;
  server_address?: string;
  /** Public base URL of the relay (this rebuild); falls back to `server_address`. */
  relay_url?: string;
  email_verification?: boolean;
  github_oauth?: boolean;
  github_client_id?: string;
  /** Authorize endpoint override (tests point it at a fake); default github.com. */
  github_authorize_url?: string;
  wechat_login?: boolean;
  wechat_qrcode?: string;
  turnstile_check?: boolean;
  turnstile_site_key?: string;
  top_up_link?: string;
  chat_link?: string;
  quota_per_unit?: number;
  display_in_currency?: boolean;
  display_token_stat?: boolean;
  register_enabled?: boolean;
  password_login_enabled?: boolean;
  password_register_enabled?: boolean;
}

export interface User {
  id: number;
  username: string;
  display_name: string;
  role: number;
  status: number;
  email: string;
  github_id?: string;
  wechat_id?: string;
  quota: number;
  used_quota: number;
  request_count: number;
  group: string;
  aff_code?: string;
  inviter_id?: number;
  aff_count?: number;
  aff_quota?: number;
  aff_history_quota?: number;
}

export interface LoginResult {
  id: number;
  username: string;
  display_name: string;
  role: number;
  status: number;
  /** Set by this rebuild while root still has the default password. */
  require_password_change?: boolean;
}

export interface Token {
  id: number;
  user_id: number;
  /** 48 characters without the `sk-` prefix; may be masked (`abcd****wxyz`) in lists. */
  key: string;
  status: number;
  name: string;
  created_time: number;
  accessed_time: number;
  /** Unix seconds, -1 = never. */
  expired_time: number;
  remain_quota: number;
  unlimited_quota: boolean;
  used_quota: number;
  models?: string | null;
  subnet?: string | null;
}

export interface Channel {
  id: number;
  type: number;
  key?: string;
  status: number;
  name: string;
  weight: number | null;
  priority: number | null;
  created_time: number;
  test_time: number;
  response_time: number;
  base_url: string | null;
  other: string | null;
  balance: number;
  balance_updated_time: number;
  models: string;
  group: string;
  used_quota: number;
  model_mapping: string | null;
  config?: string | null;
  system_prompt?: string | null;
}

export interface Redemption {
  id: number;
  user_id: number;
  key: string;
  status: number;
  name: string;
  quota: number;
  created_time: number;
  redeemed_time: number;
  used_by?: number;
}

export interface LogEntry {
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
  /** One API serialises `channel_id` as `channel`. */
  channel?: number;
  channel_id?: number;
  request_id?: string;
  elapsed_time?: number;
  is_stream?: boolean;
}

/** `GET /api/log/self/stat`, `GET /api/log/stat`. */
export interface LogStat {
  quota: number;
  token?: number;
  rpm?: number;
  tpm?: number;
}

/** One row of `GET /api/user/dashboard`: usage of one model on one day. */
export interface DashboardRow {
  Day: string;
  ModelName: string;
  RequestCount: number;
  Quota: number;
  PromptTokens: number;
  CompletionTokens: number;
}

/** `GET /api/option/`. */
export interface OptionEntry {
  key: string;
  value: string;
}

/** `GET /api/channel/test/:id` extra field. */
export interface ChannelTestResult {
  time?: number;
  message?: string;
}
