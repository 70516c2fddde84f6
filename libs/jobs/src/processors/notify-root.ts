import { ChannelJobRepository } from '@oneapi/data';
import type { JobContext } from '../job-context';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Emails root (One API's monitor.notifyRootUser). Best effort: a missing SMTP setup or root
 * email, or an SMTP error, is logged and never fails the job.
 */
export async function notifyRoot(ctx: JobContext, subject: string, text: string): Promise<boolean> {
  if (!ctx.mailer?.isConfigured()) return false;
  try {
    const to = await new ChannelJobRepository(ctx.db).rootEmail();
    if (!to) return false;
    await ctx.mailer.send({ to, subject, html: `<p>${escapeHtml(text)}</p>`, text });
    return true;
  } catch (error) {
    ctx.logger.warn({ err: (error as Error).message }, 'could not email root');
    return false;
  }
}
