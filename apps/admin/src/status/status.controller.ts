import { Controller, Get, Inject } from '@nestjs/common';
import { APP_VERSION } from '@oneapi/config';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ok } from '../common/envelope';
import { Settings } from '../option/settings';

/** Public `GET /api/status`, `/api/notice`, `/api/about`, `/api/home_page_content` (One API's misc.go). */
@Controller('api')
export class StatusController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(Settings) private readonly settings: Settings,
  ) {}

  @Get('status')
  status() {
    const s = this.settings;
    return ok({
      version: APP_VERSION,
      start_time: this.runtime.startedAt,
      system_name: s.systemName,
      logo: s.string('Logo'),
      footer_html: s.string('Footer'),
      email_verification: s.emailVerificationEnabled,
      github_oauth: s.githubOAuthEnabled,
      github_client_id: s.string('GitHubClientId'),
      wechat_login: s.wechatAuthEnabled,
      wechat_qrcode: s.string('WeChatAccountQRCodeImageURL'),
      server_address: s.serverAddress,
      turnstile_check: s.turnstileCheckEnabled,
      turnstile_site_key: s.string('TurnstileSiteKey'),
      top_up_link: s.string('TopUpLink'),
      chat_link: s.string('ChatLink'),
      quota_per_unit: s.quotaPerUnit,
      display_in_currency: s.displayInCurrency,
      display_token_stat_enabled: s.bool('DisplayTokenStatEnabled', true),
      register_enabled: s.registerEnabled,
      password_login_enabled: s.passwordLoginEnabled,
      password_register_enabled: s.passwordRegisterEnabled,
    });
  }

  @Get('notice')
  notice() {
    return ok(this.settings.string('Notice'));
  }

  @Get('about')
  about() {
    return ok(this.settings.string('About'));
  }

  @Get('home_page_content')
  homePageContent() {
    return ok(this.settings.string('HomePageContent'));
  }
}
