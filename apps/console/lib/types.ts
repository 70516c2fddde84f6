/**
 * Shapes of the admin API's `data` payloads, as One API's own web console reads them
 * (songquanpeng/one-api web/default/src). Fields the console does not use are omitted.
 */

import type { ChannelView, LogView, RedemptionView, TokenView, UserView } from '@oneapi/domain';

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

/** `GET /api/user/self` and admin user rows; invitation stats are optional extras. */
export interface User extends UserView {
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

/** `GET /api/token/:id` and list rows (the admin API's own definition). */
export type Token = TokenView;

export type Channel = ChannelView;

export type Redemption = RedemptionView;

export type LogEntry = LogView;

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
