import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ChannelStatus, LogType, RedemptionStatus, Role, TokenStatus, UserStatus } from '@oneapi/domain';
import type { DashboardRow, LogStat } from '@oneapi/data';
import type { RunResult, RunState } from '@oneapi/jobs';
import type { ChannelView } from '../channel/channel.view';
import type { ModelEntry } from '../channel/channel.service';
import { ApiErrorCode } from '../common/api-error';
import type { LogView } from '../log/log.view';
import type { OptionView } from '../option/option.service';
import type { RedemptionView } from '../redemption/redemption.view';
import type { TokenView } from '../token/token.view';
import type { LoginView, UserView } from '../user/user.view';

/*
 * Response schemas of the management API. Each class mirrors a view the API sends (the
 * `*.view.ts` interfaces; `implements` keeps the field names in step at compile time, and the
 * OpenAPI integration suite compares them with real answers). They exist only for the document:
 * controllers keep returning the plain views.
 */

const ROLE_DESCRIPTION = `${Role.Common} common user, ${Role.Admin} admin, ${Role.Root} root`;
const UNIX_SECONDS = 'unix seconds';

@ApiSchema({ name: 'ErrorEnvelope', description: 'Every failed /api answer: `success` is false and the HTTP status is the real one.' })
export class ErrorEnvelopeDoc {
  @ApiProperty({ type: Boolean, example: false, enum: [false] })
  success!: false;

  @ApiProperty({ type: String, example: 'name: must be at most 30 characters', description: 'Human-readable reason (validation messages name the field).' })
  message!: string;

  @ApiProperty({ type: 'object', properties: {}, nullable: true, example: null, description: 'Always null on errors.' })
  data!: null;

  @ApiProperty({ enum: Object.values(ApiErrorCode), enumName: 'ApiErrorCode', example: ApiErrorCode.BadRequest, description: 'Machine-readable reason.' })
  code!: ApiErrorCode;
}

@ApiSchema({ name: 'UserView', description: 'A user (never the password hash or access token).' })
export class UserViewDoc implements UserView {
  @ApiProperty({ type: Number, example: 2 })
  id!: number;
  @ApiProperty({ type: String, example: 'alice' })
  username!: string;
  @ApiProperty({ type: String, example: 'Alice' })
  display_name!: string;
  @ApiProperty({ type: Number, enum: [Role.Common, Role.Admin, Role.Root], example: Role.Common, description: ROLE_DESCRIPTION })
  role!: number;
  @ApiProperty({ type: Number, enum: [UserStatus.Enabled, UserStatus.Disabled, UserStatus.Deleted], example: UserStatus.Enabled, description: '1 enabled, 2 disabled, 3 deleted' })
  status!: number;
  @ApiProperty({ type: String, example: 'alice@example.com', description: 'Empty when none is bound.' })
  email!: string;
  @ApiProperty({ type: String, example: '', description: 'Bound GitHub login id, empty when none.' })
  github_id!: string;
  @ApiProperty({ type: String, example: '', description: 'Bound WeChat id, empty when none.' })
  wechat_id!: string;
  @ApiProperty({ type: Number, example: 500000, description: 'Remaining quota (500000 = 1 USD by default, see QuotaPerUnit).' })
  quota!: number;
  @ApiProperty({ type: Number, example: 1200 })
  used_quota!: number;
  @ApiProperty({ type: Number, example: 12 })
  request_count!: number;
  @ApiProperty({ type: String, example: 'default' })
  group!: string;
  @ApiProperty({ type: String, example: 'a1b2', description: 'Invitation code.' })
  aff_code!: string;
  @ApiProperty({ type: Number, example: 0, description: 'Inviter user id, 0 when none.' })
  inviter_id!: number;
}

