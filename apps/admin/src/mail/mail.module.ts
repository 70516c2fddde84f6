import { Global, Module, type OnModuleDestroy, Inject } from '@nestjs/common';
import { Mailer, RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { AccountMailService } from './account-mail.service';

/** The SMTP sender (configured from the SMTP options at send time) and the account mails. */
@Global()
@Module({
  providers: [{ provide: Mailer, useFactory: (rt: ServiceRuntime) => Mailer.fromOptions(rt.options), inject: [RUNTIME] }, AccountMailService],
  exports: [Mailer, AccountMailService],
})
export class MailModule implements OnModuleDestroy {
  constructor(@Inject(Mailer) private readonly mailer: Mailer) {}

  onModuleDestroy(): void {
    this.mailer.close();
  }
}
