import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

@Entity({ name: 'channels' })
export class ChannelEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  /** One API's numeric channel type (see the registry in libs/domain). */
  @Column({ type: 'int', default: 0 })
  type!: number;

  /** Upstream credential; encrypted at rest when CHANNEL_KEY_SECRET is set. */
  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'int', default: 1 })
  status!: number;

  @Index('idx_channels_name')
  @Column({ type: 'varchar', length: 128, default: '' })
  name!: string;

  @Column({ type: 'int', default: 0 })
  weight!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  priority!: number;

  @Column({ name: 'created_time', type: 'bigint', default: 0, transformer: bigintNumber })
  createdTime!: number;

  @Column({ name: 'test_time', type: 'bigint', default: 0, transformer: bigintNumber })
  testTime!: number;

  /** Last test's response time in milliseconds. */
  @Column({ name: 'response_time', type: 'int', default: 0 })
  responseTime!: number;

  /** Model the last test used. */
  @Column({ name: 'test_model', type: 'varchar', length: 255, default: '' })
  testModel!: string;

  /** Why the last test failed ('' when it passed or none ran), in the gateway's words. */
  @Column({ name: 'test_error', type: 'varchar', length: 512, default: '' })
  testError!: string;

  @Column({ name: 'base_url', type: 'varchar', length: 512, nullable: true, default: '' })
  baseUrl!: string | null;

  /** Deprecated in One API (kept for imports); settings live in `config`. */
  @Column({ type: 'text', nullable: true })
  other!: string | null;

  /** Balance in USD. */
  @Column({ type: 'double', default: 0 })
  balance!: number;

  @Column({ name: 'balance_updated_time', type: 'bigint', default: 0, transformer: bigintNumber })
  balanceUpdatedTime!: number;

  /** Comma-separated model list. */
  @Column({ type: 'text', nullable: true })
  models!: string | null;

  /** Comma-separated group list. */
  @Column({ name: 'group', type: 'varchar', length: 255, default: 'default' })
  group!: string;

  @Column({ name: 'used_quota', type: 'bigint', default: 0, transformer: bigintNumber })
  usedQuota!: number;

  /** JSON object `{"from": "to"}`. */
  @Column({ name: 'model_mapping', type: 'varchar', length: 1024, nullable: true, default: '' })
  modelMapping!: string | null;

  /** JSON object: api_version, region, ... */
  @Column({ type: 'text', nullable: true })
  config!: string | null;

  @Column({ name: 'system_prompt', type: 'text', nullable: true })
  systemPrompt!: string | null;

  /** Requests this channel serves at once across all relays; 0 = unlimited. */
  @Column({ name: 'max_concurrency', type: 'int', default: 0 })
  maxConcurrency!: number;

  /** Requests per minute sent to this channel; 0 = unlimited. */
  @Column({ type: 'int', default: 0 })
  rpm!: number;

  /** Prompt + completion tokens per minute through this channel; 0 = unlimited. */
  @Column({ type: 'int', default: 0 })
  tpm!: number;
}
