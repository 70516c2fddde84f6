import { Inject, Injectable } from '@nestjs/common';
import { UserStatus } from '@oneapi/domain';
import { UserRepository, hashPassword, verifyPassword, type UserEntity } from '@oneapi/data';
import { ApiError } from '../common/api-error';
import { AccountMailService } from '../mail/account-mail.service';
import { Settings } from '../option/settings';
import { newAccessToken, randomString } from '../user/random';
import { UserService } from '../user/user.service';
import type { RegisterDto } from './dtos/register.dto';
import { CODE_VALID_MINUTES, VerificationCodes, codeSubject } from './verification-codes';

/** A bcrypt hash of a random string: compared against when the login name is unknown, so timing does not tell. */
const DUMMY_HASH = '$2b$10$qeS51UwzXARW/pGJaIWH5e8M3NJS.v6twusCvnB1x5pYCpIqBwhgu';

/** Password login, registration, email verification and password reset (One API's user.go / misc.go). */
@Injectable()
export class AuthService {
  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(UserService) private readonly accounts: UserService,
    @Inject(Settings) private readonly settings: Settings,
    @Inject(VerificationCodes) private readonly codes: VerificationCodes,
    @Inject(AccountMailService) private readonly mail: AccountMailService,
  ) {}

  async login(login: string, password: string): Promise<UserEntity> {
    if (!this.settings.options.PasswordLoginEnabled) throw ApiError.forbidden('password login has been disabled by the administrator');
    const user = await this.users.findByLogin(login.trim());
    const live = user && user.status !== UserStatus.Deleted ? user : null;
    const valid = await verifyPassword(password, live?.password ?? DUMMY_HASH);
    if (!live || !valid) throw ApiError.unauthenticated('wrong username or password');
    if (live.status !== UserStatus.Enabled) throw ApiError.forbidden('this user has been disabled');
    return live;
  }

  async register(dto: RegisterDto): Promise<UserEntity> {
    if (!this.settings.options.RegisterEnabled) throw ApiError.forbidden('new user registration has been disabled by the administrator');
    if (!this.settings.options.PasswordRegisterEnabled) {
      throw ApiError.forbidden('registration with a password has been disabled; sign up with a third-party account');
    }
    let email: string | undefined;
    if (this.settings.options.EmailVerificationEnabled) {
      if (!dto.email || !dto.verification_code) throw ApiError.badRequest('email and verification_code are required: email verification is enabled');
      email = dto.email.trim().toLowerCase();
      this.checkEmailDomain(email);
      if (await this.users.findByEmail(email)) throw ApiError.conflict('email is already taken');
      // Checked before the code is spent, so a taken name does not cost the user their code.
      if (await this.users.findByUsername(dto.username)) throw ApiError.conflict('username is already taken');
      if (!(await this.codes.redeem('register', codeSubject.register(email), dto.verification_code))) {
        throw ApiError.badRequest('verification_code is wrong or has expired');
      }
    }
    return this.accounts.createAccount({
      username: dto.username,
      password: dto.password,
      displayName: dto.display_name || dto.username,
      email,
      inviterAffCode: dto.aff_code?.trim() || undefined,
      withDefaultToken: true,
    });
  }

  /** GET /api/verification: mails a registration code to an address not yet taken. */
  async sendVerification(rawEmail: string): Promise<void> {
    const email = rawEmail.trim().toLowerCase();
    this.checkEmailDomain(email);
    if (await this.users.findByEmail(email)) throw ApiError.conflict('email is already taken');
    const code = randomString(6);
    await this.codes.issue('register', codeSubject.register(email), code);
    await this.mail.sendVerificationCode(email, code, CODE_VALID_MINUTES);
  }

  /**
   * POST /api/oauth/email/verification: mails a code that binds this address to this user only,
   * and only while the user's sessions stay those of now (same session epoch).
   */
  async sendBindCode(user: UserEntity, rawEmail: string): Promise<void> {
    const email = rawEmail.trim().toLowerCase();
    this.checkEmailDomain(email);
    const owner = await this.users.findByEmail(email);
    if (owner && owner.id !== user.id) throw ApiError.conflict('email is already taken');
    const code = randomString(6);
    await this.codes.issue('bind', codeSubject.bind(user.id, user.sessionEpoch, email), code);
    await this.mail.sendVerificationCode(email, code, CODE_VALID_MINUTES);
  }

  /** GET /api/reset_password: mails a reset link `<ServerAddress>/user/reset?email=&token=`. */
  async sendPasswordReset(rawEmail: string): Promise<void> {
    const email = rawEmail.trim().toLowerCase();
    const user = await this.users.findByEmail(email);
    if (!user || user.status === UserStatus.Deleted) throw ApiError.notFound('no account uses this email address');
    const token = randomString(32);
    await this.codes.issue('reset', codeSubject.reset(user.id, user.sessionEpoch), token);
    const link = `${this.settings.serverAddress}/user/reset?email=${encodeURIComponent(email)}&token=${token}`;
    await this.mail.sendPasswordReset(email, user.displayName || user.username, link, CODE_VALID_MINUTES);
  }

  /**
   * POST /api/user/reset: sets and returns a new random password (One API's ResetPassword), ends
   * every session and replaces the access token. The link is only good for the account that
   * holds the address now, and not after a password change since it was mailed.
   */
  async resetPassword(rawEmail: string, token: string): Promise<string> {
    const email = rawEmail.trim().toLowerCase();
    const invalid = () => ApiError.badRequest('the reset link is invalid or has expired');
    const user = await this.users.findByEmail(email);
    if (!user || user.status === UserStatus.Deleted) throw invalid();
    if (!(await this.codes.redeem('reset', codeSubject.reset(user.id, user.sessionEpoch), token))) throw invalid();
    const password = randomString(12);
    if ((await this.users.updateEndingSessions(user.id, { password: await hashPassword(password), accessToken: newAccessToken() })) === null) throw invalid();
    await this.accounts.publish(user.id);
    return password;
  }

  /** POST /api/oauth/email/bind: binds an address with a code mailed for this user's bind. */
  async bindEmail(user: UserEntity, rawEmail: string, code: string): Promise<void> {
    const email = rawEmail.trim().toLowerCase();
    const owner = await this.users.findByEmail(email);
    if (owner && owner.id !== user.id) throw ApiError.conflict('email is already taken');
    if (!(await this.codes.redeem('bind', codeSubject.bind(user.id, user.sessionEpoch, email), code))) throw ApiError.badRequest('code is wrong or has expired');
    await this.users.update(user.id, { email });
    await this.accounts.publish(user.id);
  }

  private checkEmailDomain(email: string): void {
    if (!this.settings.options.EmailDomainRestrictionEnabled) return;
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!this.settings.options.EmailDomainWhitelist.includes(domain)) {
      throw ApiError.forbidden('the administrator only allows email addresses from whitelisted domains');
    }
  }
}