@ApiSchema({ name: 'LoginView', description: 'The signed-in user, as login answers it.' })
export class LoginViewDoc implements LoginView {
  @ApiProperty({ type: Number, example: 1 })
  id!: number;
  @ApiProperty({ type: String, example: 'root' })
  username!: string;
  @ApiProperty({ type: String, example: 'Root User' })
  display_name!: string;
  @ApiProperty({ type: Number, example: Role.Root, description: ROLE_DESCRIPTION })
  role!: number;
  @ApiProperty({ type: Number, example: UserStatus.Enabled })
  status!: number;
  @ApiPropertyOptional({ type: Boolean, example: true, description: 'Present when root still has the default password: only PUT /api/user/self, GET /api/user/self and logout work until it is changed.' })
  require_password_change?: boolean;
}

@ApiSchema({ name: 'RegisteredUser' })
export class RegisteredUserDoc {
  @ApiProperty({ type: Number, example: 3 })
  id!: number;
  @ApiProperty({ type: String, example: 'bob' })
  username!: string;
}

@ApiSchema({ name: 'ManageResult', description: "The user's role and status after the action." })
export class ManageResultDoc {
  @ApiProperty({ type: Number, example: Role.Admin, description: ROLE_DESCRIPTION })
  role!: number;
  @ApiProperty({ type: Number, example: UserStatus.Enabled, description: '1 enabled, 2 disabled, 3 deleted' })
  status!: number;
}

@ApiSchema({ name: 'TokenView', description: 'An API token of the caller (the relay key is `sk-<key>`).' })
export class TokenViewDoc implements TokenView {
  @ApiProperty({ type: Number, example: 7 })
  id!: number;
  @ApiProperty({ type: Number, example: 2 })
  user_id!: number;
  @ApiProperty({ type: String, example: 'Xk2Tl0CnXt9Rr6pYc4zbXhXnA1dY0xM3F0nzWJm3k0D7vQ1a', description: '48 characters without the `sk-` prefix; send `Authorization: Bearer sk-<key>` to the relay.' })
  key!: string;
  @ApiProperty({ type: Number, enum: [TokenStatus.Enabled, TokenStatus.Disabled, TokenStatus.Expired, TokenStatus.Exhausted], example: TokenStatus.Enabled, description: '1 enabled, 2 disabled, 3 expired, 4 exhausted' })
  status!: number;
  @ApiProperty({ type: String, example: 'ci-bot' })
  name!: string;
  @ApiProperty({ type: Number, example: 1735689600, description: UNIX_SECONDS })
  created_time!: number;
  @ApiProperty({ type: Number, example: 1735689600, description: `Last use, ${UNIX_SECONDS}.` })
  accessed_time!: number;
  @ApiProperty({ type: Number, example: -1, description: `${UNIX_SECONDS}, -1 for never` })
  expired_time!: number;
  @ApiProperty({ type: Number, example: 500000 })
  remain_quota!: number;
  @ApiProperty({ type: Boolean, example: false })
  unlimited_quota!: boolean;
  @ApiProperty({ type: Number, example: 0 })
  used_quota!: number;
  @ApiProperty({ type: String, example: 'gpt-4o-mini,gpt-4o', description: 'Comma-separated allow-list; empty = every model.' })
  models!: string;
  @ApiProperty({ type: String, example: '10.0.0.0/8', description: 'Comma-separated CIDRs; empty = any address.' })
  subnet!: string;
}

