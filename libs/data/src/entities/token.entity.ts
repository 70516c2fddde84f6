import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber, booleanNumber } from './columns';

@Entity({ name: 'tokens' })
export class TokenEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('idx_tokens_user_id')
  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  /** 48 random characters; clients send it as `sk-<key>`. */
  @Index('idx_tokens_key', { unique: true })
  @Column({ type: 'varchar', length: 48 })
  key!: string;

  @Column({ type: 'int', default: 1 })
  status!: number;

  @Index('idx_tokens_name')
  @Column({ type: 'varchar', length: 64, default: '' })
  name!: string;

  @Column({ name: 'created_time', type: 'bigint', default: 0, transformer: bigintNumber })
  createdTime!: number;

  @Column({ name: 'accessed_time', type: 'bigint', default: 0, transformer: bigintNumber })
  accessedTime!: number;

  /** Unix seconds; -1 = never expires. */
  @Column({ name: 'expired_time', type: 'bigint', default: -1, transformer: bigintNumber })
  expiredTime!: number;

  @Column({ name: 'remain_quota', type: 'bigint', default: 0, transformer: bigintNumber })
  remainQuota!: number;

  @Column({ name: 'unlimited_quota', type: 'tinyint', default: 0, transformer: booleanNumber })
  unlimitedQuota!: boolean;

  @Column({ name: 'used_quota', type: 'bigint', default: 0, transformer: bigintNumber })
  usedQuota!: number;

  /** Quota ever granted (initial, top-ups, redemptions, admin changes); see `reconcile`. */
  @Column({ name: 'granted_quota', type: 'bigint', default: 0, transformer: bigintNumber })
  grantedQuota!: number;

  /** Comma-separated model allow-list; empty = every model. */
  @Column({ type: 'text', nullable: true })
  models!: string | null;

  /** Comma-separated CIDR allow-list; empty = any address. */
  @Column({ type: 'varchar', length: 255, nullable: true, default: '' })
  subnet!: string | null;
}
