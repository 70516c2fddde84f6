import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber, booleanNumber } from './columns';

@Entity({ name: 'logs' })
@Index('idx_logs_created_at_type', ['createdAt', 'type'])
@Index('idx_logs_user_created_at', ['userId', 'createdAt'])
@Index('idx_logs_model_username', ['modelName', 'username'])
export class LogEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'user_id', type: 'int', default: 0 })
  userId!: number;

  /** Unix seconds. */
  @Column({ name: 'created_at', type: 'bigint', default: 0, transformer: bigintNumber })
  createdAt!: number;

  @Column({ type: 'int', default: 0 })
  type!: number;

  @Column({ type: 'text', nullable: true })
  content!: string | null;

  @Index('idx_logs_username')
  @Column({ type: 'varchar', length: 64, default: '' })
  username!: string;

  @Index('idx_logs_token_name')
  @Column({ name: 'token_name', type: 'varchar', length: 64, default: '' })
  tokenName!: string;

  @Index('idx_logs_model_name')
  @Column({ name: 'model_name', type: 'varchar', length: 128, default: '' })
  modelName!: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  quota!: number;

  @Column({ name: 'prompt_tokens', type: 'int', default: 0 })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'int', default: 0 })
  completionTokens!: number;

  @Index('idx_logs_channel_id')
  @Column({ name: 'channel_id', type: 'int', default: 0 })
  channelId!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 64, default: '' })
  requestId!: string;

  /** Milliseconds. */
  @Column({ name: 'elapsed_time', type: 'bigint', default: 0, transformer: bigintNumber })
  elapsedTime!: number;

  @Column({ name: 'is_stream', type: 'tinyint', default: 0, transformer: booleanNumber })
  isStream!: boolean;

  /** The channel's system prompt replaced the client's or was put first (One API's flag). */
  @Column({ name: 'system_prompt_reset', type: 'tinyint', default: 0, transformer: booleanNumber })
  systemPromptReset!: boolean;
}
