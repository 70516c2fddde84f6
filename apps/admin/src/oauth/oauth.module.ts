import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { UserModule } from '../user/user.module';
import { OAuthController } from './oauth.controller';
import { OAuthService } from './oauth.service';

/** GitHub OAuth, WeChat login and the bind routes. */
@Module({
  imports: [UserModule, AuthModule],
  controllers: [OAuthController],
  providers: [OAuthService],
})
export class OAuthModule {}