@ApiSchema({ name: 'ChannelView', description: 'A channel, with its key masked.' })
export class ChannelViewDoc implements ChannelView {
  @ApiProperty({ type: Number, example: 1 })
  id!: number;
  @ApiProperty({ type: Number, example: 1, description: "One API's channel type id (1 OpenAI, 3 Azure, 14 Anthropic, 24 Gemini, ...)." })
  type!: number;
  @ApiProperty({ type: String, example: 'sk-a****b9c2', description: 'Masked: first and last 4 characters of long keys, `****` otherwise.' })
  key!: string;
  @ApiProperty({ type: Number, enum: [ChannelStatus.Enabled, ChannelStatus.ManuallyDisabled, ChannelStatus.AutoDisabled], example: ChannelStatus.Enabled, description: '1 enabled, 2 disabled, 3 auto-disabled' })
  status!: number;
  @ApiProperty({ type: String, example: 'openai-main' })
  name!: string;
  @ApiProperty({ type: Number, example: 0 })
  weight!: number;
  @ApiProperty({ type: Number, example: 0, description: 'Higher priority channels are tried first.' })
  priority!: number;
  @ApiProperty({ type: Number, example: 1735689600, description: UNIX_SECONDS })
  created_time!: number;
  @ApiProperty({ type: Number, example: 0, description: `Last test, ${UNIX_SECONDS}.` })
  test_time!: number;
  @ApiProperty({ type: Number, example: 0, description: 'Last test latency in milliseconds.' })
  response_time!: number;
  @ApiProperty({ type: String, example: 'gpt-4o-mini', description: 'Model the last test used.' })
  test_model!: string;
  @ApiProperty({ type: String, example: '', description: 'Why the last test failed, in the gateway’s words; empty when it passed or none ran.' })
  test_error!: string;
  @ApiProperty({ type: String, example: '' })
  base_url!: string;
  @ApiProperty({ type: String, example: '' })
  other!: string;
  @ApiProperty({ type: Number, example: 0, description: 'Upstream balance (USD; CNY for DeepSeek/SiliconFlow).' })
  balance!: number;
  @ApiProperty({ type: Number, example: 0, description: UNIX_SECONDS })
  balance_updated_time!: number;
  @ApiProperty({ type: String, example: 'gpt-4o-mini,gpt-4o' })
  models!: string;
  @ApiProperty({ type: String, example: 'default' })
  group!: string;
  @ApiProperty({ type: Number, example: 0 })
  used_quota!: number;
  @ApiProperty({ type: String, example: '{"gpt-4":"gpt-4o"}' })
  model_mapping!: string;
  @ApiProperty({ type: String, example: '', description: 'JSON object as a string (api_version, region, ...).' })
  config!: string;
  @ApiProperty({ type: String, example: '' })
  system_prompt!: string;
  @ApiProperty({ type: Number, example: 0, description: 'Requests this channel serves at once, across all relays; 0 = unlimited.' })
  max_concurrency!: number;
  @ApiProperty({ type: Number, example: 0, description: 'Requests per minute; 0 = unlimited.' })
  rpm!: number;
  @ApiProperty({ type: Number, example: 0, description: 'Prompt + completion tokens per minute; 0 = unlimited.' })
  tpm!: number;
}

@ApiSchema({ name: 'ChannelCreated' })
export class ChannelCreatedDoc {
  @ApiProperty({ type: [Number], example: [4, 5], description: 'One id per key line.' })
  ids!: number[];
  @ApiProperty({ type: Number, example: 2 })
  count!: number;
}

@ApiSchema({ name: 'ModelEntry', description: 'A model name the channel forms offer (OpenAI model object shape).' })
export class ModelEntryDoc implements ModelEntry {
  @ApiProperty({ type: String, example: 'gpt-4o-mini' })
  id!: string;
  @ApiProperty({ type: String, enum: ['model'], example: 'model' })
  object!: 'model';
  @ApiProperty({ type: Number, example: 1626777600 })
  created!: number;
  @ApiProperty({ type: String, example: 'openai' })
  owned_by!: string;
}

@ApiSchema({ name: 'ChannelModelList', description: "One API's ListAllModels shape plus the envelope fields." })
export class ChannelModelListDoc {
  @ApiProperty({ type: Boolean, example: true })
  success!: boolean;
  @ApiProperty({ type: String, example: '' })
  message!: string;
  @ApiProperty({ type: String, enum: ['list'], example: 'list' })
  object!: 'list';
  @ApiProperty({ type: [ModelEntryDoc] })
  data!: ModelEntryDoc[];
}

@ApiSchema({ name: 'ChannelTestResult', description: "One API's test answer (not the usual envelope: `time` and `model` sit beside `success`)." })
export class ChannelTestResultDoc {
  @ApiProperty({ type: Boolean, example: true })
  success!: boolean;
  @ApiProperty({ type: String, example: '' })
  message!: string;
  @ApiProperty({ type: Number, example: 0.42, description: 'Seconds.' })
  time!: number;
  @ApiProperty({ type: String, example: 'gpt-4o-mini' })
  model!: string;
  @ApiProperty({ type: Number, example: 200, description: "The upstream's HTTP status; 0 when none arrived." })
  status!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['caller', 'credentials', 'rate_limit', 'overloaded', 'timeout', 'server', 'unreachable', 'bad_reply', 'config', 'slow'],
    example: null,
    description: 'Why the test failed; null when it passed.',
  })
  error_class!: string | null;
}

