import { Controller, Get, Inject } from '@nestjs/common';
import { APP_VERSION } from '@oneapi/config';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ok } from '../common/envelope';
import { Settings } from '../option/settings';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiSummary } from '../openapi/api-docs.decorators';
import { StatusDoc } from '../openapi/api-models';

/** Public `GET /api/status`, `/api/notice`, `/api/about`, `/api/home_page_content` (One API's misc.go). */
@ApiTags('status')
@Controller('api')
export class StatusController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(Settings) private readonly settings: Settings,
  ) {}

  @ApiSummary('Public settings: system name, login methods, quota display, relay URL')
  @ApiEnvelope(StatusDoc)
  @Get('status')
  status() {
    const o = this.settings.options;
    return ok({
      version: APP_VERSION,
      start_time: this.runtime.startedAt,
      system_name: o.SystemName,
      logo: o.Logo,
      footer_html: o.Footer,
      email_verification: o.EmailVerificationEnabled,
      github_oauth: o.GitHubOAuthEnabled,
      github_client_id: o.GitHubClientId,
      wechat_login: o.WeChatAuthEnabled,
      wechat_qrcode: o.WeChatAccountQRCodeImageURL,
      server_address: o.ServerAddress,
      /** The relay's public base (clients use `${relay_url}/v1`). */
      relay_url: this.runtime.config.relayUrl,
      github_authorize_url: `${this.runtime.config.env.GITHUB_OAUTH_URL.replace(/\/$/, '')}/login/oauth/authorize`,
      turnstile_check: o.TurnstileCheckEnabled,
      turnstile_site_key: o.TurnstileSiteKey,
      top_up_link: o.TopUpLink,
      chat_link: o.ChatLink,
      quota_per_unit: o.QuotaPerUnit,
      display_in_currency: o.DisplayInCurrencyEnabled,
      display_currency: o.DisplayCurrency,
      usd_exchange_rate: o.USDExchangeRate,
      display_token_stat_enabled: o.DisplayTokenStatEnabled,
      register_enabled: o.RegisterEnabled,
      password_login_enabled: o.PasswordLoginEnabled,
      password_register_enabled: o.PasswordRegisterEnabled,
      // One API's fields for login methods this gateway does not offer (Lark, OIDC): present and
      // off, so One API's frontend and scripts reading them hide those buttons instead of failing.
      lark_client_id: '',
      oidc: false,
      oidc_client_id: '',
      oidc_well_known: '',
      oidc_authorization_endpoint: '',
      oidc_token_endpoint: '',
      oidc_userinfo_endpoint: '',
    });
  }

  @ApiSummary('The Notice text (Markdown or HTML)')
  @ApiEnvelope({ type: 'string', example: '' })
  @Get('notice')
  notice() {
    return ok(this.settings.options.Notice);
  }

  @ApiSummary('The About text (Markdown, HTML or a URL)')
  @ApiEnvelope({ type: 'string', example: '' })
  @Get('about')
  about() {
    return ok(this.settings.options.About);
  }

  @ApiSummary('The home page content (Markdown, HTML or a URL)')
  @ApiEnvelope({ type: 'string', example: '' })
  @Get('home_page_content')
  homePageContent() {
    return ok(this.settings.options.HomePageContent);
  }
}
