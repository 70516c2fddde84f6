import { Module } from '@nestjs/common';
import { UserModule } from '../user/user.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { TurnstileGuard } from './turnstile.guard';
import { VerificationCodes } from './verification-codes';

/** Password login, registration, verification mail and password reset. */
@Module({
  imports: [UserModule],
  controllers: [AuthController],
  providers: [AuthService, VerificationCodes, TurnstileGuard],
  exports: [AuthService, VerificationCodes, TurnstileGuard],
})
export class AuthModule {}