@ApiSchema({ name: 'ChannelBalanceResult', description: "One API's balance answer (not the usual envelope: `balance` sits beside `success`)." })
export class ChannelBalanceResultDoc {
  @ApiProperty({ type: Boolean, example: true })
  success!: boolean;
  @ApiProperty({ type: String, example: '' })
  message!: string;
  @ApiPropertyOptional({ type: Number, example: 17.5, description: 'Present on success.' })
  balance?: number;
  @ApiPropertyOptional({ type: String, enum: ['USD', 'CNY'], example: 'USD', description: 'Present on success.' })
  currency?: 'USD' | 'CNY';
}

@ApiSchema({ name: 'JobStarted' })
export class JobStartedDoc {
  @ApiProperty({ type: String, example: 'b4c1e2d0', description: 'Follow it at GET /api/channel/jobs.' })
  run_id!: string;
}

@ApiSchema({ name: 'RunResult', description: 'Outcome of the last finished run.' })
export class RunResultDoc implements RunResult {
  @ApiProperty({ type: String, example: 'b4c1e2d0' })
  run_id!: string;
  @ApiProperty({ type: Number, example: 1735689600000, description: 'Unix milliseconds.' })
  started_at!: number;
  @ApiProperty({ type: Number, example: 1735689605000, description: 'Unix milliseconds.' })
  finished_at!: number;
  @ApiProperty({ type: Boolean, example: true })
  success!: boolean;
  @ApiProperty({ type: String, example: '' })
  message!: string;
  @ApiProperty({ type: Number, example: 3 })
  total!: number;
  @ApiProperty({ type: Number, example: 3 })
  succeeded!: number;
  @ApiProperty({ type: Number, example: 0 })
  failed!: number;
  @ApiProperty({ type: Number, example: 0, description: 'Channels auto-disabled by this run.' })
  disabled!: number;
  @ApiProperty({ type: Number, example: 0, description: 'Channels re-enabled by this run.' })
  enabled!: number;
}

@ApiSchema({ name: 'RunState', description: 'Progress of an "all channels" run.' })
export class RunStateDoc implements RunState {
  @ApiProperty({ type: Boolean, example: false })
  running!: boolean;
  @ApiPropertyOptional({ type: String, example: 'b4c1e2d0', description: 'Set while running.' })
  run_id?: string;
  @ApiPropertyOptional({ type: Number, example: 1735689600000, description: 'Unix milliseconds; set while running.' })
  started_at?: number;
  @ApiProperty({ type: Number, example: 0 })
  done!: number;
  @ApiProperty({ type: Number, example: 0 })
  total!: number;
  @ApiPropertyOptional({ type: () => RunResultDoc })
  last?: RunResultDoc;
}

@ApiSchema({ name: 'ChannelJobs' })
export class ChannelJobsDoc {
  @ApiProperty({ type: String, enum: ['bullmq', 'in-process'], example: 'in-process', description: 'bullmq with REDIS_CONN_STRING (apps/worker runs the jobs), in-process otherwise.' })
  driver!: string;
  @ApiProperty({ type: () => RunStateDoc })
  test_all!: RunStateDoc;
  @ApiProperty({ type: () => RunStateDoc })
  update_balance_all!: RunStateDoc;
}

