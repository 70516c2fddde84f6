import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('idx_users_username', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  /** bcrypt hash; never serialised to API responses. */
  @Column({ type: 'varchar', length: 255, select: true })
  password!: string;

  @Index('idx_users_display_name')
  @Column({ name: 'display_name', type: 'varchar', length: 64, default: '' })
  displayName!: string;

  @Column({ type: 'int', default: 1 })
  role!: number;

  @Column({ type: 'int', default: 1 })
  status!: number;

  @Index('idx_users_email')
  @Column({ type: 'varchar', length: 128, default: '' })
  email!: string;

  @Index('idx_users_github_id')
  @Column({ name: 'github_id', type: 'varchar', length: 64, default: '' })
  githubId!: string;

  @Index('idx_users_wechat_id')
  @Column({ name: 'wechat_id', type: 'varchar', length: 64, default: '' })
  wechatId!: string;

  @Index('idx_users_access_token', { unique: true })
  @Column({ name: 'access_token', type: 'varchar', length: 64, nullable: true })
  accessToken!: string | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  quota!: number;

  @Column({ name: 'used_quota', type: 'bigint', default: 0, transformer: bigintNumber })
  usedQuota!: number;

  /** Quota ever granted (initial, top-ups, redemptions, admin changes); see `reconcile`. */
  @Column({ name: 'granted_quota', type: 'bigint', default: 0, transformer: bigintNumber })
  grantedQuota!: number;

  @Column({ name: 'request_count', type: 'int', default: 0 })
  requestCount!: number;

  @Column({ name: 'group', type: 'varchar', length: 32, default: 'default' })
  group!: string;

  @Index('idx_users_aff_code', { unique: true })
  @Column({ name: 'aff_code', type: 'varchar', length: 32, nullable: true })
  affCode!: string | null;

  @Index('idx_users_inviter_id')
  @Column({ name: 'inviter_id', type: 'int', default: 0 })
  inviterId!: number;

  /**
   * Moves on whenever every session of the user must end (password, status or role change):
   * a session cookie issued under another epoch is refused.
   */
  @Column({ name: 'session_epoch', type: 'int', default: 0 })
  sessionEpoch!: number;
}
