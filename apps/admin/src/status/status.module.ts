import { Module } from '@nestjs/common';
import { StatusController } from './status.controller';

/** Public status and content routes. */
@Module({ controllers: [StatusController] })
export class StatusModule {}