@ApiSchema({ name: 'RedemptionView', description: 'A redemption (top-up) code.' })
export class RedemptionViewDoc implements RedemptionView {
  @ApiProperty({ type: Number, example: 1 })
  id!: number;
  @ApiProperty({ type: Number, example: 1, description: 'The admin who created it.' })
  user_id!: number;
  @ApiProperty({ type: String, example: '4f0c2b9d6e1a4c8b9f7e3d2a1b0c9d8e' })
  key!: string;
  @ApiProperty({ type: Number, enum: [RedemptionStatus.Enabled, RedemptionStatus.Disabled, RedemptionStatus.Used], example: RedemptionStatus.Enabled, description: '1 enabled, 2 disabled, 3 used' })
  status!: number;
  @ApiProperty({ type: String, example: 'spring-promo' })
  name!: string;
  @ApiProperty({ type: Number, example: 500000 })
  quota!: number;
  @ApiProperty({ type: Number, example: 1735689600, description: UNIX_SECONDS })
  created_time!: number;
  @ApiProperty({ type: Number, example: 0, description: `${UNIX_SECONDS}, 0 while unused` })
  redeemed_time!: number;
  @ApiProperty({ type: Number, example: 0, description: 'User id that redeemed it, 0 while unused.' })
  used_by!: number;
}

@ApiSchema({ name: 'LogView', description: 'A log row.' })
export class LogViewDoc implements LogView {
  @ApiProperty({ type: Number, example: 42 })
  id!: number;
  @ApiProperty({ type: Number, example: 2 })
  user_id!: number;
  @ApiProperty({ type: Number, example: 1735689600, description: UNIX_SECONDS })
  created_at!: number;
  @ApiProperty({ type: Number, enum: [LogType.Unknown, LogType.Topup, LogType.Consume, LogType.Manage, LogType.System, LogType.Test], example: LogType.Consume, description: '1 top-up, 2 consume, 3 manage, 4 system, 5 test' })
  type!: number;
  @ApiProperty({ type: String, example: 'model ratio 0.075, completion ratio 4' })
  content!: string;
  @ApiProperty({ type: String, example: 'alice' })
  username!: string;
  @ApiProperty({ type: String, example: 'ci-bot' })
  token_name!: string;
  @ApiProperty({ type: String, example: 'gpt-4o-mini' })
  model_name!: string;
  @ApiProperty({ type: Number, example: 120 })
  quota!: number;
  @ApiProperty({ type: Number, example: 12 })
  prompt_tokens!: number;
  @ApiProperty({ type: Number, example: 30 })
  completion_tokens!: number;
  @ApiPropertyOptional({ type: Number, example: 1, description: 'Channel id; admin routes only.' })
  channel?: number;
  @ApiProperty({ type: String, example: '20250101000000123456789' })
  request_id!: string;
  @ApiProperty({ type: Number, example: 850, description: 'Milliseconds.' })
  elapsed_time!: number;
  @ApiProperty({ type: Boolean, example: false })
  is_stream!: boolean;
  @ApiProperty({ type: Boolean, example: false, description: "The channel's system prompt replaced the client's or was put first (One API's field)." })
  system_prompt_reset!: boolean;
}

@ApiSchema({ name: 'LogStat', description: 'Sums over the consume logs matching the filters.' })
export class LogStatDoc implements LogStat {
  @ApiProperty({ type: Number, example: 123456 })
  quota!: number;
  @ApiProperty({ type: Number, example: 4200, description: 'Prompt + completion tokens.' })
  token!: number;
}

@ApiSchema({ name: 'DashboardRow', description: "Consumption of one model on one day (One API's field names)." })
export class DashboardRowDoc implements DashboardRow {
  @ApiProperty({ type: String, example: '2025-01-01', description: 'Local day, YYYY-MM-DD.' })
  Day!: string;
  @ApiProperty({ type: String, example: 'gpt-4o-mini' })
  ModelName!: string;
  @ApiProperty({ type: Number, example: 12 })
  RequestCount!: number;
  @ApiProperty({ type: Number, example: 1440 })
  Quota!: number;
  @ApiProperty({ type: Number, example: 144 })
  PromptTokens!: number;
  @ApiProperty({ type: Number, example: 360 })
  CompletionTokens!: number;
}

@ApiSchema({ name: 'OptionEntry', description: 'One option; every value is a string (secrets are omitted).' })
export class OptionEntryDoc implements OptionView {
  @ApiProperty({ type: String, example: 'SystemName' })
  key!: string;
  @ApiProperty({ type: String, example: 'One API' })
  value!: string;
}

