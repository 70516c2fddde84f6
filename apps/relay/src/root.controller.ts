import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '@oneapi/config';
import { APP_CONFIG } from '@oneapi/platform';

/** `GET /` on the relay sends browsers to the console. */
@Controller()
export class RootController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  root(@Res() reply: FastifyReply) {
    reply.redirect(this.config.consoleUrl, 302);
  }
}
