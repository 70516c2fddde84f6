import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

@Entity({ name: 'redemptions' })
export class RedemptionEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  /** The admin who generated the code. */
  @Column({ name: 'user_id', type: 'int', default: 0 })
  userId!: number;

  @Index('idx_redemptions_key', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  key!: string;

  @Column({ type: 'int', default: 1 })
  status!: number;

  @Index('idx_redemptions_name')
  @Column({ type: 'varchar', length: 64, default: '' })
  name!: string;

  @Column({ type: 'bigint', default: 100, transformer: bigintNumber })
  quota!: number;

  @Column({ name: 'created_time', type: 'bigint', default: 0, transformer: bigintNumber })
  createdTime!: number;

  @Column({ name: 'redeemed_time', type: 'bigint', default: 0, transformer: bigintNumber })
  redeemedTime!: number;

  /** Id of the user who redeemed it (0 until used). */
  @Column({ name: 'used_by', type: 'int', default: 0 })
  usedBy!: number;
}