@ApiSchema({ name: 'Status', description: 'Public settings the console needs before login.' })
export class StatusDoc {
  @ApiProperty({ type: String, example: 'v0.1.0' })
  version!: string;
  @ApiProperty({ type: Number, example: 1735689600, description: `Process start, ${UNIX_SECONDS}.` })
  start_time!: number;
  @ApiProperty({ type: String, example: 'One API' })
  system_name!: string;
  @ApiProperty({ type: String, example: '' })
  logo!: string;
  @ApiProperty({ type: String, example: '' })
  footer_html!: string;
  @ApiProperty({ type: Boolean, example: false })
  email_verification!: boolean;
  @ApiProperty({ type: Boolean, example: false })
  github_oauth!: boolean;
  @ApiProperty({ type: String, example: '' })
  github_client_id!: string;
  @ApiProperty({ type: Boolean, example: false })
  wechat_login!: boolean;
  @ApiProperty({ type: String, example: '' })
  wechat_qrcode!: string;
  @ApiProperty({ type: String, example: 'https://oneapi.example.com' })
  server_address!: string;
  @ApiProperty({ type: String, example: 'https://relay.example.com', description: "The relay's public base (clients use `${relay_url}/v1`)." })
  relay_url!: string;
  @ApiProperty({ type: String, example: 'https://github.com/login/oauth/authorize' })
  github_authorize_url!: string;
  @ApiProperty({ type: Boolean, example: false })
  turnstile_check!: boolean;
  @ApiProperty({ type: String, example: '' })
  turnstile_site_key!: string;
  @ApiProperty({ type: String, example: '' })
  top_up_link!: string;
  @ApiProperty({ type: String, example: '' })
  chat_link!: string;
  @ApiProperty({ type: Number, example: 500000, description: 'Quota per 1 USD.' })
  quota_per_unit!: number;
  @ApiProperty({ type: Boolean, example: true })
  display_in_currency!: boolean;
  @ApiProperty({ type: String, enum: ['USD', 'CNY'], example: 'USD', description: 'Currency of money amounts when `display_in_currency` (option DisplayCurrency).' })
  display_currency!: string;
  @ApiProperty({ type: Number, example: 7.3, description: 'Yuan per US dollar, for `display_currency` CNY (option USDExchangeRate).' })
  usd_exchange_rate!: number;
  @ApiProperty({ type: Boolean, example: true })
  display_token_stat_enabled!: boolean;
  @ApiProperty({ type: Boolean, example: true })
  register_enabled!: boolean;
  @ApiProperty({ type: Boolean, example: true })
  password_login_enabled!: boolean;
  @ApiProperty({ type: Boolean, example: true })
  password_register_enabled!: boolean;
  @ApiProperty({ type: String, example: '', description: 'One API’s Lark login client id; always empty (Lark login is not offered).' })
  lark_client_id!: string;
  @ApiProperty({ type: Boolean, example: false, description: 'One API’s OIDC login switch; always false (OIDC login is not offered).' })
  oidc!: boolean;
  @ApiProperty({ type: String, example: '' })
  oidc_client_id!: string;
  @ApiProperty({ type: String, example: '' })
  oidc_well_known!: string;
  @ApiProperty({ type: String, example: '' })
  oidc_authorization_endpoint!: string;
  @ApiProperty({ type: String, example: '' })
  oidc_token_endpoint!: string;
  @ApiProperty({ type: String, example: '' })
  oidc_userinfo_endpoint!: string;
}

/** Every response model, registered once so `$ref`s built with getSchemaPath resolve. */
export const RESPONSE_MODELS = [
  ErrorEnvelopeDoc,
  UserViewDoc,
  LoginViewDoc,
  RegisteredUserDoc,
  ManageResultDoc,
  TokenViewDoc,
  ChannelViewDoc,
  ChannelCreatedDoc,
  ModelEntryDoc,
  ChannelModelListDoc,
  ChannelTestResultDoc,
  ChannelBalanceResultDoc,
  JobStartedDoc,
  RunResultDoc,
  RunStateDoc,
  ChannelJobsDoc,
  RedemptionViewDoc,
  LogViewDoc,
  LogStatDoc,
  DashboardRowDoc,
  OptionEntryDoc,
  StatusDoc,
] as const;
