import nodemailer, { type Transporter } from 'nodemailer';
import { DEFAULT_SYSTEM_NAME } from '@oneapi/domain';
import type { OptionsStore } from './options-store';

/** The SMTP options (One API's `SMTPServer`, `SMTPPort`, `SMTPAccount`, `SMTPFrom`, `SMTPToken`). */
export interface SmtpSettings {
  server: string;
  port: number;
  account: string;
  /** Envelope/header sender; One API falls back to the account when empty. */
  from: string;
  token: string;
  /** Shown as the sender's name (the `SystemName` option). */
  senderName: string;
}

export interface MailMessage {
  to: string | string[];
  subject: string;
  html: string;
  text?: string;
}

/** Raised when SMTP is not configured or the server refused the message (no secrets in the message). */
export class MailerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailerError';
  }
}

/** Reads the SMTP settings out of the options map (string values as stored). */
export function smtpSettingsFromOptions(options: Readonly<Record<string, string>>): SmtpSettings {
  const port = Number.parseInt(options['SMTPPort'] ?? '', 10);
  const account = (options['SMTPAccount'] ?? '').trim();
  return {
    server: (options['SMTPServer'] ?? '').trim(),
    port: Number.isFinite(port) && port > 0 ? port : 587,
    account,
    from: (options['SMTPFrom'] ?? '').trim() || account,
    token: options['SMTPToken'] ?? '',
    senderName: (options['SystemName'] ?? '').trim() || DEFAULT_SYSTEM_NAME,
  };
}

/**
 * Sends mail through the SMTP server configured in the options (admin: verification codes and
 * password resets; worker: notices to root). Settings are read on every send, so an option change
 * applies without restart; the transport is rebuilt only when they change.
 */
export class Mailer {
  private transport: { key: string; transporter: Transporter } | undefined;

  constructor(private readonly settings: () => SmtpSettings) {}

  static fromOptions(options: OptionsStore): Mailer {
    return new Mailer(() => smtpSettingsFromOptions(options.raw()));
  }

  /** Whether an SMTP server and a sender address are set. */
  isConfigured(): boolean {
    const s = this.settings();
    return Boolean(s.server && s.from);
  }

  async send(message: MailMessage): Promise<void> {
    const s = this.settings();
    if (!s.server || !s.from) throw new MailerError('SMTP is not configured (set SMTPServer and SMTPAccount or SMTPFrom)');
    try {
      await this.transporterFor(s).sendMail({
        from: { name: s.senderName, address: s.from },
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
      });
    } catch (error) {
      // Keep the SMTP conversation out of the API answer; the caller logs the error.
      const code = (error as { code?: string }).code;
      throw new MailerError(`could not send the email${code ? ` (${code})` : ''}; check the SMTP settings`);
    }
  }

  close(): void {
    this.transport?.transporter.close();
    this.transport = undefined;
  }

  private transporterFor(s: SmtpSettings): Transporter {
    const key = JSON.stringify([s.server, s.port, s.account, s.token]);
    if (this.transport?.key === key) return this.transport.transporter;
    this.transport?.transporter.close();
    const transporter = nodemailer.createTransport({
      host: s.server,
      port: s.port,
      // Port 465 is implicit TLS; others upgrade with STARTTLS when the server offers it (as One API).
      secure: s.port === 465,
      auth: s.account ? { user: s.account, pass: s.token } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    this.transport = { key, transporter };
    return transporter;
  }
}
