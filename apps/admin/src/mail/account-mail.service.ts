import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, Mailer, MailerError } from '@oneapi/platform';
import type { Logger } from 'pino';
import { ApiError, ApiErrorCode } from '../common/api-error';
import { Settings } from '../option/settings';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** The account mails One API sends (controller/misc.go), in English. */
@Injectable()
export class AccountMailService {
  constructor(
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(Settings) private readonly settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sendVerificationCode(email: string, code: string, validMinutes: number): Promise<void> {
    const name = escapeHtml(this.settings.options.SystemName);
    await this.send(email, `${this.settings.options.SystemName} email verification`, `<p>Hello,</p><p>you are verifying your email address for ${name}.</p>` +
      `<p>Your verification code is: <strong>${escapeHtml(code)}</strong></p><p>It is valid for ${validMinutes} minutes. If this was not you, ignore this mail.</p>`);
  }

  async sendPasswordReset(email: string, userName: string, link: string, validMinutes: number): Promise<void> {
    const name = escapeHtml(this.settings.options.SystemName);
    await this.send(email, `${this.settings.options.SystemName} password reset`, `<p>Hello ${escapeHtml(userName)},</p><p>you asked to reset your ${name} password.</p>` +
      `<p>Open this link to reset it: <a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p><p>The link is valid for ${validMinutes} minutes. If this was not you, ignore this mail.</p>`);
  }

  private async send(to: string, subject: string, html: string): Promise<void> {
    try {
      await this.mailer.send({ to, subject, html });
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'sending mail failed');
      const message = error instanceof MailerError ? error.message : 'could not send the email';
      throw new ApiError(ApiErrorCode.Unavailable, message);
    }
  }
}
